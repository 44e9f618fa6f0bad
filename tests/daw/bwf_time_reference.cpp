// bwf-time-reference FILE.wav: prints the BWF time reference and description of a WAV as libsndfile reads
// them (SFC_GET_BROADCAST_INFO), the library and the call Ardour's import uses for "at the file's timestamp".
// libsndfile is loaded at run time (libsndfile.so.1, which Ardour links), so no development package is needed.
// Prints "TIME_REFERENCE N" and "DESCRIPTION ..."; exit status 1 when the file has no broadcast info.
#include <dlfcn.h>

#include <cstdint>
#include <cstdio>

namespace {
struct SfInfo { std::int64_t frames; int samplerate, channels, format, sections, seekable; };
struct SfBroadcastInfo {   // libsndfile's SF_BROADCAST_INFO (sndfile.h), coding history of 256 bytes
    char description[256];
    char originator[32];
    char originator_reference[32];
    char origination_date[10];
    char origination_time[8];
    std::uint32_t time_reference_low, time_reference_high;
    short version;
    char umid[64];
    std::int16_t loudness_value, loudness_range, max_true_peak_level, max_momentary_loudness, max_shortterm_loudness;
    char reserved[180];
    std::uint32_t coding_history_size;
    char coding_history[256];
};
constexpr int kSfmRead = 0x10, kSfcGetBroadcastInfo = 0x10F0, kSfTrue = 1;
}  // namespace

int main(int argc, char** argv) {
    if (argc != 2) { std::fprintf(stderr, "usage: bwf-time-reference FILE.wav\n"); return 2; }
    void* lib = dlopen("libsndfile.so.1", RTLD_NOW);
    if (!lib) { std::printf("NO_LIBSNDFILE %s\n", dlerror()); return 2; }
    auto open = reinterpret_cast<void* (*)(const char*, int, SfInfo*)>(dlsym(lib, "sf_open"));
    auto command = reinterpret_cast<int (*)(void*, int, void*, int)>(dlsym(lib, "sf_command"));
    auto close = reinterpret_cast<int (*)(void*)>(dlsym(lib, "sf_close"));
    if (!open || !command || !close) { std::printf("NO_LIBSNDFILE symbols\n"); return 2; }
    SfInfo info{};
    void* f = open(argv[1], kSfmRead, &info);
    if (!f) { std::printf("UNREADABLE %s\n", argv[1]); return 1; }
    SfBroadcastInfo bi{};
    const int found = command(f, kSfcGetBroadcastInfo, &bi, sizeof bi);
    close(f);
    std::printf("RATE %d CHANNELS %d FRAMES %lld\n", info.samplerate, info.channels, static_cast<long long>(info.frames));
    if (found != kSfTrue) { std::printf("NO_BROADCAST_INFO\n"); return 1; }
    const std::uint64_t ref = (std::uint64_t(bi.time_reference_high) << 32) | bi.time_reference_low;
    bi.description[255] = 0;
    std::printf("TIME_REFERENCE %llu\nDESCRIPTION %s\n", static_cast<unsigned long long>(ref), bi.description);
    return 0;
}
