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
        t.loopStart = quarterToSample(c->cycleStartMusic, q0, s0, t.tempo, sampleRate);
        t.loopEnd = quarterToSample(c->cycleEndMusic, q0, s0, t.tempo, sampleRate);
        t.loopActive = t.loopEnd > t.loopStart;
    }
    return t;
}

}  // namespace jb
