// End to end against a real `jukebox serve` (tiny random-weight model): the test host loops a 1-second
// region at 48 kHz in 128-sample blocks, presses Generate, keeps looping while the daemon generates (the
// audio must pass through unchanged and process() must not allocate), then plays through the loop end.
// The continuation must land sample-accurately at the loop end: it is compared with the take fetched
// independently with the jukebox CLI (`jukebox fetch JOB --daemon`; resampled 44.1k → 48k), and a one-sample shift must not match.
// Then: switching Variation, the Mix and Input modes, and reopening the project from the saved state in a
// new plugin instance, which fetches the take again and renders it offline (bounce) after waiting for it.
// Then Quality = Preview: a preview of 3 variations, "Upsample selected" on variation 2, and the full take
// playing over its preview at the loop end to the sample (compared with the upsample job fetched with the
// CLI), variation 1 still its preview, and a reopened instance bouncing the full take.
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
#include <string>
#include <thread>
#include <vector>

#include "alloc_counter.h"
#include "daemon_process.h"
#include "dsp/stream_resampler.h"
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

float inputL(std::int64_t pos) { return float(0.3 * std::sin(2 * M_PI * 220.0 * double(pos) / kRate) + 0.1 * std::sin(2 * M_PI * 1375.0 * double(pos) / kRate)); }
float inputR(std::int64_t pos) { return float(0.25 * std::sin(2 * M_PI * 330.0 * double(pos) / kRate)); }

struct Run {
    std::vector<float> inL, inR, outL, outR;   // whole timeline [from, to)
    bool waitingSeen = false;
};

// Plays the timeline linearly over [from, to) (loop off) and records input and output.
Run playLinear(Plugin& p, std::int64_t from, std::int64_t to, int mode, bool countAllocs, std::uint64_t* allocs) {
    Transport t;
    t.looping = false;
    t.pos = from;
    Run r;
    std::vector<float> l(kBlock), rr(kBlock), ol(kBlock), orr(kBlock);
    const float* in[2] = {l.data(), rr.data()};
    float* out[2] = {ol.data(), orr.data()};
    while (t.pos < to) {
        int n = static_cast<int>(std::min<std::int64_t>(kBlock, to - t.pos));
        const auto ctx = t.context(n);
        for (int i = 0; i < n; ++i) { l[i] = inputL(t.pos + i); rr[i] = inputR(t.pos + i); }
        const std::uint64_t before = allocationsCounted();
        countAllocations(countAllocs);
        p.process(in, out, n, &ctx, mode);
        countAllocations(false);
        if (allocs) *allocs += allocationsCounted() - before;
        r.inL.insert(r.inL.end(), l.begin(), l.begin() + n);
        r.inR.insert(r.inR.end(), rr.begin(), rr.begin() + n);
        r.outL.insert(r.outL.end(), ol.begin(), ol.begin() + n);
        r.outR.insert(r.outR.end(), orr.begin(), orr.begin() + n);
        if (p.paramString(10, p.status).find("waiting") != std::string::npos) r.waitingSeen = true;
        t.advance(n);
    }
    return r;
}

// Max |a[off+i] − ref[i]| over n frames.
double maxDiff(const std::vector<float>& a, std::int64_t off, const std::vector<float>& ref, std::int64_t n) {
    double m = 0;
    for (std::int64_t i = 0; i < n; ++i) m = std::max(m, std::fabs(double(a[off + i]) - double(ref[i])));
    return m;
}

std::vector<float> reference(const std::string& wavPath, std::string& error) {
    Wav w;
    if (!readWav(wavPath, w, error)) return {};
    jb::StreamResampler r(w.rate, static_cast<int>(kRate), w.channels);
    r.push(w.samples.data(), w.frames());
    r.finish();
    std::vector<float> out, mono;
    const std::int64_t n = r.pull(out);
    for (std::int64_t i = 0; i < n; ++i) mono.push_back(out[i * w.channels]);
    return mono;
}

// Every take's job id in a saved state, oldest first (layout: src/plugin/state.h, versions 1 and 2).
std::vector<std::string> jobsFromState(const std::vector<std::uint8_t>& s) {
    std::vector<std::string> jobs;
    if (s.size() < 12 || std::memcmp(s.data(), "JBS1", 4) != 0) return jobs;
    std::uint32_t version, np, nt, len;
    std::memcpy(&version, s.data() + 4, 4);
    std::memcpy(&np, s.data() + 8, 4);
    std::size_t at = 12 + 8 * np;
    std::memcpy(&nt, s.data() + at, 4);
    at += 4;
    for (std::uint32_t i = 0; i < nt; ++i) {
        std::memcpy(&len, s.data() + at, 4);
        jobs.emplace_back(reinterpret_cast<const char*>(s.data() + at + 4), len);
        at += 4 + len + 8 + 8 + 8 + 4 + 8 + 8 + 8;
        if (version >= 2) {
            std::uint32_t plen;
            std::memcpy(&plen, s.data() + at + 1 + 4, 4);
            at += 1 + 4 + 4 + plen;
        }
    }
    return jobs;
}

std::string jobFromState(const std::vector<std::uint8_t>& s) {
    const auto jobs = jobsFromState(s);
    return jobs.empty() ? std::string() : jobs.back();
}

// Loops the region until the status says the take is ready (or failed, or the timeout); the audio must
// pass through meanwhile. Returns whether the take became ready.
bool loopUntilReady(Plugin& p, Transport& loop, int timeoutS, const char* what) {
    std::vector<float> l(kBlock), r(kBlock), ol(kBlock), orr(kBlock);
    const float* in[2] = {l.data(), r.data()};
    float* out[2] = {ol.data(), orr.data()};
    const auto start = std::chrono::steady_clock::now();
    auto doneAt = start;
    bool done = false, through = true, working = false;   // "take ready" counts once this job was seen working
    std::string status;
    for (std::uint64_t blocks = 1;; ++blocks) {
        int n = kBlock;
        const auto ctx = loop.context(n);
        for (int i = 0; i < n; ++i) { l[i] = inputL(loop.pos + i); r[i] = inputR(loop.pos + i); }
        p.process(in, out, n, &ctx, v3::kRealtime);
        for (int i = 0; i < n; ++i) through = through && ol[i] == l[i] && orr[i] == r[i];
        loop.advance(n);
        if (blocks % 64 != 0) continue;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        const std::string st = p.paramString(10, p.status);
        if (st != status) {
            status = st;
            std::printf("  %s status: %s (%.1f s)\n", what, st.c_str(),
                        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
            std::fflush(stdout);
        }
        working = working || st.find("generating") != std::string::npos || st.find("submitted") != std::string::npos;
        if (!done && working && st.find("take ready") != std::string::npos) { done = true; doneAt = std::chrono::steady_clock::now(); }
        if (st.find("failed") != std::string::npos) break;
        if (done && std::chrono::steady_clock::now() - doneAt > std::chrono::seconds(2)) break;
        if (std::chrono::steady_clock::now() - start > std::chrono::seconds(timeoutS)) break;
    }
    EXPECT(through, "%s: while looping, the audio passed through unchanged", what);
    return done;
}

}  // namespace

int main() {
    const char* env = std::getenv("JB_JUKEBOX");
    const std::string jukebox = env ? env : JB_JUKEBOX_DEFAULT;
    if (access(jukebox.c_str(), X_OK) != 0) {
        std::printf("SKIP: no jukebox daemon at %s (build the C# CLI, or set JB_JUKEBOX)\n", jukebox.c_str());
        return 77;
    }
    const int timeoutS = std::getenv("JB_E2E_TIMEOUT") ? std::atoi(std::getenv("JB_E2E_TIMEOUT")) : 900;
    char scratchTemplate[] = "/tmp/jb-shim-e2e-XXXXXX";
    const std::string scratch = mkdtemp(scratchTemplate);
    std::printf("scratch %s, daemon %s\n", scratch.c_str(), jukebox.c_str());
    DaemonProcess daemon(jukebox, scratch, "tiny");
    if (!daemon.waitReady(120)) {
        std::printf("FAIL the daemon did not start (see %s/serve.log)\n", scratch.c_str());
        return 1;
    }
    setenv("JUKEBOXBRIDGE_CLIENT_FILE", daemon.clientFile().c_str(), 1);

    Transport loop;   // 120 BPM, loop [0, 2) quarter notes = [0, 48000) samples
    const std::int64_t loopEnd = loop.loopEnd();
    std::int64_t takeFrames = 48000;   // Length 1 s (the daemon rounds it down to whole codes)
    std::vector<std::uint8_t> saved;
    std::vector<float> ref1, ref2;
    {
        Plugin p(findModule());
        p.setup(kRate, kBlock, v3::kRealtime);
        p.inputChanges.set(4, 1.0);         // Length unit: seconds
        p.inputChanges.set(3, 0.0);         // Length: 1
        p.inputChanges.set(6, 1.0 / 7);     // Variations: 2
        p.inputChanges.set(2, 0.0);         // Mode: continuation
        p.inputChanges.set(0, 1.0);         // Generate

        // Loop until the daemon says the take is complete; the audio must pass through meanwhile.
        std::vector<float> l(kBlock), r(kBlock), ol(kBlock), orr(kBlock);
        const float* in[2] = {l.data(), r.data()};
        float* out[2] = {ol.data(), orr.data()};
        bool through = true, sawGenerating = false, sawConnected = false;
        std::uint64_t allocs = 0, blocks = 0;
        const auto start = std::chrono::steady_clock::now();
        auto doneAt = start;
        bool done = false;
        std::string status;
        while (true) {
            int n = kBlock;
            const auto ctx = loop.context(n);
            for (int i = 0; i < n; ++i) { l[i] = inputL(loop.pos + i); r[i] = inputR(loop.pos + i); }
            const std::uint64_t before = allocationsCounted();
            countAllocations(true);
            p.process(in, out, n, &ctx, v3::kRealtime);
            countAllocations(false);
            allocs += allocationsCounted() - before;
            ++blocks;
            for (int i = 0; i < n; ++i) through = through && ol[i] == l[i] && orr[i] == r[i];
            loop.advance(n);
            if (blocks % 64 == 0) {
                std::this_thread::sleep_for(std::chrono::milliseconds(20));
                const std::string s = p.paramString(10, p.status);
                if (s != status) {
                    status = s;
                    std::printf("  status: %s (%.1f s)\n", s.c_str(),
                                std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
                    std::fflush(stdout);
                }
                sawConnected = sawConnected || s.find("connected") != std::string::npos;
                sawGenerating = sawGenerating || s.find("generating") != std::string::npos || s.find("submitted") != std::string::npos;
                if (!done && s.find("take ready") != std::string::npos) { done = true; doneAt = std::chrono::steady_clock::now(); }
                if (s.find("failed") != std::string::npos) break;
                if (done && std::chrono::steady_clock::now() - doneAt > std::chrono::seconds(2)) break;   // let the rings drain
                if (std::chrono::steady_clock::now() - start > std::chrono::seconds(timeoutS)) break;
            }
        }
        EXPECT(sawConnected, "the plugin connected and authenticated to the daemon");
        EXPECT(done, "the daemon generated the take (%s)", status.c_str());
        EXPECT(through, "while looping, the audio passed through unchanged (%llu blocks)", (unsigned long long)blocks);
        EXPECT(allocs == 0, "no allocation or free inside process() over %llu blocks while blocks streamed in (%llu)",
               (unsigned long long)blocks, (unsigned long long)allocs);
        if (!done) return 1;

        const std::string job = jobFromState(p.getState());
        EXPECT(!job.empty(), "the state holds the job id (%s)", job.c_str());
        const std::string fetched = scratch + "/fetched";
        // The CLI's daemon client: `jukebox fetch JOB --daemon ENDPOINT` (older builds: `jukebox remote fetch JOB`).
        int rc = daemon.run("fetch " + job + " --out '" + fetched + "' --daemon " + daemon.endpoint() + " --client '" +
                                daemon.clientFile() + "'", scratch + "/fetch.log");
        if (rc != 0)
            rc = daemon.run("remote fetch " + job + " --out '" + fetched + "' --client '" + daemon.clientFile() + "'",
                            scratch + "/fetch-remote.log");
        EXPECT(rc == 0, "the take fetched independently with the jukebox CLI (job %s)", job.c_str());
        std::string error;
        ref1 = reference(fetched + "/continuation-1.wav", error);
        ref2 = reference(fetched + "/continuation-2.wav", error);
        EXPECT(ref1.size() > 40000 && ref1.size() == ref2.size(), "both variations fetched (%zu, %zu frames at 48 kHz) %s",
               ref1.size(), ref2.size(), error.c_str());
        if (ref1.size() <= 40000 || ref2.size() != ref1.size()) return 1;
        takeFrames = static_cast<std::int64_t>(std::min<std::size_t>(ref1.size(), 48000));
        double energy = 0;
        for (std::int64_t i = 0; i < takeFrames; ++i) energy += ref1[i] * ref1[i];
        EXPECT(energy > 1e-6, "the take is not silent (energy %.3g)", energy);

        // Play through the loop end: input before it, variation 1 from it, sample-accurately.
        const std::int64_t from = loopEnd - 4800;
        std::uint64_t allocs2 = 0;
        Run a = playLinear(p, from, loopEnd + takeFrames + 4800, v3::kRealtime, true, &allocs2);
        const std::int64_t at = loopEnd - from;
        EXPECT(maxDiff(a.outL, 0, a.inL, at) == 0 && maxDiff(a.outR, 0, a.inR, at) == 0,
               "before the loop end the input plays unchanged");
        const double d0 = maxDiff(a.outL, at, ref1, takeFrames), d0r = maxDiff(a.outR, at, ref1, takeFrames);
        const double dShiftEarly = maxDiff(a.outL, at - 1, ref1, takeFrames);
        const double dShiftLate = maxDiff(a.outL, at + 1, ref1, takeFrames - 1);
        std::printf("  |plugin − fetched take| at the loop end: %.3g (L) %.3g (R); shifted by −1: %.3g, +1: %.3g\n", d0, d0r,
                    dShiftEarly, dShiftLate);
        EXPECT(d0 < 1e-4 && d0r < 1e-4, "variation 1 starts exactly at the loop end (sample %lld) and matches the take",
               (long long)loopEnd);
        EXPECT(dShiftEarly > 100 * std::max(d0, 1e-6) && dShiftLate > 100 * std::max(d0, 1e-6),
               "a one-sample shift would not match (the check is sample-accurate)");
        EXPECT(!a.waitingSeen, "no 'waiting' once the take had arrived");
        bool after = true;
        for (int i = 0; i < 4800; ++i) after = after && a.outL[at + takeFrames + i] == a.inL[at + takeFrames + i];
        EXPECT(after, "after the take the input plays again");
        EXPECT(allocs2 == 0, "no allocation in process() during playback");

        // Variation 2, instantly.
        p.inputChanges.set(7, 1.0 / 7);
        Run b = playLinear(p, loopEnd, loopEnd + takeFrames, v3::kRealtime, false, nullptr);
        const double d2 = maxDiff(b.outL, 0, ref2, takeFrames), d21 = maxDiff(b.outL, 0, ref1, takeFrames);
        EXPECT(d2 < 1e-4 && d21 > 1e-3, "Variation 2 plays the second take (diff %.3g; to the first: %.3g)", d2, d21);

        // Mix (Dry/Wet 0.5) and Input modes.
        p.inputChanges.set(7, 0.0);
        p.inputChanges.set(2, 0.5);
        p.inputChanges.set(9, 0.5);
        Run m = playLinear(p, loopEnd, loopEnd + takeFrames, v3::kRealtime, false, nullptr);
        double dm = 0;
        for (std::int64_t i = 0; i < takeFrames; ++i) dm = std::max(dm, std::fabs(m.outL[i] - (0.5 * m.inL[i] + 0.5 * ref1[i])));
        EXPECT(dm < 1e-4, "Mix: half input, half take (diff %.3g)", dm);
        p.inputChanges.set(2, 1.0);
        Run inOnly = playLinear(p, loopEnd, loopEnd + takeFrames, v3::kRealtime, false, nullptr);
        EXPECT(maxDiff(inOnly.outL, 0, inOnly.inL, takeFrames) == 0, "Input: the take is muted");
        p.inputChanges.set(2, 0.0);
        playLinear(p, 0, kBlock, v3::kRealtime, false, nullptr);   // deliver the change
        saved = p.getState();
    }

    // Reopen the project: a new instance gets the saved state, fetches the take again and bounces it.
    {
        Plugin q(findModule());
        EXPECT(q.setState(saved), "a new instance accepts the saved state");
        q.setup(kRate, kBlock, v3::kOffline);
        const auto t0 = std::chrono::steady_clock::now();
        Run o = playLinear(q, loopEnd - 1280, loopEnd + takeFrames, v3::kOffline, false, nullptr);
        const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        const double d = maxDiff(o.outL, 1280, ref1, takeFrames);
        EXPECT(d < 1e-4, "after reopening, an offline bounce renders the re-fetched take at the loop end (diff %.3g, %.1f s)", d, secs);
        EXPECT(maxDiff(o.outL, 0, o.inL, 1280) == 0, "and the input before it");
    }
    // Preview, then upsample the chosen variation: the full take replaces its preview at the same place.
    {
        Transport loop2;
        std::vector<std::uint8_t> state;
        std::vector<float> prev1, prev2, full2;
        {
            Plugin p(findModule());
            p.setup(kRate, kBlock, v3::kRealtime);
            p.inputChanges.set(4, 1.0);          // Length unit: seconds
            p.inputChanges.set(3, 0.0);          // Length: 1
            p.inputChanges.set(6, 2.0 / 7);      // Variations: 3
            p.inputChanges.set(11, 1.0);         // Quality: Preview
            p.inputChanges.set(0, 1.0);          // Generate
            const bool previewReady = loopUntilReady(p, loop2, timeoutS, "preview");
            EXPECT(previewReady, "the preview of 3 variations was generated");
            if (!previewReady) return 1;
            const std::string previewJob = jobFromState(p.getState());
            const std::string fetched = scratch + "/preview";
            int rc = daemon.run("fetch " + previewJob + " --out '" + fetched + "' --daemon " + daemon.endpoint() + " --client '" +
                                    daemon.clientFile() + "'", scratch + "/fetch-preview.log");
            std::string error;
            prev1 = reference(fetched + "/continuation-1.wav", error);
            prev2 = reference(fetched + "/continuation-2.wav", error);
            EXPECT(rc == 0 && prev2.size() >= std::size_t(takeFrames), "the preview fetched with the CLI (%zu frames) %s", prev2.size(), error.c_str());
            if (prev2.size() < std::size_t(takeFrames)) return 1;
            Run a = playLinear(p, loopEnd, loopEnd + takeFrames, v3::kRealtime, false, nullptr);
            EXPECT(maxDiff(a.outL, 0, prev1, takeFrames) < 1e-4, "the preview's variation 1 plays at the loop end");

            // Variation 2, Upsample selected: the daemon upsamples it; the plugin lays it over the preview.
            p.inputChanges.set(7, 1.0 / 7);      // Variation: 2
            p.inputChanges.set(12, 1.0);         // Upsample selected
            playLinear(p, 0, kBlock, v3::kRealtime, false, nullptr);
            p.inputChanges.set(12, 0.0);
            const bool upReady = loopUntilReady(p, loop2, timeoutS, "upsample");
            EXPECT(upReady, "the upsample of variation 2 was generated");
            if (!upReady) return 1;
            const auto jobs = jobsFromState(p.getState());
            EXPECT(jobs.size() == 2 && jobs[0] == previewJob && jobs[1] != previewJob, "the state remembers the preview and its upsample");
            const std::string upFetched = scratch + "/upsample";
            rc = daemon.run("fetch " + jobs.back() + " --out '" + upFetched + "' --daemon " + daemon.endpoint() + " --client '" +
                                daemon.clientFile() + "'", scratch + "/fetch-upsample.log");
            full2 = reference(upFetched + "/continuation-1.wav", error);
            EXPECT(rc == 0 && full2.size() >= std::size_t(takeFrames), "the upsample fetched with the CLI (%zu frames) %s", full2.size(), error.c_str());
            if (full2.size() < std::size_t(takeFrames)) return 1;
            std::uint64_t allocs = 0;
            Run b = playLinear(p, loopEnd - 480, loopEnd + takeFrames, v3::kRealtime, true, &allocs);
            const double dFull = maxDiff(b.outL, 480, full2, takeFrames), dPrev = maxDiff(b.outL, 480, prev2, takeFrames);
            const double dShift = maxDiff(b.outL, 481, full2, takeFrames - 1);
            std::printf("  |plugin − upsampled take| %.3g, to the preview %.3g, shifted by one sample %.3g\n", dFull, dPrev, dShift);
            EXPECT(dFull < 1e-4 && dPrev > 1e-3, "variation 2 now plays the full take, not its preview, from the loop end");
            EXPECT(dShift > 100 * std::max(dFull, 1e-6), "at the preview's position, to the sample");
            EXPECT(maxDiff(b.outL, 0, b.inL, 480) == 0, "the input before the loop end");
            EXPECT(allocs == 0, "no allocation in process() with an upsample laid over the preview");
            p.inputChanges.set(7, 0.0);          // Variation 1: still its preview
            Run c = playLinear(p, loopEnd, loopEnd + takeFrames, v3::kRealtime, false, nullptr);
            EXPECT(maxDiff(c.outL, 0, prev1, takeFrames) < 1e-4, "variation 1 keeps its preview");
            p.inputChanges.set(7, 1.0 / 7);
            playLinear(p, 0, kBlock, v3::kRealtime, false, nullptr);
            state = p.getState();
        }
        // Reopen: both jobs are fetched again; the bounce renders the full take of variation 2.
        Plugin q(findModule());
        EXPECT(q.setState(state), "a new instance accepts the state with a preview and its upsample");
        q.setup(kRate, kBlock, v3::kOffline);
        Run o = playLinear(q, loopEnd - 1280, loopEnd + takeFrames, v3::kOffline, false, nullptr);
        const double d = maxDiff(o.outL, 1280, full2, takeFrames);
        EXPECT(d < 1e-4, "after reopening, the bounce renders the upsampled take over the preview (diff %.3g)", d);
    }
    std::printf("%d failed\n", failures);
    return failures == 0 ? 0 : 1;
}
