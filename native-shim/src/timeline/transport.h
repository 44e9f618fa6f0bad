// What the plugin needs from the host's ProcessContext for one block, in samples.
// Threads: [audio-thread] (pure function, no allocation).
#pragma once

#include <cstdint>

#include "abi/vst3_abi.h"
#include "timeline/musical_time.h"

namespace jb {

struct Transport {
    bool valid = false;          // a context with a position was given
    bool playing = false;
    bool loopActive = false;     // cycle valid and active, with a tempo and a musical position to place it
    std::int64_t blockStart = 0; // projectTimeSamples
    std::int64_t loopStart = 0, loopEnd = 0;
    double tempo = 120;
    int timeSigNum = 4, timeSigDen = 4;
};

// Hosts quantize the musical position (Ardour: 1920 ticks per quarter, 25 samples at 120 BPM/48 kHz), so
// a loop point anchored on the block's position jitters by a few samples from block to block. With a
// constant tempo since the project start, the exact value is quarters·60/tempo·rate: use it when the
// anchored value agrees with it within kLoopSnapSamples; otherwise (tempo changes) the anchored one.
constexpr std::int64_t kLoopSnapSamples = 64;

inline std::int64_t loopSample(double q, double anchorQ, std::int64_t anchorS, double tempo, double rate) {
    const std::int64_t anchored = quarterToSample(q, anchorQ, anchorS, tempo, rate);
    const std::int64_t fromZero = quarterToSample(q, 0.0, 0, tempo, rate);
    const std::int64_t d = anchored > fromZero ? anchored - fromZero : fromZero - anchored;
    return d <= kLoopSnapSamples ? fromZero : anchored;
}

inline Transport readTransport(const v3::ProcessContext* c, double sampleRate) {
    Transport t;
    if (c == nullptr) return t;
    using PC = v3::ProcessContext;
    t.valid = true;
    t.playing = (c->state & PC::kPlaying) != 0;
    t.blockStart = c->projectTimeSamples;
    if (c->state & PC::kTempoValid && c->tempo > 0) t.tempo = c->tempo;
    if (c->state & PC::kTimeSigValid && c->timeSigNumerator > 0 && c->timeSigDenominator > 0) {
        t.timeSigNum = c->timeSigNumerator;
        t.timeSigDen = c->timeSigDenominator;
    }
    const std::uint32_t need = PC::kCycleValid | PC::kCycleActive;
    if ((c->state & need) == need && c->cycleEndMusic > c->cycleStartMusic) {
        // Anchor on the block's own (quarter, sample) pair when the host gives it.
        const bool music = (c->state & PC::kProjectTimeMusicValid) != 0;
        const double q0 = music ? c->projectTimeMusic : 0.0;
        const std::int64_t s0 = music ? c->projectTimeSamples : 0;
        t.loopStart = loopSample(c->cycleStartMusic, q0, s0, t.tempo, sampleRate);
        t.loopEnd = loopSample(c->cycleEndMusic, q0, s0, t.tempo, sampleRate);
        t.loopActive = t.loopEnd > t.loopStart;
    }
    return t;
}

}  // namespace jb
