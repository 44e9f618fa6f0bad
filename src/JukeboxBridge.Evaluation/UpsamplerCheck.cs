using JukeboxBridge.Errors;
using JukeboxBridge.Audio;
using JukeboxBridge.Audio.Analysis;
using JukeboxBridge.Audio.Datasets;
using JukeboxBridge.Model.Prior;
using JukeboxBridge.Sampling;
using JukeboxBridge.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace JukeboxBridge.Evaluation;

/// <summary>
/// The upsamplers alone, on held-out pieces: each piece is encoded, then its lower levels are re-sampled under its OWN
/// upper-level codes and decoded from level 0. Spectral convergence against the original says whether the upsamplers add
/// detail (below the VQ-VAE's level-2 reconstruction) or noise (above it). Two diagnostics beside it: how many bits the
/// level above is worth to each upsampler (teacher-forced bits with another piece's upper codes minus with its own), and
/// the upsampler's bits on the codes it sampled against those on the true codes (a sampler that draws from what the model
/// learned gives about the same figure).
/// </summary>
public static class UpsamplerCheck
{
    public sealed record Result(double ScTrueTop, double ScTrueL1, double[] ConditioningGainBits, double[] SampledBits, double[] TrueBits, int Pieces);

    /// <summary>All pieces in one batch (cut to the shortest, at most <paramref name="seconds"/>).</summary>
    public static Result Measure(ModelBundle bundle, string dataDir, IReadOnlyList<DatasetEntry> pieces, double seconds, int seed, double? temperature = null)
    {
        var vq = bundle.Vqvae;
        int rate = vq.Options.SampleRate, unit = vq.Options.LengthMultiple, levels = vq.Levels;
        if (levels < 3) throw new ModelInputException("--model", "the upsampler check needs a three-level bundle");
        var clips = pieces.Select(p => AudioFile.ReadAs(Path.Combine(dataDir, p.File), rate, mono: true).Channels[0]).ToList();
        int n = (int)Math.Min(clips.Min(c => c.Length), (long)(seconds * rate)) / unit * unit;
        var x = clips.Select(c => c.AsSpan(0, n).ToArray()).ToArray();
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var truth = vq.Encode(tensor(x.SelectMany(c => c).ToArray()).view(x.Length, n, 1), batchChunk: 2);   // (P, T_l) per level
        var fromTop = Resample(bundle, truth, fromLevel: levels - 2, seed, temperature);
        var fromL1 = Resample(bundle, truth, fromLevel: 0, seed, temperature);
        var top = Decode(vq, fromTop);
        var l1 = Decode(vq, fromL1);
        double scTop = Enumerable.Range(0, x.Length).Average(i => SpectralDistance.Convergence(x[i], top[i], rate));
        double scL1 = Enumerable.Range(0, x.Length).Average(i => SpectralDistance.Convergence(x[i], l1[i], rate));
        var gain = new double[levels - 1];
        var sampledBits = new double[levels - 1];
        var trueBits = new double[levels - 1];
        for (int l = 0; l < levels - 1; l++)
        {
            // Another piece's upper codes: the batch rolled by one (pieces are spread over genres and artists).
            using var other = truth[l + 1].roll(1, 0);
            trueBits[l] = Bits(bundle.Priors[l], truth[l], truth[l + 1]);
            gain[l] = x.Length > 1 ? Bits(bundle.Priors[l], truth[l], other) - trueBits[l] : double.NaN;
            sampledBits[l] = Bits(bundle.Priors[l], fromTop[l], fromTop[l + 1]);
        }
        return new Result(scTop, scL1, gain, sampledBits, trueBits, pieces.Count);
    }

    /// <summary>Levels <paramref name="fromLevel"/> down to 0 re-sampled from nothing under the true codes above them.</summary>
    private static Tensor[] Resample(ModelBundle bundle, Tensor[] truth, int fromLevel, int seed, double? temperature)
    {
        long p = truth[0].shape[0];
        var zs = truth.Select((z, l) => l <= fromLevel ? zeros(p, 0, dtype: ScalarType.Int64) : z.clone()).ToArray();
        for (int l = fromLevel; l >= 0; l--)
        {
            var s = bundle.Sampling;
            var tokens = new SamplingOptions(temperature ?? s.Temperature[l], ChunkSize: s.ChunkSize[l]);
            var settings = new LevelSettings(tokens, s.HopFraction[l], s.MaxBatchSize[l]) { WindowSeed = seed };
            LevelSampling.SampleLevel(bundle.Priors[l], zs, l, truth[l].shape[1], null, settings);
        }
        return zs;
    }

    private static float[][] Decode(Model.Vqvae.VQVAE vq, Tensor[] zs)
    {
        using var audio = vq.Decode(zs, 0, batchChunk: 2);                  // bounded memory: two pieces at a time
        return Enumerable.Range(0, (int)audio.shape[0]).Select(i => audio[i, .., 0].contiguous().data<float>().ToArray()).ToArray();
    }

    /// <summary>Teacher-forced bits per code of an unlabelled upsampler over the whole windows of <paramref name="z"/>.</summary>
    private static double Bits(SimplePrior prior, Tensor z, Tensor upper)
    {
        using var scope = NewDisposeScope();
        var o = prior.Options;
        if (o.Labels) throw new ModelInputException("--model", "the upsampler check handles unlabelled upsamplers (the default model's)");
        long down = (long)Math.Pow(o.CondStrideT, o.CondDownT), total = z.shape[1];
        double sum = 0;
        int windows = 0;
        for (long start = 0; start + o.NCtx <= total; start += o.NCtx)
        {
            using var fwd = prior.Forward(z.narrow(1, start, o.NCtx), null, upper.narrow(1, start / down, o.NCtx / down));
            sum += fwd.GenLoss.item<float>();
            windows++;
        }
        return sum / Math.Max(1, windows);
    }
}
