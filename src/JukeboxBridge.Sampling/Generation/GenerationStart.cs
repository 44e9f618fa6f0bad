using JukeboxBridge.Errors;
using JukeboxBridge.Audio;
using JukeboxBridge.Audio.Resampling;
using JukeboxBridge.Model.Vqvae;
using JukeboxBridge.Sampling.Devices;
using JukeboxBridge.Sampling.Jobs;
using static TorchSharp.torch;

namespace JukeboxBridge.Sampling.Generation;

/// <summary>
/// What a generation verb hands the window loop, as data (the reference's sample_levels over given codes): the codes
/// every level starts from (variations, tokens), the take's length, the audio at its start that is given rather than
/// sampled, and the highest level to sample (levels above it are kept as they are).
/// </summary>
public sealed record GenerationStart(Tensor[] Codes, long TotalSamples, long PromptSamples, int HighestLevel, JobSettings Settings);

/// <summary>
/// The verbs, each a way to build a <see cref="GenerationStart"/>: continue a prompt (audio or codes), sample from
/// nothing, upsample saved upper-level codes. All run through the same window loop.
/// </summary>
public static class GenerationVerbs
{
    /// <summary>Continue audio: the prompt is brought to the model's rate and mono, encoded once and shared by every variation.</summary>
    public static GenerationStart Continue(ModelBundle bundle, JobSettings s, AudioClip prompt, ModelResidency residency)
    {
        var (zs, promptSamples) = EncodePrompt(bundle, residency, prompt, s.Variations);
        return new GenerationStart(zs, promptSamples + WholeSamples(bundle, s.Seconds), promptSamples, bundle.Priors.Length - 1, s);
    }

    /// <summary>Continue saved codes: every level must cover the same length.</summary>
    public static GenerationStart Continue(ModelBundle bundle, JobSettings s, CodesFile codes)
    {
        var vq = bundle.Vqvae;
        int levels = bundle.Priors.Length;
        var zs = StartingCodes(bundle, codes, s.Variations, Enumerable.Range(0, levels), null, null);
        long promptSamples = zs[0].shape[1] * vq.HopLengths[0];
        for (int l = 1; l < levels; l++)
            if (zs[l].shape[1] * vq.HopLengths[l] != promptSamples)
                throw new UserInputException("codes", $"the codes' levels cover different lengths (level 0: {promptSamples} samples, level {l}: {zs[l].shape[1] * vq.HopLengths[l]})");
        return new GenerationStart(zs, promptSamples + WholeSamples(bundle, s.Seconds), promptSamples, levels - 1, s);
    }

    /// <summary>Ancestral sampling: every level from nothing.</summary>
    public static GenerationStart Sample(ModelBundle bundle, JobSettings s)
    {
        long total = WholeSamples(bundle, s.Seconds);
        var vq = bundle.Vqvae;
        if (total == 0) throw new UserInputException("--seconds", $"ancestral sampling needs at least {vq.Options.LengthMultiple / (double)vq.Options.SampleRate:F3} s");
        var zs = Enumerable.Range(0, bundle.Priors.Length).Select(_ => zeros(new long[] { s.Variations, 0 }, ScalarType.Int64)).ToArray();
        return new GenerationStart(zs, total, 0, bundle.Priors.Length - 1, s);
    }

    /// <summary>
    /// Re-sample the levels from <see cref="JobSettings.FromLevel"/> down under the saved codes above them, keeping the
    /// first <see cref="JobSettings.KeepSeconds"/> at every level; of every row, or of the one <see cref="JobSettings.Variation"/>
    /// (a preview's keeper), shared by the job's variations.
    /// </summary>
    public static GenerationStart Upsample(ModelBundle bundle, JobSettings s, CodesFile codes)
    {
        var vq = bundle.Vqvae;
        int levels = bundle.Priors.Length;
        int highest = s.FromLevel ?? levels - 2;
        if (highest >= levels - 1) throw new UserInputException("--from-level", $"upsample re-samples levels below the top one: --from-level 0 to {levels - 2}");
        long keep = WholeSamples(bundle, s.KeepSeconds);
        var zs = StartingCodes(bundle, codes, s.Variations, Enumerable.Range(highest + 1, levels - highest - 1), (Enumerable.Range(0, highest + 1), keep), s.Variation);
        long total = zs[highest + 1].shape[1] * vq.HopLengths[highest + 1];
        int rate = vq.Options.SampleRate;
        if (keep > total) throw new UserInputException("--keep-seconds", $"--keep-seconds {s.KeepSeconds} is longer than the codes ({total / (double)rate:F2} s)");
        return new GenerationStart(zs, total, keep, highest, s with { Seconds = (total - keep) / (double)rate });
    }

    /// <summary>Seconds as samples, in whole units of the top level's hop.</summary>
    private static long WholeSamples(ModelBundle bundle, double seconds)
    {
        int rate = bundle.Vqvae.Options.SampleRate, unit = bundle.Vqvae.Options.LengthMultiple;
        return (long)Math.Round(seconds * rate) / unit * unit;
    }

    private static (Tensor[] Codes, long Samples) EncodePrompt(ModelBundle bundle, ModelResidency residency, AudioClip prompt, int n)
    {
        var vq = bundle.Vqvae;
        int rate = vq.Options.SampleRate, unit = vq.Options.LengthMultiple;
        var clip = Resampler.Convert(prompt.ToMono(), rate);
        long samples = clip.Frames / unit * unit;
        if (samples == 0) throw new UserInputException("prompt", $"the prompt is shorter than {unit} samples ({unit / (double)rate * 1000:F0} ms at {rate} Hz)");
        residency.Use(vq);
        using var scope = NewDisposeScope();
        var device = vq.parameters().First().device;
        var x = tensor(clip.Channels[0].AsSpan(0, (int)samples).ToArray()).view(1, samples, 1).to(device);
        var zs = vq.Encode(x, chunkSamples: 30L * rate);                       // encoded once, shared by every variation
        return (zs.Select(z => z.cpu().expand(n, -1).contiguous().DetachFromDisposeScope()).ToArray(), samples);
    }

    /// <summary>
    /// Codes to start from: <paramref name="whole"/> levels as saved; the <paramref name="cut"/> levels cut to their
    /// first Samples (empty when 0). A file with one row serves every variation; otherwise it must have one per variation,
    /// unless <paramref name="row"/> picks one of its rows for all of them.
    /// </summary>
    private static Tensor[] StartingCodes(ModelBundle bundle, CodesFile codes, int n, IEnumerable<int> whole, (IEnumerable<int> Levels, long Samples)? cut, int? row)
    {
        var vq = bundle.Vqvae;
        if (codes.HopLengths.Length > 0 && !codes.HopLengths.SequenceEqual(vq.HopLengths))
            throw new UserInputException("codes", $"the codes were made with hops {string.Join("/", codes.HopLengths)}; this model's are {string.Join("/", vq.HopLengths)}");
        var zs = new Tensor[bundle.Priors.Length];
        foreach (int l in whole) zs[l] = Rows(vq, codes, l, n, row);
        if (cut is var (levels, samples))
            foreach (int l in levels)
            {
                long keep = samples / vq.HopLengths[l];
                zs[l] = keep == 0 ? zeros(new long[] { n, 0 }, ScalarType.Int64) : Rows(vq, codes, l, n, row).narrow(1, 0, keep).contiguous();
                if (zs[l].shape[1] < keep) throw new UserInputException("codes", $"level-{l} codes are shorter than the kept seconds");
            }
        return zs;
    }

    private static Tensor Rows(Model.Vqvae.VQVAE vq, CodesFile codes, int l, int n, int? row)
    {
        if (!codes.Levels.TryGetValue(l, out var z)) throw new UserInputException("codes", $"the codes file has no level-{l} codes");
        if (row is int k)
        {
            if (k >= z.shape[0]) throw new UserInputException("variation", $"variation {k + 1} does not exist: the codes have {z.shape[0]} variation(s)");
            z = z.narrow(0, k, 1);
        }
        if (z.shape[0] != 1 && z.shape[0] != n) throw new UserInputException("--variations", $"the codes file has {z.shape[0]} rows at level {l}; use --variations {z.shape[0]} or a file with one row");
        long bad = z.lt(0).logical_or(z.ge(vq.Options.LBins)).sum().item<long>();
        if (bad > 0) throw new UserInputException("codes", $"level-{l} codes outside 0..{vq.Options.LBins - 1}");
        return z.expand(n, -1).contiguous();
    }
}
