using JukeboxBridge.Audio;
using JukeboxBridge.Model.Prior;
using TorchSharp;
using static TorchSharp.torch;

namespace JukeboxBridge.Sampling;

/// <summary>What to generate: how long after the prompt, how many variations, sampling overrides, labels per level.</summary>
public sealed record ContinuationRequest(double Seconds, int Variations = 1, int Seed = 0, double? Temperature = null, int TopK = 0, double TopP = 0)
{
    /// <summary>Label rows (variations, label length) per level for labelled priors; null for unlabelled ones.</summary>
    public Tensor?[]? Labels { get; init; }
    /// <summary>Full lyric tokens per variation, per level (lyrics priors).</summary>
    public IReadOnlyList<long[]>?[]? Lyrics { get; init; }
}

/// <summary>Progress of a continuation: which level, how many of its windows are done.</summary>
public sealed record ContinuationProgress(int Level, int WindowsDone, int WindowsTotal);

/// <summary>The generated take: audio per variation (prompt + continuation, 44.1 kHz mono) and the codes of every level.</summary>
public sealed record ContinuationResult(AudioClip[] Takes, Tensor[] Codes, double PromptSeconds) : IDisposable
{
    public void Dispose() { foreach (var c in Codes) c.Dispose(); }
}

/// <summary>
/// Primed continuation, the product's main job: the prompt is brought to the model's rate (mono), encoded at every
/// level, each level is sampled windowed from the top down (variations batched), and level 0 is decoded.
/// </summary>
public static class Continuation
{
    public static ContinuationResult Run(ModelBundle bundle, AudioClip prompt, ContinuationRequest request,
                                         IProgress<ContinuationProgress>? progress = null, CancellationToken cancel = default)
    {
        if (request.Seconds <= 0) throw new ArgumentException("the continuation length must be positive");
        if (request.Variations < 1) throw new ArgumentException("at least one variation");
        using var noGrad = no_grad();
        var vq = bundle.Vqvae;
        int rate = vq.Options.SampleRate, unit = vq.Options.LengthMultiple;
        var clip = JukeboxBridge.Audio.Resampling.Resampler.Convert(prompt.ToMono(), rate);
        long promptSamples = clip.Frames / unit * unit;
        if (promptSamples == 0) throw new ArgumentException($"the prompt is shorter than {unit} samples");
        long totalSamples = (promptSamples + (long)(request.Seconds * rate)) / unit * unit;
        int n = request.Variations;

        using var scope = NewDisposeScope();
        var x = tensor(clip.Channels[0].AsSpan(0, (int)promptSamples).ToArray()).view(1, promptSamples, 1).expand(n, promptSamples, 1).contiguous();
        var zs = vq.Encode(x, chunkSamples: 30L * rate);
        for (int i = 0; i < zs.Length; i++) zs[i] = zs[i].DetachFromDisposeScope();
        var generator = new Generator((ulong)request.Seed);
        try
        {
            for (int level = bundle.Priors.Length - 1; level >= 0; level--)
            {
                cancel.ThrowIfCancellationRequested();
                var prior = bundle.Priors[level];
                var o = prior.Options;
                long total = totalSamples / o.RawToTokens;
                var s = bundle.Sampling;
                var settings = new LevelSettings(
                    new SamplingOptions(request.Temperature ?? s.Temperature[level], request.TopK, request.TopP, s.ChunkSize[level]),
                    s.HopFraction[level], s.MaxBatchSize[level]) { FullLyricTokens = request.Lyrics?[level] };
                var labels = request.Labels?[level];
                if (o.Labels && labels is null) throw new ArgumentException($"the level-{level} prior needs labels (artist, genre{(o.UseTokens ? ", lyrics" : "")})");
                int windowsTotal = total >= o.NCtx ? LevelSampling.Starts(total, o.NCtx, (long)(s.HopFraction[level] * o.NCtx)).Count() : 1;
                int done = 0;
                progress?.Report(new ContinuationProgress(level, 0, windowsTotal));
                LevelSampling.SampleLevel(prior, zs, level, total, labels, settings, generator,
                    new SyncProgress<WindowReport>(_ => progress?.Report(new ContinuationProgress(level, ++done, windowsTotal))), cancel);
            }
            var audio = vq.Decode(new[] { zs[0] }, 0, chunkFrames: 30L * rate / vq.HopLengths[0]);   // (N, T, 1)
            long keep = Math.Min(totalSamples, audio.shape[1]);
            var takes = new AudioClip[n];
            for (int i = 0; i < n; i++)
            {
                var samples = audio[i, ..(int)keep, 0].contiguous().data<float>().ToArray();
                for (int k = 0; k < samples.Length; k++) samples[k] = Math.Clamp(samples[k], -1f, 1f);
                takes[i] = AudioClip.Mono(rate, samples);
            }
            return new ContinuationResult(takes, zs, promptSamples / (double)rate);
        }
        catch
        {
            foreach (var z in zs) z.Dispose();
            throw;
        }
    }

    private sealed class SyncProgress<T>(Action<T> f) : IProgress<T>
    {
        public void Report(T value) => f(value);
    }
}
