#include "dsp/stream_resampler.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace jb {
namespace {

constexpr double kPi = 3.14159265358979323846;

double besselI0(double x) {
    double sum = 1, term = 1;
    for (int k = 1; k < 50; ++k) {
        term *= (x / (2 * k)) * (x / (2 * k));
        sum += term;
        if (term < 1e-12 * sum) break;
    }
    return sum;
}

}  // namespace

StreamResampler::StreamResampler(int srcRate, int dstRate, int channels)
    : src_(std::max(srcRate, 1)), dst_(std::max(dstRate, 1)), channels_(std::max(1, std::min(channels, 8))), halfTaps_(32) {
    // Pass band to 0.9 of the lower Nyquist, a Kaiser window with beta 9 (about 90 dB stop band).
    cutoff_ = 0.9 * std::min(1.0, double(dst_) / double(src_));
    const double reach = halfTaps_ / cutoff_;   // kernel support in source samples, each side
    const int n = static_cast<int>(std::ceil(reach * oversample_)) + 2;
    table_.resize(static_cast<std::size_t>(n));
    const double beta = 9.0, i0b = besselI0(beta);
    for (int i = 0; i < n; ++i) {
        const double d = double(i) / oversample_;
        if (d >= reach) { table_[i] = 0; continue; }
        const double x = cutoff_ * d;
        const double sinc = x == 0 ? 1.0 : std::sin(kPi * x) / (kPi * x);
        const double r = d / reach;
        const double w = besselI0(beta * std::sqrt(std::max(0.0, 1 - r * r))) / i0b;
        table_[i] = static_cast<float>(cutoff_ * sinc * w);
    }
}

double StreamResampler::kernel(double d) const {
    const double p = std::fabs(d) * oversample_;
    const std::size_t i = static_cast<std::size_t>(p);
    if (i + 1 >= table_.size()) return 0.0;
    const double f = p - double(i);
    return table_[i] + (table_[i + 1] - table_[i]) * f;
}

// frames × channels as a size, refusing what could not be a real buffer (negative, overflowing, or over
// the history's limit) before anything is allocated or read.
static std::size_t samplesOf(std::int64_t frames, int channels) {
    if (frames <= 0) return 0;
    if (frames > StreamResampler::kMaxPushFrames) throw std::length_error("resampler: too many frames at once");
    return static_cast<std::size_t>(frames) * static_cast<std::size_t>(channels);
}

void StreamResampler::push(const float* interleaved, std::int64_t frames) {
    const std::size_t n = samplesOf(frames, channels_);
    hist_.insert(hist_.end(), interleaved, interleaved + n);
}

void StreamResampler::pushSilence(std::int64_t frames) {
    hist_.insert(hist_.end(), samplesOf(frames, channels_), 0.0f);
}

std::int64_t StreamResampler::outputLength(std::int64_t inputFrames) const {
    return (inputFrames * dst_ + src_ - 1) / src_;
}

std::int64_t StreamResampler::pull(std::vector<float>& out) {
    out.clear();
    const std::int64_t have = inputFrames();
    const std::int64_t total = finished_ ? outputLength(have) : -1;
    const int reach = static_cast<int>(std::ceil(halfTaps_ / cutoff_));
    std::int64_t k = produced_;
    if (src_ == dst_) {
        const std::int64_t n = have - k;
        for (std::int64_t f = k; f < have; ++f)
            for (int c = 0; c < channels_; ++c) out.push_back(hist_[static_cast<std::size_t>((f - base_) * channels_ + c)]);
        produced_ = have;
        base_ = have;
        hist_.clear();
        return n;
    }
    for (;; ++k) {
        if (total >= 0 && k >= total) break;
        const std::int64_t num = k * static_cast<std::int64_t>(src_);
        const std::int64_t i = num / dst_;                      // source frame at or before the position
        const double frac = double(num % dst_) / double(dst_);
        if (!finished_ && i + reach >= have) break;             // needs input not arrived yet
        for (int c = 0; c < channels_; ++c) {
            double acc = 0;
            for (std::int64_t j = i - reach + 1; j <= i + reach; ++j) {
                if (j < base_ || j >= have) continue;           // before the start / after the end: silence
                acc += hist_[static_cast<std::size_t>((j - base_) * channels_ + c)] * kernel(double(j - i) - frac);
            }
            out.push_back(static_cast<float>(acc));
        }
    }
    const std::int64_t n = k - produced_;
    produced_ = k;
    // Drop input no later output needs.
    const std::int64_t keepFrom = std::max<std::int64_t>(base_, (k * src_) / dst_ - reach - 1);
    if (keepFrom > base_) {
        hist_.erase(hist_.begin(), hist_.begin() + static_cast<std::ptrdiff_t>((keepFrom - base_) * channels_));
        base_ = keepFrom;
    }
    return n;
}

}  // namespace jb
