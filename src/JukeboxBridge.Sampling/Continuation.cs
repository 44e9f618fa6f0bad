using JukeboxBridge.Audio;
using JukeboxBridge.Model.Prior;
using TorchSharp;
using static TorchSharp.torch;

namespace JukeboxBridge.Sampling;

/// <summary>What to generate: how long after the prompt, how many variations, sampling overrides, labels per level.</summary>
public sealed record ContinuationRequest(double Seconds, int Variations = 1, int Seed = 0, double? Temperature = null, int TopK = 0, double TopP = 0)
{
    /// <summary>Interleaved (default: audio blocks stream early) or the reference's level-by-level order; same codes either way.</summary>
    public ScheduleKind Schedule { get; init; } = ScheduleKind.Interleaved;
    /// <summary>Seconds of audio per streamed block.</summary>
    public double BlockSeconds { get; init; } = 1.0;

    /// <summary>Label rows (variations, label length) per level for labelled priors; null for unlabelled ones.</summary>
    public Tensor?[]? Labels { get; init; }
    /// <summary>Full lyric tokens per variation, per level (lyrics priors).</summary>
    public IReadOnlyList<long[]>?[]? Lyrics { get; init; }
}

/// <summary>Progress of a continuation: which level, how many of its windows are done.</summary>
public sealed record ContinuationProgress(int Level, int WindowsDone, int WindowsTotal, long NewTokens = 0);

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
    /// <param name="blocks">Receives level-0 audio blocks (seam-free) as soon as they can be decoded.</param>
    public static ContinuationResult Run(ModelBundle bundle, AudioClip prompt, ContinuationRequest request,
                                         IProgress<ContinuationProgress>? progress = null, CancellationToken cancel = default,
                                         IProgress<DecodedBlock>? blocks = null)
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
        try
        {
            var s = bundle.Sampling;
            LevelSettings Settings(int level) => new(
                new SamplingOptions(request.Temperature ?? s.Temperature[level], request.TopK, request.TopP, s.ChunkSize[level]),
                s.HopFraction[level], s.MaxBatchSize[level]) { FullLyricTokens = request.Lyrics?[level], WindowSeed = request.Seed };
            for (int level = 0; level < bundle.Priors.Length; level++)
                if (bundle.Priors[level].Options.Labels && request.Labels?[level] is null)
                    throw new ArgumentException($"the level-{level} prior needs labels (artist, genre{(bundle.Priors[level].Options.UseTokens ? ", lyrics" : "")})");
            var totals = bundle.Priors.Select((p, l) =>
                LevelSampling.Plan(p.Options, totalSamples / p.Options.RawToTokens, zs[l].shape[1], s.HopFraction[l]).Count).ToArray();
            var done = new int[bundle.Priors.Length];
            // Streaming: level-0 blocks are decoded as their codes (and look-ahead) appear and make up the take;
            // otherwise the take is decoded once at the end.
            var decoder = blocks is null ? null : new BlockDecoder(vq, request.BlockSeconds);
            var streamed = new List<DecodedBlock>();
            void Emit(bool final)
            {
                foreach (var b in decoder!.Push(zs[0], final)) { streamed.Add(b); blocks!.Report(b); }
            }
            Schedule.Run(request.Schedule, bundle.Priors, zs, totalSamples, l => request.Labels?[l], Settings, w =>
            {
                progress?.Report(new ContinuationProgress(w.Level, ++done[w.Level], totals[w.Level], w.NewTokens * n));
                if (w.Level == 0 && decoder is not null) Emit(final: done[0] == totals[0]);
            }, cancel: cancel);
            if (decoder is not null) Emit(final: true);

            long keep;
            float[][] rows;
            if (decoder is not null)
            {
                rows = Enumerable.Range(0, n).Select(i => streamed.SelectMany(b => b.Audio[i]).ToArray()).ToArray();
                keep = Math.Min(totalSamples, rows[0].Length);
            }
            else
            {
                using var audio = vq.Decode(new[] { zs[0] }, 0, chunkFrames: 30L * rate / vq.HopLengths[0]);   // (N, T, 1)
                keep = Math.Min(totalSamples, audio.shape[1]);
                rows = Enumerable.Range(0, n).Select(i => audio[i, ..(int)keep, 0].contiguous().data<float>().ToArray()).ToArray();
            }
            var takes = new AudioClip[n];
            for (int i = 0; i < n; i++)
            {
                var samples = rows[i].AsSpan(0, (int)keep).ToArray();
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

}
