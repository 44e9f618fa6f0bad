// Minimal WAV reader for the tests (PCM 16/24/32-bit and float32, plain or extensible header).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace jbhost {

struct Wav {
    int rate = 0, channels = 0;
    std::vector<float> samples;   // interleaved
    std::int64_t frames() const { return channels ? static_cast<std::int64_t>(samples.size()) / channels : 0; }
};

bool readWav(const std::string& path, Wav& out, std::string& error);

}  // namespace jbhost
