#include "wav.h"

#include <cstring>
#include <fstream>
#include <iterator>

namespace jbhost {
namespace {
std::uint32_t u32(const std::uint8_t* p) { return p[0] | (p[1] << 8) | (p[2] << 16) | (std::uint32_t(p[3]) << 24); }
std::uint16_t u16(const std::uint8_t* p) { return static_cast<std::uint16_t>(p[0] | (p[1] << 8)); }
}  // namespace

bool readWav(const std::string& path, Wav& out, std::string& error) {
    std::ifstream f(path, std::ios::binary);
    if (!f) { error = "cannot open " + path; return false; }
    std::vector<std::uint8_t> b((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    if (b.size() < 12 || std::memcmp(b.data(), "RIFF", 4) != 0 || std::memcmp(b.data() + 8, "WAVE", 4) != 0) {
        error = path + ": not a WAV file";
        return false;
    }
    int format = 0, bits = 0;
    std::size_t at = 12;
    while (at + 8 <= b.size()) {
        const std::uint32_t size = u32(b.data() + at + 4);
        const std::uint8_t* body = b.data() + at + 8;
        if (at + 8 + size > b.size()) { error = path + ": truncated chunk"; return false; }
        if (std::memcmp(b.data() + at, "fmt ", 4) == 0) {
            format = u16(body);
            out.channels = u16(body + 2);
            out.rate = static_cast<int>(u32(body + 4));
            bits = u16(body + 14);
            if (format == 0xFFFE && size >= 26) format = u16(body + 24);
        } else if (std::memcmp(b.data() + at, "data", 4) == 0) {
            const int bytes = bits / 8;
            if (bytes == 0 || out.channels == 0) { error = path + ": data before fmt"; return false; }
            const std::size_t n = size / bytes;
            out.samples.resize(n);
            for (std::size_t i = 0; i < n; ++i) {
                const std::uint8_t* s = body + i * bytes;
                if (format == 3 && bits == 32) { float v; std::memcpy(&v, s, 4); out.samples[i] = v; }
                else if (format == 1 && bits == 16) out.samples[i] = static_cast<std::int16_t>(u16(s)) / 32768.0f;
                else if (format == 1 && bits == 24) {
                    std::int32_t v = s[0] | (s[1] << 8) | (s[2] << 16);
                    if (v & 0x800000) v -= 0x1000000;
                    out.samples[i] = static_cast<float>(v / 8388608.0);
                } else if (format == 1 && bits == 32) out.samples[i] = static_cast<float>(static_cast<std::int32_t>(u32(s)) / 2147483648.0);
                else { error = path + ": unsupported sample format"; return false; }
            }
            return true;
        }
        at += 8 + size + (size & 1);
    }
    error = path + ": no data chunk";
    return false;
}

}  // namespace jbhost
