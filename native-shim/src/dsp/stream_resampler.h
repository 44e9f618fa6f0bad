// Streaming band-limited resampler (Kaiser-windowed sinc) from the daemon's rate to the host rate.
// Output frame k is the input signal evaluated at source time k·srcRate/dstRate exactly (integer
// arithmetic for the position), so the n-th output frame of a stream lands on the same timeline sample
// however the input was cut into blocks: feeding a whole take at once or block by block gives the same
// samples. Equal rates pass the samples through untouched.
//
// Threads: [net-thread] (allocates as input arrives). Not for the audio thread.
#pragma once

#include <cstdint>
#include <vector>

namespace jb {

class StreamResampler {
public:
    StreamResampler(int srcRate, int dstRate, int channels);   // channels 1..8, rates > 0

    // The most frames one push()/pushSilence() takes (an hour at 384 kHz); more throws std::length_error.
    static constexpr std::int64_t kMaxPushFrames = std::int64_t(3600) * 384000;

    // Appends input frames (interleaved, `channels` per frame); frames <= 0 appends nothing.
    void push(const float* interleaved, std::int64_t frames);
    // Appends silence (a gap in the input).
    void pushSilence(std::int64_t frames);
    // No more input: the rest is computed against silence.
    void finish() { finished_ = true; }

    // Moves the output frames computable so far into out (interleaved, `channels`); returns how many.
    std::int64_t pull(std::vector<float>& out);

    std::int64_t inputFrames() const { return base_ + static_cast<std::int64_t>(hist_.size()) / channels_; }
    std::int64_t outputFrames() const { return produced_; }
    // Output frames a complete input of n frames gives: ceil(n·dst/src).
    std::int64_t outputLength(std::int64_t inputFrames) const;
    int channels() const { return channels_; }

private:
    double kernel(double d) const;
    int src_, dst_, channels_;
    int halfTaps_;        // zero crossings each side at the source rate
    double cutoff_;       // relative to the source Nyquist
    std::vector<float> table_;   // kernel over |d| in [0, halfTaps_/cutoff], oversampled
    int oversample_ = 512;
    std::vector<float> hist_;    // input frames from base_ on, interleaved
    std::int64_t base_ = 0;      // index of hist_'s first frame
    std::int64_t produced_ = 0;  // output frames emitted
    bool finished_ = false;
};

}  // namespace jb
