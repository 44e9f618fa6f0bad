#include "timeline/take_buffer.h"

#include <algorithm>
#include <stdexcept>

namespace jb {

namespace {
// a × b × c as a size for new[], or std::length_error (before allocating) when it would overflow.
std::size_t checkedCount(std::int64_t a, std::int64_t b, std::int64_t c) {
    const std::uint64_t limit = std::uint64_t(1) << 40;   // entries; far above any real take
    const std::uint64_t ua = static_cast<std::uint64_t>(std::max<std::int64_t>(a, 0));
    const std::uint64_t ub = static_cast<std::uint64_t>(std::max<std::int64_t>(b, 0));
    const std::uint64_t uc = static_cast<std::uint64_t>(std::max<std::int64_t>(c, 0));
    if (ua > limit || ub > limit || uc > limit || (ub != 0 && ua > limit / ub) || (uc != 0 && ua * ub > limit / uc))
        throw std::length_error("take buffer too large");
    return static_cast<std::size_t>(ua * ub * uc);
}
}  // namespace

TakeBuffer::TakeBuffer(std::uint32_t serial, int variations, std::int64_t frames, std::int64_t startSample)
    : serial_(serial), variations_(std::max(1, std::min(variations, kMaxVariations))),
      frames_(std::max<std::int64_t>(frames, 0)),
      start_(startSample), granules_((frames_ + kGranule - 1) / kGranule), stride_(frames_),
      samples_(new float[checkedCount(variations_, 2, std::max<std::int64_t>(frames_, 1))]()),
      counts_(new std::uint16_t[checkedCount(variations_, 1, std::max<std::int64_t>(granules_, 1))]()),
      totalFrames_(frames_ * variations_) {}

void TakeBuffer::write(int variation, std::int64_t offset, const float* interleaved, int n) {
    if (variation < 0 || variation >= variations_) return;
    if (n <= 0 || offset >= frames_ || offset < -static_cast<std::int64_t>(n)) return;
    std::int64_t a = std::max<std::int64_t>(offset, 0), b = std::min<std::int64_t>(offset + n, frames_);
    if (a >= b) return;
    float* left = samples_.get() + static_cast<std::size_t>(variation) * 2 * stride_;
    float* right = left + stride_;
    std::uint16_t* counts = counts_.get() + static_cast<std::size_t>(variation) * granules_;
    for (std::int64_t f = a; f < b; ++f) {
        const float* s = interleaved + 2 * (f - offset);
        left[f] = s[0];
        right[f] = s[1];
    }
    // Granule counters: each frame is written once (the network thread never sends a frame twice).
    for (std::int64_t f = a; f < b;) {
        const std::int64_t g = f / kGranule;
        const std::int64_t end = std::min(b, (g + 1) * kGranule);
        counts[g] = static_cast<std::uint16_t>(std::min<std::int64_t>(counts[g] + (end - f), kGranule));
        f = end;
    }
    filled_ += b - a;
}

void TakeBuffer::truncate(std::int64_t n) {
    if (n < 0 || n >= frames_) return;
    frames_ = n;
    totalFrames_ = frames_ * variations_;
    if (filled_ > totalFrames_) filled_ = totalFrames_;
}

bool TakeBuffer::granuleReady(int variation, std::int64_t g) const {
    const std::int64_t size = std::min<std::int64_t>(kGranule, frames_ - g * kGranule);
    return counts_[static_cast<std::size_t>(variation * granules_ + g)] >= size;
}

bool TakeBuffer::ready(int variation, std::int64_t from, std::int64_t to) const {
    if (variation < 0 || variation >= variations_) return false;
    const std::int64_t a = std::max<std::int64_t>(from - start_, 0), b = std::min(to - start_, frames_);
    for (std::int64_t g = a / kGranule; a < b && g <= (b - 1) / kGranule; ++g)
        if (!granuleReady(variation, g)) return false;
    return true;
}

int TakeBuffer::render(int variation, std::int64_t blockStart, int n, Mix mix, float wet, const float* const* in,
                       float* const* out) const {
    const std::int64_t a = std::max(blockStart, start_), b = std::min(blockStart + n, start_ + frames_);
    if (a >= b || variation < 0 || variation >= variations_) return 0;
    const float* left = samples_.get() + static_cast<std::size_t>(variation) * 2 * stride_;
    const float* src[2] = {left, left + stride_};
    int missing = 0;
    for (std::int64_t t = a; t < b;) {
        const std::int64_t f = t - start_;
        const std::int64_t g = f / kGranule;
        const std::int64_t end = std::min(b, start_ + (g + 1) * kGranule);
        const bool have = granuleReady(variation, g);
        if (!have) missing += static_cast<int>(end - t);
        for (int c = 0; c < 2; ++c) {
            const float* x = in[c];
            float* y = out[c];
            for (std::int64_t k = t; k < end; ++k) {
                const std::size_t i = static_cast<std::size_t>(k - blockStart);
                const float take = have ? src[c][k - start_] : 0.0f;
                switch (mix) {
                    case Mix::Continuation: y[i] = take; break;
                    case Mix::Blend: y[i] = (1.0f - wet) * x[i] + wet * take; break;
                    case Mix::Input: y[i] = x[i]; break;
                }
            }
        }
        t = end;
    }
    return missing;
}

}  // namespace jb
