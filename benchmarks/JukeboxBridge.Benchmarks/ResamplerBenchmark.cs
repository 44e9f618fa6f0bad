using System.Diagnostics;
using JukeboxBridge.Audio.Analysis;
using JukeboxBridge.Audio.Resampling;

namespace JukeboxBridge.Benchmarks;

/// <summary>
/// resampler: quality (round-trip SNR of a 1 kHz -6 dBFS sine, passband deviation to 19 kHz at 44.1 kHz,
/// alias/image rejection) and speed (seconds of audio per second, mono) for common rate pairs.
/// Targets: snr_db >= 90, passband_db <= 0.1, rejection_db >= 90.
/// Options: --pairs 48000:44100,44100:48000  --seconds 30
/// </summary>
public sealed class ResamplerBenchmark : IBenchmark
{
    public string Name => "resampler";
    public string Description => "SNR, passband flatness, alias/image rejection and speed of the band-limited resampler";

    public IReadOnlyList<Measurement> Run(string[] options)
    {
        var pairs = BenchmarkOptions.Get(options, "--pairs", "48000:44100,44100:48000,96000:44100,88200:44100,22050:44100,16000:44100")
            .Split(',').Select(p => p.Split(':')).Select(p => (int.Parse(p[0]), int.Parse(p[1]))).ToList();
        double seconds = double.Parse(BenchmarkOptions.Get(options, "--seconds", "30"));
        var results = new List<Measurement>();
        foreach (var (a, b) in pairs)
        {
            Console.Error.WriteLine($"measuring {a} -> {b} ...");
            double snr = ResamplerMeasurements.RoundTripSnrDb(a, b);
            // Passband: to 19 kHz when both rates are >= 44.1 kHz, else to the same fraction (0.8617) of the lower Nyquist.
            int outRate = b, inRate = a;
            double upTo = Math.Round(19000.0 / 22050 * Math.Min(Math.Min(a, b) / 2.0, 22050));
            double pass = ResamplerMeasurements.PassbandDeviationDb(inRate, outRate, upTo);
            double rej = ResamplerMeasurements.RejectionDb(a, b);

            var r = new Resampler(a, b);
            var x = ToneAnalysis.Sine(a, 1000, 0.5, (int)(a * seconds));
            r.Process(x.AsSpan(0, a)); // warm-up
            var sw = Stopwatch.StartNew();
            r.Process(x);
            double speed = seconds / sw.Elapsed.TotalSeconds;

            bool ok = snr >= 90 && pass <= 0.1 && rej >= 90;
            results.Add(new Measurement(new Dictionary<string, object>
            {
                ["pair"] = $"{a}->{b}", ["snr_db"] = Math.Round(snr, 2), ["passband_db"] = Math.Round(pass, 5),
                ["passband_to_hz"] = upTo, ["rejection_db"] = Math.Round(rej, 2), ["speed_x"] = Math.Round(speed, 1),
                ["taps"] = r.Taps, ["meets_targets"] = ok,
            }, ok));
        }
        return results;
    }

}
