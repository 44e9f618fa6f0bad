using System.Diagnostics;
using JukeboxBridge.Model;
using TorchSharp;
using JukeboxBridge.Model.Vqvae;
using static TorchSharp.torch;

namespace JukeboxBridge.Benchmarks;

/// <summary>
/// vqvae: encode (all three levels) and decode (from level 0) of S seconds of audio with a model preset
/// (default: the official configuration, random weights), on CPU (or --device cuda).
/// Fields: encode_s, decode_s, rtf (= (encode_s + decode_s) / seconds; below 1 is faster than real time).
/// Reference point: OpenAI's code (PyTorch 1.13) on the 2-core CI machine took ~11 s to encode and ~2 s to
/// decode 10 s of audio. Options: --seconds 10 --preset vqvae --repeats 2 --device cpu|cuda --threads N
/// </summary>
public sealed class VqvaeBenchmark : IBenchmark
{
    public string Name => "vqvae";
    public string Description => "VQ-VAE encode + decode time and real-time factor (official configuration)";

    public IReadOnlyList<Measurement> Run(string[] options)
    {
        double seconds = double.Parse(BenchmarkOptions.Get(options, "--seconds", "10"));
        string preset = BenchmarkOptions.Get(options, "--preset", "vqvae");
        int repeats = int.Parse(BenchmarkOptions.Get(options, "--repeats", "2"));
        var device = new Device(BenchmarkOptions.Get(options, "--device", "cpu"));
        if (BenchmarkOptions.Get(options, "--threads", "") is { Length: > 0 } th) set_num_threads(int.Parse(th));

        using var vq = VqvaeLoader.Load(preset, seed: 0);
        vq.Model.to(device);
        int rate = vq.Model.Options.SampleRate, unit = vq.Model.Options.LengthMultiple;
        long n = (long)(seconds * rate) / unit * unit;
        manual_seed(0);
        using var x = ((rand(1, n, 1) * 2 - 1) * 0.3).to(device);
        Console.Error.WriteLine($"vqvae benchmark: preset {preset}, {n / (double)rate:F2} s of audio, device {device}, threads {get_num_threads()}");

        double bestEnc = double.MaxValue, bestDec = double.MaxValue;
        for (int i = 0; i < repeats; i++)
        {
            var sw = Stopwatch.StartNew();
            var codes = vq.Model.Encode(x);
            long sync = codes[0].cpu().sum().item<long>();
            bestEnc = Math.Min(bestEnc, sw.Elapsed.TotalSeconds);
            sw.Restart();
            using var y = vq.Model.Decode(codes, 0);
            float s = y.cpu().sum().item<float>();
            bestDec = Math.Min(bestDec, sw.Elapsed.TotalSeconds);
            foreach (var c in codes) c.Dispose();
            Console.Error.WriteLine($"  run {i}: encode {bestEnc:F2} s, decode {bestDec:F2} s");
        }
        double audioS = n / (double)rate;
        return new[]
        {
            new Measurement(new Dictionary<string, object>
            {
                ["preset"] = preset, ["device"] = device.ToString(), ["seconds"] = Math.Round(audioS, 2),
                ["encode_s"] = Math.Round(bestEnc, 3), ["decode_s"] = Math.Round(bestDec, 3),
                ["rtf"] = Math.Round((bestEnc + bestDec) / audioS, 3),
                ["threads"] = get_num_threads(),
            }),
        };
    }

}
