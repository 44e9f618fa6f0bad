// Capture by timeline position, take placement after the loop end, and bar/second conversion.
#include <vector>

#include "check.h"
#include "timeline/loop_capture.h"
#include "timeline/musical_time.h"
#include "timeline/take_buffer.h"
#include "timeline/transport.h"

using namespace jb;

namespace {

// Input whose sample value is its timeline position (left) and minus it (right).
struct Ramp {
    std::vector<float> l, r;
    const float* ch[2];
    const float* const* at(std::int64_t pos, int n) {
        l.resize(n); r.resize(n);
        for (int i = 0; i < n; ++i) { l[i] = float(pos + i); r[i] = -float(pos + i); }
        ch[0] = l.data(); ch[1] = r.data();
        return ch;
    }
};

// Plays a loop [start, end) from `from` with blocks of n, wrapping like Ardour, for `blocks` blocks.
std::int64_t play(LoopCapture& cap, std::int64_t start, std::int64_t end, std::int64_t from, int n, int blocks) {
    Ramp ramp;
    std::int64_t pos = from;
    for (int b = 0; b < blocks; ++b) {
        int len = n;
        if (pos < end && pos + len > end) len = int(end - pos);   // hosts split the block at the loop end
        cap.record(true, true, start, end, pos, ramp.at(pos, len), len);
        pos += len;
        if (pos >= end) pos = start;
    }
    return pos;
}

}  // namespace

TEST(bars_and_seconds) {
    CHECK_NEAR(quartersPerBar(4, 4), 4.0, 0);
    CHECK_NEAR(quartersPerBar(6, 8), 3.0, 0);
    CHECK_NEAR(quartersPerBar(7, 8), 3.5, 0);
    CHECK_NEAR(barsToSeconds(4, 120, 4, 4), 8.0, 1e-12);
    CHECK_NEAR(barsToSeconds(2, 90, 3, 4), 4.0, 1e-12);
    CHECK_NEAR(secondsToBars(8.0, 120, 4, 4), 4.0, 1e-12);
    CHECK_NEAR(secondsToBars(barsToSeconds(3.5, 97.3, 7, 8), 97.3, 7, 8), 3.5, 1e-12);
    // Ardour's observation: at 90 BPM, 48 kHz, quarter 2 is at sample 64000.
    CHECK_EQ(quarterToSample(2.0, 0.0, 0, 90, 48000), std::int64_t(64000));
    CHECK_EQ(quarterToSample(6.0, 2.0, 64000, 90, 48000), std::int64_t(192000));
}

TEST(a_full_pass_from_the_loop_start_captures_the_range_in_order) {
    LoopCapture cap;
    cap.prepare(48000);
    const std::int64_t start = 1000, end = 1000 + 4000;
    play(cap, start, end, start, 128, 31);   // 31*128 = 3968 < 4000
    CHECK(!cap.complete());
    play(cap, start, end, start + 3968, 128, 1);
    CHECK(cap.complete());
    CHECK_EQ(cap.frames(), std::int64_t(4000));
    bool ordered = true;
    for (std::int64_t i = 0; i < 4000; ++i)
        ordered = ordered && cap.channel(0)[i] == float(start + i) && cap.channel(1)[i] == -float(start + i);
    CHECK(ordered);
}

TEST(a_pass_started_mid_loop_completes_after_the_wrap_and_is_in_timeline_order) {
    LoopCapture cap;
    cap.prepare(48000);
    const std::int64_t start = 0, end = 3000;
    std::int64_t pos = play(cap, start, end, 1500, 100, 15);   // 1500..3000 then wrap
    CHECK_EQ(pos, std::int64_t(0));
    CHECK(!cap.complete());
    play(cap, start, end, 0, 100, 15);                           // 0..1500
    CHECK(cap.complete());
    bool ordered = true;
    for (std::int64_t i = 0; i < 3000; ++i) ordered = ordered && cap.channel(0)[i] == float(i);
    CHECK(ordered);
}

TEST(a_jump_or_a_stop_restarts_an_unfinished_pass) {
    LoopCapture cap;
    cap.prepare(48000);
    Ramp ramp;
    cap.record(true, true, 0, 1000, 0, ramp.at(0, 500), 500);
    cap.record(true, true, 0, 1000, 700, ramp.at(700, 300), 300);   // jumped over 500..700
    cap.record(true, true, 0, 1000, 0, ramp.at(0, 500), 500);
    CHECK(!cap.complete());                                         // run: 300 + 500 but not from 500
    cap.record(false, true, 0, 1000, 500, ramp.at(500, 500), 500);  // stopped
    CHECK(!cap.complete());
    cap.record(true, true, 0, 1000, 0, ramp.at(0, 1000), 1000);
    CHECK(cap.complete());
    // A new range forgets the pass.
    cap.record(true, true, 0, 2000, 0, ramp.at(0, 1000), 1000);
    CHECK(!cap.complete());
    CHECK_NEAR(cap.passFraction(), 0.5, 1e-12);
}

TEST(sealed_capture_is_not_overwritten_and_too_long_loops_are_refused) {
    LoopCapture cap;
    cap.prepare(1000);
    Ramp ramp;
    cap.record(true, true, 0, 1000, 0, ramp.at(0, 1000), 1000);
    CHECK(cap.complete());
    cap.seal();
    cap.record(true, true, 0, 1000, 0, ramp.at(5000, 1000), 1000);
    CHECK(cap.channel(0)[10] == 10.0f);
    cap.unseal();
    cap.record(true, true, 0, 1000, 0, ramp.at(5000, 1000), 1000);
    CHECK(cap.channel(0)[10] == 5010.0f);
    cap.record(true, true, 0, 5000, 0, ramp.at(0, 1000), 1000);
    CHECK(cap.tooLong());
    CHECK(!cap.complete());
}

TEST(take_plays_at_loop_end_plus_offset_sample_accurately) {
    const std::int64_t loopEnd = 10000;
    TakeBuffer take(1, 2, 1000, loopEnd);
    std::vector<float> chunk(2 * 1000);
    for (int i = 0; i < 1000; ++i) { chunk[2 * i] = float(i + 1); chunk[2 * i + 1] = float(-(i + 1)); }
    take.write(1, 0, chunk.data(), 1000);
    // A block straddling the loop end: before it the input passes, after it frame k = k+1.
    std::vector<float> inL(128, 0.5f), inR(128, 0.25f), outL(128), outR(128);
    const float* in[2] = {inL.data(), inR.data()};
    float* out[2] = {outL.data(), outR.data()};
    for (int i = 0; i < 128; ++i) { outL[i] = inL[i]; outR[i] = inR[i]; }
    const int missing = take.render(1, loopEnd - 28, 128, TakeBuffer::Mix::Continuation, 1.0f, in, out);
    CHECK_EQ(missing, 0);
    CHECK(outL[27] == 0.5f);          // last sample before the loop end: untouched
    CHECK(outL[28] == 1.0f);          // loop end: take frame 0
    CHECK(outR[28] == -1.0f);
    CHECK(outL[127] == 100.0f);
    // Variation 0 has nothing yet: silence and 100 missing frames.
    for (int i = 0; i < 128; ++i) outL[i] = inL[i];
    CHECK_EQ(take.render(0, loopEnd - 28, 128, TakeBuffer::Mix::Continuation, 1.0f, in, out), 100);
    CHECK(outL[28] == 0.0f && outL[27] == 0.5f);
    // Blend and input-only modes.
    take.render(1, loopEnd, 128, TakeBuffer::Mix::Blend, 0.25f, in, out);
    CHECK_NEAR(outL[3], 0.75 * 0.5 + 0.25 * 4.0, 1e-6);
    take.render(1, loopEnd, 128, TakeBuffer::Mix::Input, 1.0f, in, out);
    CHECK(outL[3] == 0.5f);
}

TEST(take_granules_play_only_when_complete) {
    TakeBuffer take(1, 1, 1000, 0);
    std::vector<float> chunk(2 * 300, 1.0f);
    take.write(0, 0, chunk.data(), 300);      // granule 0 complete, granule 1 has 44 of 256
    CHECK(take.ready(0, 0, 256));
    CHECK(!take.ready(0, 0, 300));
    take.write(0, 300, chunk.data(), 300);    // 300..600: granule 1 complete, granule 2 partly
    CHECK(take.ready(0, 256, 512));
    CHECK(!take.ready(0, 512, 600));
    take.write(0, 600, chunk.data(), 300);
    take.write(0, 900, chunk.data(), 100);    // last granule is short (1000 - 768 = 232 frames)
    CHECK(take.ready(0, 0, 1000));
    CHECK_NEAR(take.filledFraction(), 1.0, 1e-12);
    take.write(0, 990, chunk.data(), 100);    // beyond the end: clipped
    CHECK(take.ready(0, -50, 2000));
}

TEST(blocks_running_over_the_loop_end_wrap_like_the_host) {
    // Ardour does not split its 1024-sample blocks at the loop end: the samples after the loop end in
    // such a block are from the loop start, and the next block starts past the loop start.
    LoopCapture cap;
    cap.prepare(200000);
    const std::int64_t start = 48000, end = 144000;   // Ardour's [2, 6) quarters at 120 BPM
    std::vector<float> l(1024), r(1024);
    const float* in[2] = {l.data(), r.data()};
    std::int64_t pos = start;
    for (int b = 0; b < 200 && !cap.complete(); ++b) {
        for (int i = 0; i < 1024; ++i) {   // the audio the host plays: positions wrap inside the block
            std::int64_t p = pos + i;
            if (p >= end) p = start + (p - end);
            l[i] = float(p);
            r[i] = -float(p);
        }
        cap.record(true, true, start, end, pos, in, 1024);
        pos += 1024;
        if (pos >= end) pos = start + (pos - end);
    }
    CHECK(cap.complete());
    bool ordered = true;
    for (std::int64_t i = 0; i < end - start; ++i) ordered = ordered && cap.channel(0)[i] == float(start + i);
    CHECK(ordered);
}

TEST(loop_points_from_a_tick_rounded_host_position_are_exact) {
    // Ardour's projectTimeMusic is rounded to 1/1920 quarter (25 samples at 120 BPM, 48 kHz).
    v3::ProcessContext c{};
    using PC = v3::ProcessContext;
    c.state = PC::kPlaying | PC::kCycleActive | PC::kCycleValid | PC::kTempoValid | PC::kProjectTimeMusicValid;
    c.tempo = 120;
    c.cycleStartMusic = 2;
    c.cycleEndMusic = 6;
    for (std::int64_t pos : {88960LL, 136064LL, 88192LL, 135296LL}) {
        c.projectTimeSamples = pos;
        c.projectTimeMusic = std::floor(double(pos) / 24000.0 * 1920.0) / 1920.0;   // tick-rounded
        const Transport t = readTransport(&c, 48000);
        CHECK(t.loopActive);
        CHECK_EQ(t.loopStart, std::int64_t(48000));
        CHECK_EQ(t.loopEnd, std::int64_t(144000));
    }
    // After a tempo change the anchored value is used (here: 100 BPM until quarter 8, then 120 BPM).
    c.projectTimeSamples = 8 * 60 * 48000 / 100;   // quarter 8 at 100 BPM = 230400
    c.projectTimeMusic = 8;
    c.cycleStartMusic = 8;
    c.cycleEndMusic = 12;
    const Transport t = readTransport(&c, 48000);
    CHECK_EQ(t.loopStart, std::int64_t(230400));
    CHECK_EQ(t.loopEnd, std::int64_t(230400 + 96000));
    c.state &= ~PC::kCycleActive;
    CHECK(!readTransport(&c, 48000).loopActive);
}

TEST(a_take_shorter_than_asked_is_complete_at_its_real_end) {
    TakeBuffer take(1, 1, 1000, 0);
    std::vector<float> chunk(2 * 900, 1.0f);
    take.write(0, 0, chunk.data(), 900);
    CHECK(!take.ready(0, 0, 1000));           // frames 900..1000 never come
    take.truncate(900);
    CHECK(take.ready(0, 0, 1000));
    CHECK_EQ(take.endSample(), std::int64_t(900));
    take.truncate(2000);                       // never grows
    CHECK_EQ(take.frames(), std::int64_t(900));
}

TEST_MAIN()
