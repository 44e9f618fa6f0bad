// Reference counting for plugin objects: they start at 1 and delete themselves at 0.
// Threads: addRef/release from any thread (atomic).
#pragma once

#include <atomic>
#include <cstdint>

namespace jb {

class RefCounted {
protected:
    virtual ~RefCounted() = default;
    std::uint32_t ref() { return ++refs_; }
    std::uint32_t unref() {
        const std::uint32_t n = --refs_;
        if (n == 0) delete this;
        return n;
    }

private:
    std::atomic<std::uint32_t> refs_{1};
};

// Copies an ASCII/UTF-8 string into a UTF-16 String128 (non-ASCII bytes become '?').
inline void toString128(const char* s, char16_t* out, int size = 128) {
    int i = 0;
    for (; s != nullptr && s[i] != '\0' && i < size - 1; ++i) {
        const unsigned char c = static_cast<unsigned char>(s[i]);
        out[i] = c < 0x80 ? static_cast<char16_t>(c) : u'?';
    }
    out[i] = 0;
}

}  // namespace jb
