// A user style with lyrics, from the CLI to the sampler through the plugin, against a real `jukebox serve` on
// the tiny lyrics model (random weights): `jukebox styles add` stores the style in the daemon user's config;
// after auth the daemon offers it, the plugin's Style parameter lists it by name in the daemon's slots (the
// controller asks the host to re-read the titles), choosing it and pressing Generate submits its artist,
// genre and lyrics, and the job's lyric tokens (codes.safetensors, lyrics/level_2) are the lyrics' tokens in
// the model's vocabulary; a lyrics model's job also writes lyrics-1.mid and alignment-1.png.
// Then "Export takes": the take lands in the takes folder as take-1.wav, 24-bit at the host rate, its BWF
// time reference the loop end and its description naming the job and the style, holding what the plugin plays.
//
// Needs the daemon: $JB_JUKEBOX, else the CMake default (the C# CLI's Debug build). Without it the test is
// reported as skipped (exit 77), never as passed.
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "common/json.h"
#include "daemon_process.h"
#include "host.h"
#include "wav.h"

using namespace jbhost;

namespace {

int failures = 0;
#define EXPECT(cond, ...)                                                        \
    do {                                                                         \
        if (cond) std::printf("PASS ");                                          \
        else { std::printf("FAIL "); ++failures; }                               \
        std::printf(__VA_ARGS__);                                                \
        std::printf("\n");                                                       \
        std::fflush(stdout);                                                     \
    } while (0)

constexpr double kRate = 48000;
constexpr int kBlock = 128;
constexpr v3::ParamID kStyle = 8, kStatus = 10;

// The v2 lyrics vocabulary (the reference's TextProcessor for 5b_lyrics; ours): id = position + 1.
const std::string kVocabV2 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789.,:;!?-+'\"()[] \t\n";

bool exists(const std::string& path) { struct stat st; return stat(path.c_str(), &st) == 0 && st.st_size > 0; }

std::string readAll(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    std::stringstream s;
    s << f.rdbuf();
    return s.str();
}

// Row 0 of an int64 tensor in a safetensors file (8-byte header length, JSON header, data); empty when absent.
std::vector<std::int64_t> safetensorsRow0(const std::string& path, const std::string& name, std::string& why) {
    const std::string bytes = readAll(path);
    std::uint64_t n = 0;
    if (bytes.size() < 8) { why = "no file"; return {}; }
    std::memcpy(&n, bytes.data(), 8);
    if (n > bytes.size() - 8) { why = "bad header length"; return {}; }
    try {
        const jb::json::Value h = jb::json::parse(bytes.substr(8, n));
        const jb::json::Value* t = h.find(name);
        if (t == nullptr) { why = "no tensor " + name; return {}; }
        if (t->getString("dtype") != "I64") { why = "dtype " + t->getString("dtype"); return {}; }
        const jb::json::Value* shape = t->find("shape");
        const jb::json::Value* off = t->find("data_offsets");
        if (!shape || shape->items.size() != 2 || !off || off->items.size() != 2) { why = "bad shape"; return {}; }
        const std::int64_t cols = shape->items[1].integer;
        const std::uint64_t begin = 8 + n + std::uint64_t(off->items[0].integer);
        if (begin + std::uint64_t(cols) * 8 > bytes.size()) { why = "data out of range"; return {}; }
        std::vector<std::int64_t> row(static_cast<std::size_t>(cols));
        std::memcpy(row.data(), bytes.data() + begin, row.size() * 8);
        return row;
    } catch (const jb::json::ParseError& e) {
        why = e.what();
        return {};
    }
}

// A WAV's bext chunk: its time reference and description (false when it has none).
bool readBext(const std::string& path, std::uint64_t& timeRef, std::string& description) {
    const std::string b = readAll(path);
    for (std::size_t at = 12; at + 8 <= b.size();) {
        std::uint32_t size = 0;
        std::memcpy(&size, b.data() + at + 4, 4);
        if (b.compare(at, 4, "bext") == 0 && size >= 346 && at + 8 + size <= b.size()) {
            const char* body = b.data() + at + 8;
            description.assign(body, strnlen(body, 256));
            std::uint32_t lo, hi;
            std::memcpy(&lo, body + 338, 4);
            std::memcpy(&hi, body + 342, 4);
            timeRef = (std::uint64_t(hi) << 32) | lo;
            return true;
        }
        at += 8 + size + (size & 1);
    }
    return false;
}

// Runs blocks of the loop (audio passes through) until the status contains `what` or the timeout.
bool loopUntil(Plugin& p, Transport& loop, const char* what, int timeoutS, std::string& status) {
    std::vector<float> l(kBlock, 0.1f), r(kBlock, 0.1f), ol(kBlock), orr(kBlock);
    const float* in[2] = {l.data(), r.data()};
    float* out[2] = {ol.data(), orr.data()};
    const auto start = std::chrono::steady_clock::now();
    bool working = std::strcmp(what, "take ready") != 0;
    for (std::uint64_t blocks = 1;; ++blocks) {
        int n = kBlock;
        const auto ctx = loop.context(n);
        for (int i = 0; i < n; ++i) l[i] = r[i] = float(0.3 * std::sin(2 * M_PI * 220.0 * double(loop.pos + i) / kRate));
        p.process(in, out, n, &ctx, v3::kRealtime);
        loop.advance(n);
        if (blocks % 64 != 0) continue;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        const std::string st = p.paramString(kStatus, p.status);
        if (st != status) {
            status = st;
            if (st.find("generating") != std::string::npos) continue;
            std::printf("  status: %s (%.1f s)\n", st.c_str(), std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
            std::fflush(stdout);
        }
        working = working || st.find("generating") != std::string::npos || st.find("submitted") != std::string::npos;
        if (working && st.find(what) != std::string::npos) return true;
        if (st.find("failed") != std::string::npos) return false;
        if (std::chrono::steady_clock::now() - start > std::chrono::seconds(timeoutS)) return false;
    }
}

}  // namespace

int main() {
    const char* env = std::getenv("JB_JUKEBOX");
    const std::string jukebox = env ? env : JB_JUKEBOX_DEFAULT;
    if (access(jukebox.c_str(), X_OK) != 0) {
        std::printf("SKIP: no jukebox daemon at %s (build the C# CLI, or set JB_JUKEBOX)\n", jukebox.c_str());
        return 77;
    }
    const int timeoutS = std::getenv("JB_E2E_TIMEOUT") ? std::atoi(std::getenv("JB_E2E_TIMEOUT")) : 600;
    char scratchTemplate[] = "/tmp/jb-shim-styles-XXXXXX";
    const std::string scratch = mkdtemp(scratchTemplate);
    std::printf("scratch %s, daemon %s\n", scratch.c_str(), jukebox.c_str());

    // The daemon user's style, added with the CLI (the daemon's config folder is scratch/cfg).
    const std::string lyrics = "Hey now, sing it loud\nla la la (oh)";
    { std::ofstream(scratch + "/lyrics.txt") << lyrics; }
    for (const char* d : {"/cfg", "/home"}) mkdir((scratch + d).c_str(), 0700);
    const std::string env2 = "XDG_CONFIG_HOME='" + scratch + "/cfg' HOME='" + scratch + "/home' '" + jukebox + "' ";
    int rc = std::system((env2 + "styles add 'Sung rock' --artist brass_city --genre rock --lyrics '" + scratch +
                          "/lyrics.txt' --model tiny_lyrics > '" + scratch + "/styles-add.log' 2>&1").c_str());
    EXPECT(rc == 0, "jukebox styles add 'Sung rock' --lyrics ... --model tiny_lyrics (see %s/styles-add.log)", scratch.c_str());
    rc = std::system((env2 + "styles add 'Plain waltz' --artist velvet --genre ambient --model tiny_lyrics > '" + scratch +
                      "/styles-add2.log' 2>&1").c_str());
    EXPECT(rc == 0, "and a second style without lyrics");

    DaemonProcess daemon(jukebox, scratch, "tiny_lyrics");
    if (!daemon.waitReady(120)) {
        std::printf("FAIL the daemon did not start (see %s/serve.log)\n", scratch.c_str());
        return 1;
    }
    setenv("JUKEBOXBRIDGE_CLIENT_FILE", daemon.clientFile().c_str(), 1);
    const std::string takesDir = scratch + "/takes";
    setenv("JUKEBOXBRIDGE_TAKES", takesDir.c_str(), 1);

    Plugin p(findModule());
    const int steps = p.parameterInfo(kStyle).stepCount;
    auto entry = [&](int i) { return p.paramString(kStyle, double(i) / steps); };
    int bundled = 0;
    while (bundled <= steps && entry(bundled).rfind("Daemon style", 0) != 0) ++bundled;
    EXPECT(bundled > 1 && bundled <= steps && entry(bundled) == "Daemon style 1 (none)",
           "before the daemon answers, the Style list is the bundle's %d entries and empty daemon slots (%s)", bundled,
           entry(bundled).c_str());
    p.setup(kRate, kBlock, v3::kRealtime);
    p.inputChanges.set(4, 1.0);   // Length unit: seconds
    p.inputChanges.set(3, 0.0);   // Length: 1
    Transport loop;
    std::string status;
    const bool connected = loopUntil(p, loop, "connected", 120, status);
    EXPECT(connected, "the plugin authenticated to the daemon (%s)", status.c_str());
    if (!connected) return 1;

    // The daemon's styles, by name, in its slots; the host was asked to re-read the titles.
    int sung = -1, plain = -1;
    for (int i = bundled; i <= steps; ++i) {
        if (entry(i) == "Sung rock") sung = i;
        if (entry(i) == "Plain waltz") plain = i;
    }
    EXPECT(sung >= bundled && plain >= bundled, "the Style parameter lists the user's styles: 'Sung rock' at %d, 'Plain waltz' at %d", sung, plain);
    EXPECT(p.handler.titleRestarts >= 1, "the controller asked the host to re-read the parameter titles (%d times)", p.handler.titleRestarts);
    double parsed = -1;
    {
        v3::TChar text[128] = {};
        const char* name = "Sung rock";
        for (int i = 0; name[i]; ++i) text[i] = static_cast<v3::TChar>(name[i]);
        p.controller->getParamValueByString(kStyle, text, &parsed);
    }
    EXPECT(sung >= 0 && std::fabs(parsed - double(sung) / steps) < 1e-9, "and reads its name back to the same value");
    if (sung < 0) return 1;

    // Choose it and generate: its artist, genre and lyrics travel with the submit.
    p.inputChanges.set(kStyle, double(sung) / steps);
    p.inputChanges.set(0, 1.0);   // Generate
    const bool ready = loopUntil(p, loop, "take ready", timeoutS, status);
    EXPECT(ready, "the daemon generated the take in the user's style (%s)", status.c_str());
    if (!ready) return 1;
    std::string job;
    for (int i = 0; i < 50 && job.empty(); ++i) {
        // The newest job folder of this client.
        FILE* ls = popen(("ls -t '" + scratch + "/jobs/local' 2>/dev/null | head -n 1").c_str(), "r");
        char buf[256] = {};
        if (ls && std::fgets(buf, sizeof buf, ls)) job = buf;
        if (ls) pclose(ls);
        while (!job.empty() && (job.back() == '\n' || job.back() == '\r')) job.pop_back();
        if (job.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    const std::string folder = scratch + "/jobs/local/" + job;
    EXPECT(!job.empty(), "the job's folder (%s)", folder.c_str());
    try {
        const jb::json::Value settings = jb::json::parseFile(folder + "/settings.json");
        std::string artist, genre, lyricsSent;
        // settings.json: the job's settings (artist, genre, lyrics), at the top level or under "settings".
        const jb::json::Value& s = settings.find("settings") ? *settings.find("settings") : settings;
        artist = s.getString("artist");
        genre = s.getString("genre");
        lyricsSent = s.getString("lyrics");
        EXPECT(artist == "brass_city" && genre == "rock", "the job was conditioned on the style's artist and genre (%s, %s)",
               artist.c_str(), genre.c_str());
        EXPECT(lyricsSent == lyrics, "the job holds the style's lyrics");
    } catch (const jb::json::ParseError& e) {
        EXPECT(false, "settings.json: %s", e.what());
    }
    std::string why;
    const auto tokens = safetensorsRow0(folder + "/codes.safetensors", "lyrics/level_2", why);
    std::vector<std::int64_t> want;
    for (char c : lyrics) {
        const auto at = kVocabV2.find(c);
        if (at != std::string::npos) want.push_back(std::int64_t(at) + 1);
    }
    bool same = tokens.size() == want.size();
    for (std::size_t i = 0; same && i < want.size(); ++i) same = tokens[i] == want[i];
    EXPECT(same, "the sampler's lyric tokens are the style's lyrics in the model's vocabulary (%zu tokens, want %zu) %s",
           tokens.size(), want.size(), why.c_str());
    EXPECT(exists(folder + "/lyrics-1.mid") && exists(folder + "/alignment-1.png"),
           "the lyrics model's job wrote lyrics-1.mid and alignment-1.png");

    // Export takes: the take as a BWF WAV that belongs at the loop end.
    p.inputChanges.set(13, 1.0);
    const bool exported = loopUntil(p, loop, "takes exported", 60, status);
    p.inputChanges.set(13, 0.0);
    const std::string wavPath = takesDir + "/" + job + "/take-1.wav";
    EXPECT(exported && status.find(takesDir + "/" + job) != std::string::npos, "the status says where the takes went (%s)", status.c_str());
    std::uint64_t timeRef = 0;
    std::string description;
    EXPECT(readBext(wavPath, timeRef, description), "take-1.wav carries a bext chunk");
    EXPECT(timeRef == std::uint64_t(loop.loopEnd()), "its time reference is the loop end (%llu, loop end %lld)", (unsigned long long)timeRef,
           (long long)loop.loopEnd());
    EXPECT(description.find(job) != std::string::npos && description.find("Sung rock") != std::string::npos,
           "its description names the job and the style (%s)", description.c_str());
    const std::string header = readAll(wavPath).substr(0, 64);
    std::uint16_t bits = 0;
    std::uint32_t rate = 0;
    if (header.size() >= 36) { std::memcpy(&rate, header.data() + 24, 4); std::memcpy(&bits, header.data() + 34, 2); }
    EXPECT(bits == 24 && rate == 48000, "24-bit at the host rate (%u bits, %u Hz)", unsigned(bits), unsigned(rate));
    Wav w;
    std::string werr;
    EXPECT(readWav(wavPath, w, werr) && w.frames() > 40000, "it reads back (%lld frames) %s", (long long)w.frames(), werr.c_str());
    // What the plugin plays from the loop end, against the file (24-bit rounding: 2^-23).
    {
        Transport lin;
        lin.looping = false;
        lin.pos = loop.loopEnd();
        std::vector<float> l(kBlock, 0.f), r(kBlock, 0.f), ol(kBlock), orr(kBlock);
        const float* in[2] = {l.data(), r.data()};
        float* out[2] = {ol.data(), orr.data()};
        double worst = 0;
        std::int64_t compared = 0;
        while (compared + kBlock <= w.frames()) {
            int n = kBlock;
            const auto ctx = lin.context(n);
            p.process(in, out, n, &ctx, v3::kRealtime);
            for (int i = 0; i < n; ++i) worst = std::max(worst, std::fabs(double(ol[i]) - double(w.samples[(compared + i) * w.channels])));
            compared += n;
            lin.advance(n);
        }
        EXPECT(compared > 40000 && worst <= 1.0 / 8388608 + 1e-9, "the file holds the audio the plugin plays from the loop end (max diff %.3g over %lld frames)",
               worst, (long long)compared);
    }
    std::printf("%d failed\n", failures);
    return failures == 0 ? 0 : 1;
}
