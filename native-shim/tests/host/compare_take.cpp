// shim-compare-take: checks an exported/bounced track against the take the daemon generated.
//   shim-compare-take EXPORT.wav INPUT.wav TAKE.wav AT FRAMES
// EXPORT: the DAW's export with the plugin; INPUT: the same export with the plugin off; TAKE: the
// continuation as fetched from the daemon with the jukebox CLI. AT: the loop end in samples of the
// export; FRAMES: how much of the take to compare. Checks that before AT the export equals the input,
// and from AT on it equals the take resampled to the export's rate (first channel), sample-accurately
// (a one-sample shift must not match). Prints PASS/FAIL lines; exit status 1 on a failure.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "dsp/stream_resampler.h"
#include "wav.h"

using jbhost::Wav;

int main(int argc, char** argv) {
    if (argc != 6) {
        std::fprintf(stderr, "usage: shim-compare-take EXPORT.wav INPUT.wav TAKE.wav AT FRAMES\n");
        return 2;
    }
    Wav out, in, take;
    std::string err;
    if (!jbhost::readWav(argv[1], out, err) || !jbhost::readWav(argv[2], in, err) || !jbhost::readWav(argv[3], take, err)) {
        std::printf("FAIL %s\n", err.c_str());
        return 1;
    }
    const long at = std::atol(argv[4]);
    long frames = std::atol(argv[5]);
    jb::StreamResampler r(take.rate, out.rate, take.channels);
    r.push(take.samples.data(), take.frames());
    r.finish();
    std::vector<float> res, ref;
    const long n = static_cast<long>(r.pull(res));
    for (long i = 0; i < n; ++i) ref.push_back(res[i * take.channels]);
    frames = std::min<long>({frames, static_cast<long>(ref.size()), static_cast<long>(out.frames()) - at - 1});
    auto outAt = [&](long i) { return out.samples[static_cast<std::size_t>(i * out.channels)]; };
    auto inAt = [&](long i) { return in.samples[static_cast<std::size_t>(i * in.channels)]; };
    double before = 0, inputPeak = 0;
    for (long i = 0; i < at && i < in.frames(); ++i) {
        before = std::max(before, std::fabs(double(outAt(i)) - inAt(i)));
        inputPeak = std::max(inputPeak, std::fabs(double(inAt(i))));
    }
    auto diff = [&](long shift) {
        double d = 0;
        for (long i = 1; i < frames - 1; ++i) d = std::max(d, std::fabs(double(outAt(at + shift + i)) - ref[i]));
        return d;
    };
    double takePeak = 0;
    for (long i = 0; i < frames; ++i) takePeak = std::max(takePeak, std::fabs(double(ref[i])));
    const double d0 = diff(0), dm = diff(-1), dp = diff(1);
    int fails = 0;
    auto check = [&](bool ok, const char* what) { std::printf("%s %s\n", ok ? "PASS" : "FAIL", what); fails += !ok; };
    std::printf("export %ld frames at %d Hz; input peak %.3g; take %ld frames at %d Hz (peak %.3g); compared %ld frames from %ld\n",
                (long)out.frames(), out.rate, inputPeak, (long)take.frames(), take.rate, takePeak, frames, at);
    std::printf("max |export − input| before the loop end: %.3g; max |export − take| from it: %.3g (shift −1: %.3g, +1: %.3g)\n",
                before, d0, dm, dp);
    check(inputPeak > 1e-3, "the input is not silent");
    check(takePeak > 1e-4, "the take is not silent");
    check(frames > out.rate / 2, "at least half a second of the take is in the export");
    check(before < 1e-6, "before the loop end the export is the input");
    check(d0 < 1e-3, "from the loop end the export is the take");
    check(dm > 10 * std::max(d0, 1e-6) && dp > 10 * std::max(d0, 1e-6), "sample-accurately (a one-sample shift does not match)");
    return fails == 0 ? 0 : 1;
}
