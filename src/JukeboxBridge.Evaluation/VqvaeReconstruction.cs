using JukeboxBridge.Audio;
using JukeboxBridge.Audio.Analysis;
using JukeboxBridge.Audio.Datasets;
using JukeboxBridge.Model.Vqvae;
using static TorchSharp.torch;

namespace JukeboxBridge.Evaluation;

/// <summary>
/// Encodes held-out audio and decodes it from each level alone; compares spectra with the original, and whether the
/// key estimator names the same key for the reconstruction as for the original (how much pitch a level keeps: a prior
/// can only continue a key that its level's codes carry).
/// </summary>
public static class VqvaeReconstruction
{
    public sealed record Result(double[] Convergence, double[] MultiResolution, double[] KeyPreserved);

    public static Result Measure(VQVAE vq, string dataDir, IReadOnlyList<DatasetEntry> pieces, double seconds)
    {
        int levels = vq.Levels, rate = vq.Options.SampleRate, unit = vq.Options.LengthMultiple;
        var sc = new double[levels];
        var mr = new double[levels];
        var key = new double[levels];
        using var noGrad = no_grad();
        foreach (var entry in pieces)
        {
            var clip = AudioFile.ReadAs(Path.Combine(dataDir, entry.File), rate, mono: true);
            int n = (int)Math.Min(clip.Frames, (long)(seconds * rate)) / unit * unit;
            var x = clip.Channels[0].AsSpan(0, n).ToArray();
            using var scope = NewDisposeScope();
            var zs = vq.Encode(tensor(x).view(1, n, 1));
            int originalKey = KeyEstimator.Estimate(x, rate).Key;
            for (int l = 0; l < levels; l++)
            {
                var y = vq.Decode(zs[l..], l)[0, .., 0].contiguous().data<float>().ToArray();
                sc[l] += SpectralDistance.Convergence(x, y, rate) / pieces.Count;
                mr[l] += SpectralDistance.MultiResolution(x, y, rate) / pieces.Count;
                key[l] += (KeyEstimator.Estimate(y, rate).Key == originalKey ? 1.0 : 0.0) / pieces.Count;
            }
        }
        return new Result(sc, mr, key);
    }
}
