// Resampler: a sine keeps its frequency and level (44.1k → 48k and back), block-by-block streaming gives
// exactly the samples of one whole push, output length, equal rates pass through.
#include <cmath>
#include <vector>

#include "check.h"
#include "dsp/stream_resampler.h"

using jb::StreamResampler;

namespace {
std::vector<float> sine(int rate, double hz, int n, double amp = 0.5) {
    std::vector<float> x(n);
    for (int i = 0; i < n; ++i) x[i] = float(amp * std::sin(2 * M_PI * hz * i / rate));
    return x;
}
std::vector<float> whole(int src, int dst, const std::vector<float>& x) {
    StreamResampler r(src, dst, 1);
    r.push(x.data(), static_cast<std::int64_t>(x.size()));
    r.finish();
    std::vector<float> out;
    r.pull(out);
    return out;
}
}  // namespace

TEST(sine_44k1_to_48k_matches_the_analytic_sine) {
    const auto x = sine(44100, 1000.0, 44100);
    const auto y = whole(44100, 48000, x);
    CHECK_EQ(static_cast<long>(y.size()), 48000L);
    double err = 0, ref = 0;
    for (int i = 2000; i < 46000; ++i) {   // away from the edges
        const double want = 0.5 * std::sin(2 * M_PI * 1000.0 * i / 48000);
        err += (y[i] - want) * (y[i] - want);
        ref += want * want;
    }
    const double snrDb = 10 * std::log10(ref / err);
    std::printf("  SNR 44.1k→48k, 1 kHz: %.1f dB\n", snrDb);
    CHECK(snrDb > 80);
}

TEST(downsampling_removes_content_above_the_new_nyquist) {
    const auto x = sine(48000, 23000.0, 48000);   // above 22.05 kHz: must be suppressed going to 44.1k
    const auto y = whole(48000, 44100, x);
    double e = 0;
    for (int i = 2000; i < 42000; ++i) e += y[i] * y[i];
    const double rmsDb = 10 * std::log10(e / 40000 + 1e-30) - 10 * std::log10(0.125);
    std::printf("  23 kHz residue after 48k→44.1k: %.1f dB\n", rmsDb);
    CHECK(rmsDb < -60);
}

TEST(streaming_in_blocks_equals_one_whole_push) {
    const auto x = sine(44100, 440.0, 30000, 0.8);
    const auto ref = whole(44100, 48000, x);
    StreamResampler r(44100, 48000, 1);
    std::vector<float> got, part;
    const int sizes[] = {1, 7, 1000, 4410, 333, 12000};
    std::size_t at = 0;
    for (int k = 0; at < x.size(); ++k) {
        const std::size_t n = std::min<std::size_t>(sizes[k % 6], x.size() - at);
        r.push(x.data() + at, static_cast<std::int64_t>(n));
        at += n;
        r.pull(part);
        got.insert(got.end(), part.begin(), part.end());
    }
    r.finish();
    r.pull(part);
    got.insert(got.end(), part.begin(), part.end());
    CHECK_EQ(got.size(), ref.size());
    bool same = got.size() == ref.size();
    for (std::size_t i = 0; same && i < got.size(); ++i) same = got[i] == ref[i];
    CHECK(same);
}

TEST(equal_rates_pass_through_and_stereo_keeps_channels_apart) {
    std::vector<float> x = {1, -1, 2, -2, 3, -3};
    StreamResampler same(48000, 48000, 2);
    same.push(x.data(), 3);
    std::vector<float> y;
    CHECK_EQ(same.pull(y), std::int64_t(3));
    CHECK(y == x);
    StreamResampler r(44100, 48000, 2);
    std::vector<float> st(2 * 44100);
    for (int i = 0; i < 44100; ++i) { st[2 * i] = float(0.5 * std::sin(2 * M_PI * 500 * i / 44100.0)); st[2 * i + 1] = 0; }
    r.push(st.data(), 44100);
    r.finish();
    r.pull(y);
    CHECK_EQ(static_cast<long>(y.size()), 2L * 48000);
    double right = 0, left = 0;
    for (int i = 0; i < 48000; ++i) { left += std::fabs(y[2 * i]); right += std::fabs(y[2 * i + 1]); }
    CHECK(left > 1000);
    CHECK(right == 0);
}

TEST_MAIN()
