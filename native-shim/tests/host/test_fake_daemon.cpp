// With the in-process fake daemon (bench/fake_daemon; the real daemon is in test_daemon_e2e).
// 1. What a submit carries: the captured loop (stereo, host rate) and the settings, the length converted
//    from bars with the host's tempo and time signature, the style preset's artist/genre as the daemon
//    names them.
// 2. Reconnection: the daemon stops answering in the
// middle of a take; the plugin notices, reconnects to the daemon named by the client file (re-read at each
// attempt: here a second daemon that knows the job, as after a restart), fetches the remaining blocks from
// where it stopped, and the whole take plays continuously after the loop end. Audio passes through all along.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "../unit/check.h"
#include "alloc_counter.h"
#include "fake_daemon.h"
#include "host.h"

using namespace jbhost;
using Clock = std::chrono::steady_clock;

TEST(a_submit_carries_the_loop_and_the_settings) {
    char tmpl[] = "/tmp/jb-submit-XXXXXX";
    const std::string dir = mkdtemp(tmpl);
    const std::string client = dir + "/client.json";
    jbbench::FakeDaemon d(1.0, 0.25, 20, 3);
    d.offerStyles({"Aurora", "Grit"}, {"Ambient", "Rock"});   // the daemon's spelling wins
    d.writeClientFile(client);
    setenv("JUKEBOXBRIDGE_CLIENT_FILE", client.c_str(), 1);
    Plugin p(findModule());
    p.setup(44100, 128, v3::kRealtime);
    const int styles = p.parameterInfo(8).stepCount;
    int grit = -1;
    for (int i = 0; i <= styles; ++i)
        if (p.paramString(8, double(i) / styles) == "Grit rock") grit = i;
    CHECK(grit > 0);
    p.inputChanges.set(8, double(grit) / styles);   // Style: Grit rock
    p.inputChanges.set(3, 1.0 / 63);                // Length 2 (bars)
    p.inputChanges.set(6, 2.0 / 7);                 // Variations 3
    p.inputChanges.set(5, (0.9 - 0.5) / 0.7);       // Temperature 0.90
    p.inputChanges.set(0, 1.0);                     // Generate
    Transport t;
    t.sampleRate = 44100;
    t.tempo = 90;              // 3/4 below: 2 bars = 6 quarters = 4 s at 90 BPM
    t.loopStartQ = 1;
    t.loopEndQ = 3;            // 2 quarters = 1.333 s = 58800 frames
    std::vector<float> l(128), r(128), ol(128), orr(128);
    const float* in[2] = {l.data(), r.data()};
    float* out[2] = {ol.data(), orr.data()};
    const auto start = Clock::now();
    while (!d.lastSubmit().seen && Clock::now() - start < std::chrono::seconds(10)) {
        int n = 128;
        auto ctx = t.context(n);
        ctx.timeSigNumerator = 3;
        ctx.timeSigDenominator = 4;
        for (int i = 0; i < n; ++i) { l[i] = 0.1f; r[i] = -0.1f; }
        p.process(in, out, n, &ctx, v3::kRealtime);
        t.advance(n);
        if (t.pos == t.loopStart()) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    const auto s = d.lastSubmit();
    CHECK(s.seen);
    CHECK_NEAR(s.seconds, 4.0, 1e-9);
    CHECK_EQ(s.variations, std::int64_t(3));
    CHECK_NEAR(s.temperature, 0.9, 1e-9);
    CHECK_EQ(s.artist, std::string("Grit"));
    CHECK_EQ(s.genre, std::string("Rock"));
    CHECK_NEAR(s.promptRate, 44100, 0);
    CHECK_EQ(s.promptChannels, std::int64_t(2));
    CHECK_EQ(s.promptFrames, std::int64_t(58800));
    CHECK_EQ(s.pcmBytes, std::int64_t(58800 * 2 * 4));
}

TEST(the_plugin_reconnects_and_fetches_the_rest_of_the_take) {
    char tmpl[] = "/tmp/jb-reconnect-XXXXXX";
    const std::string dir = mkdtemp(tmpl);
    const std::string client = dir + "/client.json";
    auto a = std::make_unique<jbbench::FakeDaemon>(3.0, 0.25, 150, 1);   // 12 blocks, one every 150 ms
    a->writeClientFile(client);
    setenv("JUKEBOXBRIDGE_CLIENT_FILE", client.c_str(), 1);

    Plugin p(findModule());
    p.setup(48000, 256, v3::kRealtime);
    p.inputChanges.set(4, 1.0);            // seconds
    p.inputChanges.set(3, 2.0 / 63);       // Length 3
    p.inputChanges.set(0, 1.0);            // Generate
    Transport t;                            // loop [0, 48000)
    std::vector<float> l(256), r(256), ol(256), orr(256);
    const float* in[2] = {l.data(), r.data()};
    float* out[2] = {ol.data(), orr.data()};
    bool through = true;
    std::unique_ptr<jbbench::FakeDaemon> b;
    bool sawOffline = false, done = false;
    const auto start = Clock::now();
    while (Clock::now() - start < std::chrono::seconds(40)) {
        int n = 256;
        const auto ctx = t.context(n);
        for (int i = 0; i < n; ++i) { l[i] = float(std::sin(0.001 * double(t.pos + i))); r[i] = -l[i]; }
        p.process(in, out, n, &ctx, v3::kRealtime);
        for (int i = 0; i < n; ++i) through = through && ol[i] == l[i] && orr[i] == r[i];
        t.advance(n);
        std::this_thread::sleep_for(std::chrono::microseconds(500));
        const std::string s = p.paramString(10, p.status);
        if (!b && a->blocksSent() >= 4) {
            // Daemon A hangs; daemon B (same secret, knows the job) takes over the client file.
            a->goSilent();
            b = std::make_unique<jbbench::FakeDaemon>(3.0, 0.25, 20, 1);
            b->knowJob("bench-job", 44032);   // 48000 frames at 48 kHz → 44100 at 44.1 kHz → whole 128s
            b->writeClientFile(client);
        }
        if (b && s.find("offline") != std::string::npos) sawOffline = true;
        if (b && s.find("take ready") != std::string::npos) { done = true; break; }
    }
    std::printf("  daemon A sent %llu blocks; B got %llu fetch(es) and sent %llu blocks; status: %s\n",
                (unsigned long long)a->blocksSent(), (unsigned long long)(b ? b->fetches() : 0),
                (unsigned long long)(b ? b->blocksSent() : 0), p.paramString(10, p.status).c_str());
    CHECK(through);
    CHECK(sawOffline);                       // the hang was noticed
    CHECK(done);
    CHECK(b && b->fetches() >= 1);
    CHECK(b && b->blocksSent() > 0 && b->blocksSent() < 12);   // only the rest, not the whole take again
    // Bounce the take: one continuous 220 Hz sine from the loop end on, without a gap or a jump at the
    // block where daemon A stopped.
    Transport lin;
    lin.looping = false;
    lin.pos = lin.loopEnd();
    double worst = 0;
    std::int64_t k = 0;
    for (; k < 3 * 48000 - 256; k += 256) {
        int n = 256;
        const auto ctx = lin.context(n);
        for (int i = 0; i < n; ++i) { l[i] = 0; r[i] = 0; }
        p.process(in, out, n, &ctx, v3::kOffline);
        for (int i = 0; i < n; ++i) {
            const std::int64_t f = k + i;
            if (f < 200 || f > 3 * 48000 - 1200) continue;   // the resampler's edges
            worst = std::max(worst, std::fabs(ol[i] - 0.2 * std::sin(2 * M_PI * 220.0 * double(f) / 48000.0)));
        }
        lin.advance(n);
    }
    std::printf("  max |take − 220 Hz sine| over the take: %.3g\n", worst);
    CHECK(worst < 1e-3);
}

TEST_MAIN()
