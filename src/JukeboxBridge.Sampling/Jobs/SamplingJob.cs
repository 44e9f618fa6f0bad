using System.Diagnostics;
using JukeboxBridge.Audio;
using JukeboxBridge.Audio.Plots;
using JukeboxBridge.Audio.Resampling;
using JukeboxBridge.Audio.Wav;
using JukeboxBridge.Model.Prior;
using JukeboxBridge.Model.Vqvae;
using JukeboxBridge.Sampling.Conditioning;
using JukeboxBridge.Sampling.Devices;
using static TorchSharp.torch;

namespace JukeboxBridge.Sampling.Jobs;

/// <summary>
/// One sampling job: its settings, its state (codes, plan, progress) and optionally its folder. Created from prompt
/// audio (continue), saved codes (continue, upsample) or nothing (ancestral), or resumed from a folder; run once to
/// completion, cancellation or failure. With a folder, the codes are saved after every window and every streamed
/// block before it is reported, so whatever happens the folder resumes to the uninterrupted result.
/// </summary>
public sealed class SamplingJob : IDisposable
{
    private readonly ModelBundle _bundle;
    private readonly ModelResidency _residency;
    private readonly Action<string>? _log;

    public JobSettings Settings { get; }
    public JobState State { get; }
    public TakeStore? Store { get; }
    public IReadOnlyList<string> Warnings { get; }

    private SamplingJob(ModelBundle bundle, JobSettings settings, JobState state, TakeStore? store, DeviceOptions? device,
                        Action<string>? log, IReadOnlyList<string> warnings)
    {
        _bundle = bundle; Settings = settings; State = state; Store = store; _log = log; Warnings = warnings;
        _residency = new ModelResidency(device ?? new DeviceOptions(), log);
    }

    private int Rate => _bundle.Vqvae.Options.SampleRate;

    /// <summary>
    /// A new job. <paramref name="prompt"/> (Continue) is brought to the model's rate and mono and encoded;
    /// <paramref name="codes"/> (Continue from codes, Upsample) provides the starting codes instead.
    /// </summary>
    /// <param name="rowStyles">An artist and genre per variation instead of the settings' one (evaluations batching styles).</param>
    public static SamplingJob Create(ModelBundle bundle, JobSettings settings, AudioClip? prompt = null, CodesFile? codes = null,
                                     string? idsDir = null, TakeStore? store = null, DeviceOptions? device = null, Action<string>? log = null,
                                     IReadOnlyList<(string? Artist, string? Genre)>? rowStyles = null)
    {
        int levels = bundle.Priors.Length;
        settings = settings.Resolved(bundle.Sampling, levels);
        var vq = bundle.Vqvae;
        int rate = vq.Options.SampleRate, unit = vq.Options.LengthMultiple, n = settings.Variations;
        var residency = new ModelResidency(device ?? new DeviceOptions(), log);
        long Whole(double seconds) => (long)Math.Round(seconds * rate) / unit * unit;

        Tensor[] zs;
        long promptSamples, total;
        int highest = levels - 1;
        using (var noGrad = no_grad())
        {
            switch (settings.Mode)
            {
                case JobMode.Continue when prompt is not null:
                    (zs, promptSamples) = EncodePrompt(bundle, residency, prompt, n);
                    total = promptSamples + Whole(settings.Seconds);
                    break;
                case JobMode.Continue when codes is not null:
                    zs = StartingCodes(bundle, codes, n, Enumerable.Range(0, levels), null);
                    promptSamples = zs[0].shape[1] * vq.HopLengths[0];
                    for (int l = 1; l < levels; l++)
                        if (zs[l].shape[1] * vq.HopLengths[l] != promptSamples)
                            throw new ArgumentException($"the codes' levels cover different lengths (level 0: {promptSamples} samples, level {l}: {zs[l].shape[1] * vq.HopLengths[l]})");
                    total = promptSamples + Whole(settings.Seconds);
                    break;
                case JobMode.Continue:
                    throw new ArgumentException("continue needs a prompt: audio or a codes file");
                case JobMode.Sample:
                    zs = Enumerable.Range(0, levels).Select(_ => zeros(new long[] { n, 0 }, ScalarType.Int64)).ToArray();
                    promptSamples = 0;
                    total = Whole(settings.Seconds);
                    if (total == 0) throw new ArgumentException($"ancestral sampling needs at least {unit / (double)rate:F3} s");
                    break;
                case JobMode.Upsample:
                    if (codes is null) throw new ArgumentException("upsample needs a codes file");
                    highest = settings.FromLevel ?? levels - 2;
                    if (highest >= levels - 1) throw new ArgumentException($"upsample re-samples levels below the top one: --from-level 0 to {levels - 2}");
                    long keep = Whole(settings.KeepSeconds);
                    zs = StartingCodes(bundle, codes, n, Enumerable.Range(highest + 1, levels - highest - 1), (Enumerable.Range(0, highest + 1), keep));
                    total = zs[highest + 1].shape[1] * vq.HopLengths[highest + 1];
                    if (keep > total) throw new ArgumentException($"--keep-seconds {settings.KeepSeconds} is longer than the codes ({total / (double)rate:F2} s)");
                    promptSamples = keep;
                    settings = settings with { Seconds = (total - keep) / (double)rate };
                    break;
                default:
                    throw new ArgumentException($"unknown mode {settings.Mode}");
            }
        }

        if (rowStyles is not null && rowStyles.Count != n) throw new ArgumentException($"{rowStyles.Count} row styles for {n} variations");
        var style = StyleLabels.Build(bundle, rowStyles ?? Enumerable.Repeat((settings.Artist ?? bundle.Sampling.Artist, settings.Genre ?? bundle.Sampling.Genre), n).ToList(), settings.Lyrics,
            (settings.SongSeconds ?? bundle.Sampling.SongSeconds) is double song ? (long)(song * rate) : total, (long)(settings.OffsetSeconds * rate), idsDir);
        var plans = Schedule.PlanAll(bundle.Priors, zs, total, l => LevelSettingsOf(settings, l, style.Lyrics[l]), highest);
        var state = new JobState(zs, total, promptSamples, plans, new int[levels], zs.Select(z => z.shape[1]).ToArray(), style.Labels, style.Lyrics);
        var job = new SamplingJob(bundle, settings, state, store, device, log, style.Warnings);
        if (store is not null)
        {
            store.WriteSettings(settings);
            job.SaveState();
            store.WriteStatus(new JobStatus(JobStatus.Running));
        }
        return job;
    }

    /// <summary>Re-opens a job folder where it stopped.</summary>
    public static SamplingJob Resume(ModelBundle bundle, TakeStore store, DeviceOptions? device = null, Action<string>? log = null)
    {
        var settings = store.ReadSettings().Resolved(bundle.Sampling, bundle.Priors.Length);
        using var codes = store.ReadCodes();
        var state = JobState.FromCodesFile(codes);
        if (state.Levels != bundle.Priors.Length) { state.Dispose(); throw new ArgumentException($"{store.Dir} has {state.Levels} levels of codes; the model has {bundle.Priors.Length}"); }
        return new SamplingJob(bundle, settings, state, store, device, log, Array.Empty<string>());
    }

    private static (Tensor[] Codes, long Samples) EncodePrompt(ModelBundle bundle, ModelResidency residency, AudioClip prompt, int n)
    {
        var vq = bundle.Vqvae;
        int rate = vq.Options.SampleRate, unit = vq.Options.LengthMultiple;
        var clip = Resampler.Convert(prompt.ToMono(), rate);
        long samples = clip.Frames / unit * unit;
        if (samples == 0) throw new ArgumentException($"the prompt is shorter than {unit} samples ({unit / (double)rate * 1000:F0} ms at {rate} Hz)");
        residency.Use(vq);
        using var scope = NewDisposeScope();
        var device = vq.parameters().First().device;
        var x = tensor(clip.Channels[0].AsSpan(0, (int)samples).ToArray()).view(1, samples, 1).to(device);
        var zs = vq.Encode(x, chunkSamples: 30L * rate);                       // encoded once, shared by every variation
        return (zs.Select(z => z.cpu().expand(n, -1).contiguous().DetachFromDisposeScope()).ToArray(), samples);
    }

    /// <summary>
    /// Codes to start from: <paramref name="whole"/> levels as saved; the <paramref name="cut"/> levels cut to their
    /// first Samples (empty when 0). A file with one row serves every variation; otherwise it must have one per variation.
    /// </summary>
    private static Tensor[] StartingCodes(ModelBundle bundle, CodesFile codes, int n, IEnumerable<int> whole, (IEnumerable<int> Levels, long Samples)? cut)
    {
        var vq = bundle.Vqvae;
        if (codes.HopLengths.Length > 0 && !codes.HopLengths.SequenceEqual(vq.HopLengths))
            throw new ArgumentException($"the codes were made with hops {string.Join("/", codes.HopLengths)}; this model's are {string.Join("/", vq.HopLengths)}");
        var zs = new Tensor[bundle.Priors.Length];
        Tensor Rows(int l)
        {
            if (!codes.Levels.TryGetValue(l, out var z)) throw new ArgumentException($"the codes file has no level-{l} codes");
            if (z.shape[0] != 1 && z.shape[0] != n) throw new ArgumentException($"the codes file has {z.shape[0]} rows at level {l}; use --variations {z.shape[0]} or a file with one row");
            long bad = z.lt(0).logical_or(z.ge(vq.Options.LBins)).sum().item<long>();
            if (bad > 0) throw new ArgumentException($"level-{l} codes outside 0..{vq.Options.LBins - 1}");
            return z.expand(n, -1).contiguous();
        }
        foreach (int l in whole) zs[l] = Rows(l);
        if (cut is var (levels, samples))
            foreach (int l in levels)
            {
                long keep = samples / vq.HopLengths[l];
                zs[l] = keep == 0 ? zeros(new long[] { n, 0 }, ScalarType.Int64) : Rows(l).narrow(1, 0, keep).contiguous();
                if (zs[l].shape[1] < keep) throw new ArgumentException($"level-{l} codes are shorter than the kept seconds");
            }
        return zs;
    }

    private static LevelSettings LevelSettingsOf(JobSettings s, int level, IReadOnlyList<long[]>? lyrics, CancellationToken cancel = default, Action<long>? onToken = null) =>
        new(new SamplingOptions(s.Temperature[level], s.TopK, s.TopP, s.ChunkSize[level]) { Cancel = cancel, OnToken = onToken },
            s.HopFraction[level], s.MaxBatchSize[level])
        { WindowSeed = s.Seed, FullLyricTokens = lyrics, ReferencePartialWindow = s.ReferencePartialWindow };

    private void SaveState()
    {
        if (Store is null) return;
        using var f = State.ToCodesFile(_bundle.Source, _bundle.Vqvae.HopLengths, Rate, Settings.ToJson());
        Store.WriteCodes(f);
    }

    /// <summary>
    /// Runs the windows left, streaming level-0 blocks as they become decodable, then writes the takes (WAV + PNG per
    /// variation). Cancellation takes effect within one sampling step; the folder is then left resumable.
    /// </summary>
    public TakeResult Run(IProgress<JobProgress>? progress = null, IProgress<DecodedBlock>? blocks = null, CancellationToken cancel = default)
    {
        using var noGrad = no_grad();
        var priors = _bundle.Priors;
        int levels = priors.Length;
        var kind = Settings.Schedule;
        if (kind == ScheduleKind.Interleaved && !_residency.AllFit(priors.Cast<TorchSharp.torch.nn.Module>().Append(_bundle.Vqvae)))
        {
            kind = ScheduleKind.LevelByLevel;
            _log?.Invoke("the models do not fit the device memory budget together: sampling level by level (audio streams when level 0 starts)");
        }

        // Token accounting for progress: new tokens per planned window, over all variations.
        long n = State.Variations;
        var perWindow = Enumerable.Range(0, levels).Select(l => LevelSampling.NewTokens(priors[l].Options, State.Plans[l], State.InitialTokens[l])).ToArray();
        long[] levelTotal = perWindow.Select(w => w.Sum() * n).ToArray();
        long[] levelDone = Enumerable.Range(0, levels).Select(l => perWindow[l].Take(State.WindowsDone[l]).Sum() * n).ToArray();
        long jobTotal = levelTotal.Sum();
        var levelSeconds = new double[levels];
        var levelTokensRun = new long[levels];
        var clock = Stopwatch.StartNew();
        var windowClock = new Stopwatch();
        int current = -1;
        long inWindow = 0;
        double lastEvent = -1;

        double? Eta()
        {
            var rates = Enumerable.Range(0, levels).Where(l => levelTokensRun[l] > 0).Select(l => levelSeconds[l] / levelTokensRun[l]).ToList();
            if (rates.Count == 0) return null;
            double fallback = rates.Average();
            return Enumerable.Range(0, levels).Sum(l =>
                Math.Max(0, levelTotal[l] - levelDone[l] - (l == current ? inWindow : 0)) * (levelTokensRun[l] > 0 ? levelSeconds[l] / levelTokensRun[l] : fallback));
        }
        void Report(int l, bool force)
        {
            if (progress is null || (!force && clock.Elapsed.TotalSeconds - lastEvent < 0.2)) return;
            lastEvent = clock.Elapsed.TotalSeconds;
            long done = levelDone[l] + (l == current ? inWindow : 0);
            progress.Report(new JobProgress(l, State.WindowsDone[l], State.Plans[l].Count, done, levelTotal[l],
                levelDone.Sum() + (current >= 0 ? inWindow : 0), jobTotal, clock.Elapsed.TotalSeconds, Eta()));
        }

        // Blocks stream the new audio only (the caller has the prompt); they start where the prompt ends.
        int startSeq = Store?.CountBlocks() ?? 0;
        long promptFrames = State.PromptSamples / _bundle.Vqvae.HopLengths[0];
        var decoder = new BlockDecoder(_bundle.Vqvae, Settings.BlockSeconds, 0, promptFrames, startSeq);
        var streamed = new List<DecodedBlock>();
        void Emit()
        {
            bool final = State.WindowsDone[0] >= State.Plans[0].Count;
            if (!final && State.Codes[0].shape[1] < promptFrames + decoder.BlockFrames * (streamed.Count + startSeq + 1) + decoder.LookaheadFrames) return;
            _residency.Use(_bundle.Vqvae);
            foreach (var b in decoder.Push(State.Codes[0], final))
            {
                Store?.WriteBlock(b);
                streamed.Add(b);
                blocks?.Report(b);
            }
        }

        try
        {
            Store?.WriteStatus(new JobStatus(JobStatus.Running));
            for (int l = 0; l < levels; l++) Report(l, force: true);
            Emit();
            LevelSettings Settings(int l) => LevelSettingsOf(this.Settings, l, State.Lyrics[l], cancel, t => { inWindow = t; Report(l, false); });
            Schedule.Run(kind, priors, State.Codes, State.Plans, State.WindowsDone, l => State.Labels[l], Settings, w =>
            {
                windowClock.Stop();
                levelSeconds[w.Level] += windowClock.Elapsed.TotalSeconds;
                levelTokensRun[w.Level] += w.NewTokens * n;
                levelDone[w.Level] += w.NewTokens * n;
                current = -1; inWindow = 0;
                SaveState();                                       // saved before anything is reported
                Report(w.Level, force: true);
                if (w.Level == 0) Emit();
            }, l =>
            {
                _residency.Use(priors[l]);
                current = l; inWindow = 0;
                windowClock.Restart();
            }, cancel: cancel);
            Emit();
            _residency.Use(_bundle.Vqvae);
            var prompt = promptFrames > 0 ? decoder.DecodeRange(State.Codes[0], 0, promptFrames) : null;
            var result = WriteTakes(prompt, streamed, startSeq);
            Store?.WriteStatus(new JobStatus(JobStatus.Done));
            return result;
        }
        catch (OperationCanceledException)
        {
            Store?.WriteStatus(new JobStatus(JobStatus.Cancelled, "cancelled; `jukebox resume` goes on from the last saved window"));
            throw;
        }
        catch (Exception e)
        {
            Store?.WriteStatus(new JobStatus(JobStatus.Failed, e.Message));
            throw;
        }
    }

    /// <summary>
    /// Joins the decoded prompt and the blocks (earlier runs' from the folder) into one take per variation and writes
    /// WAV + PNG files.
    /// </summary>
    private TakeResult WriteTakes(float[][]? prompt, List<DecodedBlock> streamed, int startSeq)
    {
        var all = Enumerable.Range(0, startSeq).Select(seq => Store!.ReadBlock(seq)).Concat(streamed).ToList();
        if (prompt is not null) all.Insert(0, new DecodedBlock(-1, 0, prompt, Rate));
        int n = (int)State.Variations;
        long keep = Math.Min(State.TotalSamples, all.Sum(b => (long)b.Audio[0].Length));
        var takes = new AudioClip[n];
        for (int i = 0; i < n; i++)
        {
            var samples = new float[keep];
            long at = 0;
            foreach (var b in all)
            {
                int len = (int)Math.Min(b.Audio[i].Length, keep - at);
                if (len <= 0) break;
                b.Audio[i].AsSpan(0, len).CopyTo(samples.AsSpan((int)at));
                at += len;
            }
            for (int k = 0; k < samples.Length; k++) samples[k] = Math.Clamp(samples[k], -1f, 1f);
            takes[i] = AudioClip.Mono(Rate, samples);
        }
        double promptSeconds = State.PromptSamples / (double)Rate;
        var files = new List<string>();
        if (Store is not null)
        {
            for (int i = 0; i < n; i++)
            {
                WavWriter.Write(Store.TakeWav(i), takes[i], WavSampleFormat.Pcm24);
                var plot = new TakePlot { Title = $"TAKE {i + 1} OF {n}  SEED {Settings.Seed}  {Path.GetFileName(_bundle.Source)}" };
                Store.WriteTakePng(i, plot.RenderPng(takes[i], promptSeconds));
                files.Add(Store.TakeWav(i));
                files.Add(Store.TakePng(i));
            }
            files.Add(Store.CodesPath);
            files.Add(Store.SettingsPath);
        }
        return new TakeResult(takes, promptSeconds, files);
    }

    public void Dispose() => State.Dispose();
}
