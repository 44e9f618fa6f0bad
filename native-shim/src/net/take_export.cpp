#include "net/take_export.h"

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <ctime>


namespace jb {
namespace {

void u16(std::vector<std::uint8_t>& b, std::uint32_t v) { b.push_back(std::uint8_t(v)); b.push_back(std::uint8_t(v >> 8)); }
void u32(std::vector<std::uint8_t>& b, std::uint32_t v) { u16(b, v & 0xffff); u16(b, v >> 16); }
void tag(std::vector<std::uint8_t>& b, const char* t) { b.insert(b.end(), t, t + 4); }
void text(std::vector<std::uint8_t>& b, const std::string& s, std::size_t n) {   // fixed field, NUL padded
    for (std::size_t i = 0; i < n; ++i) b.push_back(i < s.size() ? std::uint8_t(s[i]) : 0);
}

}  // namespace

bool writeBwfWav24(const std::string& path, int rate, const ExportedTake& take, std::uint64_t timeReference,
                   const std::string& description, std::string* error) {
    const int ch = take.channels < 1 ? 1 : take.channels;
    const std::uint64_t frames = take.samples.size() / std::size_t(ch);
    const std::uint64_t dataBytes = frames * std::uint64_t(ch) * 3;
    if (dataBytes > 0xffffffffull - 1024) { if (error) *error = "take too long for a WAV file"; return false; }

    std::vector<std::uint8_t> bext;
    text(bext, description, 256);
    text(bext, "JukeboxBridge", 32);                         // originator
    text(bext, "", 32);                                      // originator reference
    std::time_t now = std::time(nullptr);
    std::tm tm{};
#if defined(_WIN32)
    localtime_s(&tm, &now);
#else
    localtime_r(&now, &tm);
#endif
    char date[32], clock[32];
    std::snprintf(date, sizeof date, "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
    std::snprintf(clock, sizeof clock, "%02d:%02d:%02d", tm.tm_hour, tm.tm_min, tm.tm_sec);
    text(bext, date, 10);
    text(bext, clock, 8);
    u32(bext, std::uint32_t(timeReference & 0xffffffffu));  // time reference, low then high
    u32(bext, std::uint32_t(timeReference >> 32));
    u16(bext, 1);                                            // version
    bext.insert(bext.end(), 64 + 10 + 180, 0);               // UMID, loudness (v2 fields, zero), reserved

    std::vector<std::uint8_t> h;
    tag(h, "RIFF");
    u32(h, std::uint32_t(4 + (8 + 16) + (8 + bext.size()) + (8 + dataBytes + (dataBytes & 1))));
    tag(h, "WAVE");
    tag(h, "fmt ");
    u32(h, 16);
    u16(h, 1);                                               // PCM
    u16(h, std::uint32_t(ch));
    u32(h, std::uint32_t(rate));
    u32(h, std::uint32_t(rate) * std::uint32_t(ch) * 3);
    u16(h, std::uint32_t(ch) * 3);
    u16(h, 24);
    tag(h, "bext");
    u32(h, std::uint32_t(bext.size()));
    h.insert(h.end(), bext.begin(), bext.end());
    tag(h, "data");
    u32(h, std::uint32_t(dataBytes));

    std::vector<std::uint8_t> pcm;
    pcm.reserve(std::size_t(dataBytes) + 1);
    for (float f : take.samples) {
        double v = std::isfinite(f) ? double(f) : 0.0;
        long q = std::lround(v * 8388608.0);
        if (q > 8388607) q = 8388607;
        if (q < -8388608) q = -8388608;
        const std::uint32_t u = std::uint32_t(q) & 0xffffffu;
        pcm.push_back(std::uint8_t(u));
        pcm.push_back(std::uint8_t(u >> 8));
        pcm.push_back(std::uint8_t(u >> 16));
    }
    if (dataBytes & 1) pcm.push_back(0);

    const std::string tmp = path + ".part";
    std::FILE* f = std::fopen(tmp.c_str(), "wb");
    if (f == nullptr) { if (error) *error = "cannot write " + tmp + ": " + std::strerror(errno); return false; }
    const bool ok = std::fwrite(h.data(), 1, h.size(), f) == h.size() && std::fwrite(pcm.data(), 1, pcm.size(), f) == pcm.size();
    const bool closed = std::fclose(f) == 0;
    if (!ok || !closed || std::rename(tmp.c_str(), path.c_str()) != 0) {
        if (error) *error = "cannot write " + path + ": " + std::strerror(errno);
        std::remove(tmp.c_str());
        return false;
    }
    return true;
}

}  // namespace jb
