// The received continuation of one job, at the host rate, for every variation, placed on the timeline:
// frame k of a variation plays at timeline sample (startSample + k), where startSample is the loop end
// of the captured prompt.
//
// What has arrived is tracked per granule of kGranule frames: a granule plays once all its frames are
// written; until then the plugin plays silence there and reports "waiting".
//
// Ownership: the network thread allocates a TakeBuffer and hands it to the audio thread through a ring;
// from then on only the audio thread writes and reads it, until it hands the pointer back through the
// other ring for the network thread to delete.
// Threads: constructor/destructor [net-thread]; write()/render()/ready() [audio-thread], no allocation.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

namespace jb {

class TakeBuffer {
public:
    static constexpr int kGranule = 256;
    static constexpr int kMaxVariations = 8;

    // variations clamped to 1..8; throws std::length_error / std::bad_alloc (on the network thread) when the
    // sizes would overflow or cannot be allocated.
    TakeBuffer(std::uint32_t serial, int variations, std::int64_t frames, std::int64_t startSample);

    std::uint32_t serial() const { return serial_; }
    int variations() const { return variations_; }
    std::int64_t frames() const { return frames_; }
    std::int64_t startSample() const { return start_; }
    std::int64_t endSample() const { return start_ + frames_; }

    // Writes n stereo frames (interleaved L R) of one variation at take frame `offset`; frames outside the
    // take are dropped. [audio-thread]
    void write(int variation, std::int64_t offset, const float* interleaved, int n);

    // Mixes one block: for timeline positions [blockStart, blockStart+n) inside the take, calls
    // out[c][i] = f(in, take) through the mode below. Returns the number of frames inside the take that
    // were not there yet (played as silence). [audio-thread]
    enum class Mix { Continuation, Blend, Input };
    int render(int variation, std::int64_t blockStart, int n, Mix mix, float wet, const float* const* in,
               float* const* out) const;

    // Whether every frame of [from, to) (timeline samples, clipped to the take) of a variation is there.
    bool ready(int variation, std::int64_t from, std::int64_t to) const;
    // The daemon's take turned out shorter than asked for (it rounds to whole codes): frames beyond n
    // will never come. Only shrinks. [audio-thread]
    void truncate(std::int64_t n);

    // Fraction of the take's frames that arrived (all variations). [audio-thread]
    double filledFraction() const { return totalFrames_ > 0 ? double(filled_) / double(totalFrames_) : 0.0; }

private:
    bool granuleReady(int variation, std::int64_t granule) const;
    std::uint32_t serial_;
    int variations_;
    std::int64_t frames_, start_, granules_;   // granules_: the counters' stride, fixed at construction
    std::int64_t stride_;                      // frames per channel as allocated
    std::unique_ptr<float[]> samples_;          // [variation][channel][frame]
    std::unique_ptr<std::uint16_t[]> counts_;   // [variation][granule]: frames written
    std::int64_t filled_ = 0, totalFrames_ = 0;
};

}  // namespace jb
