// SHA-256 (FIPS 180-4) and HMAC-SHA256 (RFC 2104), for the protocol's challenge-response.
// Threads: any; no shared state. Not constant-time with respect to message length (the inputs are public
// apart from the key, whose length is fixed).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace jb {

using Digest = std::array<std::uint8_t, 32>;

class Sha256 {
public:
    Sha256();
    void update(const void* data, std::size_t n);
    Digest finish();

private:
    void block(const std::uint8_t* p);
    std::uint32_t h_[8];
    std::uint8_t buf_[64];
    std::size_t used_ = 0;
    std::uint64_t total_ = 0;
};

Digest sha256(const void* data, std::size_t n);
Digest hmacSha256(const void* key, std::size_t keyLen, const void* msg, std::size_t msgLen);

}  // namespace jb
