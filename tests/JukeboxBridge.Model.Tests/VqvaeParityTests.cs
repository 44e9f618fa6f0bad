using JukeboxBridge.Audio;
using JukeboxBridge.Checkpoints;
using JukeboxBridge.Model.Checkpoints;
using JukeboxBridge.Model.Vqvae;
using JukeboxBridge.TestSupport;
using static TorchSharp.torch;

namespace JukeboxBridge.Model.Tests;

/// <summary>Every vqvae_eval case: the same numbers as OpenAI's reference, codes exactly.</summary>
[Trait("Category", "Parity")]
[Trait("Area", "VQVAE")]
public class VqvaeParityTests
{
    private const string Kind = "vqvae_eval";
    public static IEnumerable<object[]> Cases() => FixtureCases.Rows("vqvae", Kind);

    private sealed class Loaded : IDisposable
    {
        public required FixtureCase Case;
        public required CheckpointFile File;
        public required VQVAE Model;
        public required Tolerance Tol;
        public StoredTensor this[string name] => File[name];
        public bool Has(string name) => File.TryGet(name, out _);
        public void Dispose() { Model.Dispose(); File.Dispose(); }
    }

    private static Loaded Load(string name)
    {
        var c = FixtureCases.Get("vqvae", Kind, name);
        var options = VqvaeOptions.FromJson(c.Json.GetProperty("constructor"), c.Name);
        var model = new VQVAE(options);
        var file = CheckpointFile.Open(c.TensorPath);
        var report = StateDictLoader.Load(model, StateDictLoader.WithPrefix(file, "weights/"), strict: true, c.Name);
        Assert.True(report.Ok, report.Describe());
        model.eval();
        return new Loaded { Case = c, File = file, Model = model, Tol = Tolerance.From(c.Json) };
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Hop_lengths_match(string name)
    {
        using var l = Load(name);
        Assert.Equal(l.Case.Json.GetProperty("hop_lengths").EnumerateArray().Select(x => x.GetInt32()), l.Model.HopLengths);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Encoder_blocks_latents_codes_and_quantiser_metrics(string name)
    {
        using var l = Load(name);
        using var scope = NewDisposeScope();
        using var g = no_grad();
        var x = l["inputs/x"].ToTorch();
        var xIn = l.Model.Preprocess(x);
        TensorAssert.Close(xIn, l["pre/x_in"], l.Tol, "pre/x_in");
        for (int lev = 0; lev < l.Model.Levels; lev++)
        {
            var blocks = l.Model.EncoderOf(lev).ForwardAll(xIn);
            for (int j = 0; j < blocks.Count - 1; j++)
                if (l.Has($"enc/L{lev}/block{j}")) TensorAssert.Close(blocks[j], l[$"enc/L{lev}/block{j}"], l.Tol, $"enc/L{lev}/block{j}");
            TensorAssert.Close(blocks[^1], l[$"enc/L{lev}/out"], l.Tol, $"enc/L{lev}/out");

            // Quantise the reference's own latent so an encoder rounding difference cannot move a code.
            var q = l.Model.CodebookOf(lev).Quantise(l[$"enc/L{lev}/out"].ToTorch());
            TensorAssert.Close(q.Codes, l[$"codes/L{lev}"], l.Tol, $"codes/L{lev}");
            TensorAssert.Close(q.Fit, l[$"quant/L{lev}/fit"], l.Tol, $"quant/L{lev}/fit");
            TensorAssert.Close(q.Prenorm, l[$"quant/L{lev}/prenorm"], l.Tol, $"quant/L{lev}/prenorm");
            var (_, minDist) = l.Model.CodebookOf(lev).Nearest(BottleneckBlock.Flatten(l[$"enc/L{lev}/out"].ToTorch()));
            TensorAssert.Close(minDist.view(q.Codes.shape), l[$"quant/L{lev}/min_distance"], l.Tol, $"quant/L{lev}/min_distance");
        }
        // And the public API end to end from audio.
        var codes = l.Model.Encode(x);
        for (int lev = 0; lev < codes.Length; lev++) TensorAssert.Close(codes[lev], l[$"codes/L{lev}"], l.Tol, $"Encode codes L{lev}");
        var upper = l.Model.Encode(x, startLevel: 1);
        Assert.Equal(l.Model.Levels - 1, upper.Length);
        TensorAssert.Close(upper[0], l["codes/L1"], l.Tol, "Encode(start 1)[0]");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Dequantised_latents_decoders_and_decode_from_each_level(string name)
    {
        using var l = Load(name);
        using var scope = NewDisposeScope();
        using var g = no_grad();
        var codes = Enumerable.Range(0, l.Model.Levels).Select(lev => l[$"codes/L{lev}"].ToTorch()).ToArray();
        for (int lev = 0; lev < l.Model.Levels; lev++)
        {
            TensorAssert.Close(l.Model.CodebookOf(lev).Dequantise(codes[lev]), l[$"dequant/L{lev}"], l.Tol, $"dequant/L{lev}");
            TensorAssert.Close(l.Model.DecoderOf(lev).forward(l[$"dequant/L{lev}"].ToTorch()), l[$"dec/L{lev}/out"], l.Tol, $"dec/L{lev}/out");
            var decoded = l.Model.Decode(codes[lev..], startLevel: lev);
            TensorAssert.Close(decoded, l[$"decode/start{lev}"], l.Tol, $"decode/start{lev}");
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Forward_loss_every_metric_each_loss_fn_and_stft_magnitudes(string name)
    {
        using var l = Load(name);
        using var scope = NewDisposeScope();
        using var g = no_grad();
        var lossOptions = System.Text.Json.JsonSerializer.Deserialize<VqvaeLossOptions>(l.Case.Json.GetProperty("hparams").GetRawText())!;
        var x = l["inputs/x"].ToTorch();
        using var fwd = VqvaeForward.Run(l.Model, x, lossOptions);
        TensorAssert.Close(fwd.Reconstruction, l["forward/x_out"], l.Tol, "forward/x_out");
        TensorAssert.Close(fwd.Loss, l["forward/loss"], l.Tol, "forward/loss");
        var expectedMetrics = l.File.Tensors.Where(t => t.Name.StartsWith("forward/metrics/")).ToList();
        Assert.NotEmpty(expectedMetrics);
        foreach (var m in expectedMetrics)
        {
            string key = m.Name["forward/metrics/".Length..];
            Assert.True(fwd.Metrics.ContainsKey(key), $"metric '{key}' not computed");
            TensorAssert.Close(fwd.Metrics[key], m, l.Tol, m.Name);
        }

        // Each reconstruction loss on each decoder's output (the reference's own decode).
        for (int lev = 0; lev < l.Model.Levels; lev++)
        {
            var y = l[$"decode/start{lev}"].ToTorch();
            foreach (var fn in new[] { "l1", "l2", "linf", "lmix" })
                if (l.Has($"loss_fn/L{lev}/{fn}"))
                    TensorAssert.Close(VqvaeLosses.Reconstruction(fn, x, y, lossOptions), l[$"loss_fn/L{lev}/{fn}"], l.Tol, $"loss_fn/L{lev}/{fn}");
        }

        // STFT magnitudes of the input and of the reference's reconstruction, per setting.
        var xOut = l["forward/x_out"].ToTorch();
        foreach (var (key, s) in l.Case.Json.GetProperty("stft_settings").EnumerateObject()
                     .Select(p => (p.Name, new StftSettings(p.Value.GetProperty("n_fft").GetInt32(), p.Value.GetProperty("hop_length").GetInt32(), p.Value.GetProperty("win_length").GetInt32()))))
        {
            TensorAssert.Close(VqvaeLosses.Spec(x, s), l[$"spec/{key}/in"], l.Tol, $"spec/{key}/in");
            TensorAssert.Close(VqvaeLosses.Spec(xOut, s), l[$"spec/{key}/out"], l.Tol, $"spec/{key}/out");
            TensorAssert.Close(VqvaeLosses.SpectralLoss(x, xOut, s), l[$"spec/{key}/norm_diff"], l.Tol, $"spec/{key}/norm_diff");
        }
        TensorAssert.Close(VqvaeLosses.SpectralLoss(x, xOut, VqvaeLossOptions.SpectralSettings), l["spec/spectral_loss"], l.Tol, "spec/spectral_loss");
        TensorAssert.Close(VqvaeLosses.MultispectralLoss(x, xOut, lossOptions), l["spec/multispectral_loss"], l.Tol, "spec/multispectral_loss");
        TensorAssert.Close(VqvaeLosses.SpectralConvergence(x, xOut), l["spec/spectral_convergence"], l.Tol, "spec/spectral_convergence");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Stereo_to_mono_is_the_channel_average(string name)
    {
        using var l = Load(name);
        var stereo = l["audio_preprocess/x_stereo"];
        var want = l["audio_preprocess/out"];
        var v = stereo.ToDoubles();
        int n = (int)stereo.Shape[0], t = (int)stereo.Shape[1];
        for (int b = 0; b < n; b++)
        {
            var clip = new AudioClip(44100, new[]
            {
                Enumerable.Range(0, t).Select(i => (float)v[(b * t + i) * 2]).ToArray(),
                Enumerable.Range(0, t).Select(i => (float)v[(b * t + i) * 2 + 1]).ToArray(),
            });
            var mono = clip.ToMono().Channels[0];
            var w = want.ToDoubles().Skip(b * t).Take(t).ToArray();
            for (int i = 0; i < t; i++) Assert.True(Math.Abs(mono[i] - w[i]) <= 1e-6 * Math.Max(1, Math.Abs(w[i])), $"item {b} sample {i}");
        }
    }
}
