// Records the track's input by timeline position while the transport plays through the loop (cycle)
// range, and says when one full pass of the range is in the buffer.
//
// The buffer index of a sample is (position − loop start), so the prompt is in timeline order whichever
// point of the loop playback started from. A pass is complete once the playhead has covered the whole
// range without a gap: a run of consecutive positions (the wrap from loop end to loop start counts as
// consecutive) at least as long as the range.
//
// Ownership: after seal() the network thread reads the buffer (the prompt); the audio thread writes nothing
// until unseal(). Both calls travel as messages through the SPSC rings, which order the memory accesses.
//
// Threads: prepare() [main-thread, while not processing]; everything else [audio-thread], never allocating;
// frames()/channel() may be read by the [net-thread] between seal() and unseal().
#pragma once

#include <cstdint>
#include <vector>

namespace jb {

class LoopCapture {
public:
    // Room for maxFrames frames of stereo. [main-thread]
    void prepare(std::int64_t maxFrames);

    // One block of input starting at timeline position blockStart. loopStart/loopEnd in samples; playing
    // and loopActive from the transport flags. in[0], in[1] (in[1] may equal in[0] for mono). [audio-thread]
    void record(bool playing, bool loopActive, std::int64_t loopStart, std::int64_t loopEnd, std::int64_t blockStart,
                const float* const* in, int numFrames);

    bool complete() const { return loopLength_ > 0 && run_ >= loopLength_; }
    bool sealed() const { return sealed_; }
    bool tooLong() const { return tooLong_; }
    std::int64_t loopStart() const { return loopStart_; }
    std::int64_t loopEnd() const { return loopStart_ + loopLength_; }
    std::int64_t frames() const { return loopLength_; }
    // Pass progress 0..1 (for the status). [audio-thread]
    double passFraction() const {
        return loopLength_ > 0 ? (run_ >= loopLength_ ? 1.0 : double(run_) / double(loopLength_)) : 0.0;
    }

    // Freezes the buffer for the network thread. [audio-thread]
    void seal() { sealed_ = true; }
    // The network thread is done with it; recording goes on (the pass stays complete). [audio-thread]
    void unseal() { sealed_ = false; }
    // Forget the pass (a new range, or the transport left the loop). [audio-thread]
    void reset() { run_ = 0; lastPos_ = -1; }

    const float* channel(int c) const { return c == 0 ? left_.data() : right_.data(); }
    std::int64_t capacity() const { return static_cast<std::int64_t>(left_.size()); }

private:
    std::vector<float> left_, right_;
    std::int64_t loopStart_ = 0, loopLength_ = 0;
    std::int64_t run_ = 0;       // consecutive positions covered
    std::int64_t lastPos_ = -1;  // last position recorded
    bool sealed_ = false;
    bool tooLong_ = false;
};

}  // namespace jb
