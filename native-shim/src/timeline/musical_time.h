// Musical time ↔ samples, from the host's ProcessContext values. Pure functions: any thread.
#pragma once

#include <cmath>
#include <cstdint>

namespace jb {

// Quarter notes per bar of a time signature (4/4 → 4, 6/8 → 3, 7/8 → 3.5).
inline double quartersPerBar(int numerator, int denominator) {
    if (numerator <= 0 || denominator <= 0) return 4.0;
    return numerator * 4.0 / denominator;
}

inline double quartersToSeconds(double quarters, double tempoBpm) { return quarters * 60.0 / tempoBpm; }

inline double barsToSeconds(double bars, double tempoBpm, int numerator, int denominator) {
    return quartersToSeconds(bars * quartersPerBar(numerator, denominator), tempoBpm);
}

inline double secondsToBars(double seconds, double tempoBpm, int numerator, int denominator) {
    return seconds * tempoBpm / 60.0 / quartersPerBar(numerator, denominator);
}

// The sample position of quarter-note position q, anchored on a block's (projectTimeMusic,
// projectTimeSamples) pair so that tempo rounding never accumulates; rounded to the nearest sample.
inline std::int64_t quarterToSample(double q, double anchorQuarter, std::int64_t anchorSample, double tempoBpm,
                                    double sampleRate) {
    return anchorSample + static_cast<std::int64_t>(std::llround((q - anchorQuarter) * 60.0 / tempoBpm * sampleRate));
}

}  // namespace jb
