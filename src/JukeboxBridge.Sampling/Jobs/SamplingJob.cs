using JukeboxBridge.Errors;
using JukeboxBridge.Audio;
using JukeboxBridge.Model.Prior;
using JukeboxBridge.Model.Vqvae;
using JukeboxBridge.Sampling.Conditioning;
using JukeboxBridge.Sampling.Devices;
using JukeboxBridge.Sampling.Generation;
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

    /// <param name="residency">The job's one device residency: every model it moves (priors and VQ-VAE) counts against one budget.</param>
    private SamplingJob(ModelBundle bundle, JobSettings settings, JobState state, TakeStore? store, ModelResidency residency,
                        Action<string>? log, IReadOnlyList<string> warnings)
    {
        _bundle = bundle; Settings = settings; State = state; Store = store; _log = log; Warnings = warnings;
        _residency = residency;
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
        int levels = bundle.Priors.Length, rate = bundle.Vqvae.Options.SampleRate;
        settings = settings.Resolved(bundle.Sampling, levels);
        int n = settings.Variations;
        var residency = new ModelResidency(device ?? new DeviceOptions(), log);
        GenerationStart start;
        using (no_grad())
            start = settings.Mode switch
            {
                JobMode.Continue when prompt is not null => GenerationVerbs.Continue(bundle, settings, prompt, residency),
                JobMode.Continue when codes is not null => GenerationVerbs.Continue(bundle, settings, codes),
                JobMode.Continue => throw new UserInputException("prompt", "continue needs a prompt: audio or a codes file"),
                JobMode.Sample => GenerationVerbs.Sample(bundle, settings),
                JobMode.Upsample => GenerationVerbs.Upsample(bundle, settings, codes ?? throw new UserInputException("codes", "upsample needs a codes file")),
                _ => throw new InvalidOperationException($"unknown mode {settings.Mode}"),
            };
        settings = start.Settings;
        if (rowStyles is not null && rowStyles.Count != n) throw new ArgumentException($"{rowStyles.Count} row styles for {n} variations");
        var style = StyleLabels.Build(bundle, rowStyles ?? Enumerable.Repeat((settings.Artist ?? bundle.Sampling.Artist, settings.Genre ?? bundle.Sampling.Genre), n).ToList(), settings.Lyrics,
            (settings.SongSeconds ?? bundle.Sampling.SongSeconds) is double song ? (long)(song * rate) : start.TotalSamples, (long)(settings.OffsetSeconds * rate), idsDir);
        var zs = start.Codes;
        var plans = Schedule.PlanAll(bundle.Priors, zs, start.TotalSamples, l => LevelSettingsOf(settings, l, style.Lyrics[l]), start.HighestLevel,
                                   settings.OutputLevel(levels));
        var state = new JobState(zs, start.TotalSamples, start.PromptSamples, plans, new int[levels], zs.Select(z => z.shape[1]).ToArray(), style.Labels, style.Lyrics);
        var job = new SamplingJob(bundle, settings, state, store, residency, log, style.Warnings);
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
        if (state.Levels != bundle.Priors.Length) { state.Dispose(); throw new ModelInputException("model", $"{store.Dir} has {state.Levels} levels of codes; the model has {bundle.Priors.Length}"); }
        return new SamplingJob(bundle, settings, state, store, new ModelResidency(device ?? new DeviceOptions(), log), log, Array.Empty<string>());
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
    /// Runs the windows left, streaming blocks as they become decodable (from level 0, or from the top level for a
    /// preview), then writes the takes (WAV + PNG per variation). Cancellation takes effect within one sampling step; the folder is then left resumable.
    /// </summary>
    public TakeResult Run(IProgress<JobProgress>? progress = null, IProgress<DecodedBlock>? blocks = null, CancellationToken cancel = default)
    {
        using var noGrad = no_grad();
        var priors = _bundle.Priors;
        var meter = new ProgressMeter(priors, State, progress);
        var streamer = new BlockStreamer(_bundle, State, Settings.OutputLevel(priors.Length), Settings.BlockSeconds, Store, _residency, blocks);
        try
        {
            Store?.WriteStatus(new JobStatus(JobStatus.Running));
            meter.ReportAll();
            streamer.Emit();
            LevelSettings Level(int l) => LevelSettingsOf(Settings, l, State.Lyrics[l], cancel, t => meter.Tokens(l, t));
            Schedule.Run(ScheduleToRun(), priors, State.Codes, State.Plans, State.WindowsDone, l => State.Labels[l], Level, w =>
            {
                meter.WindowDone(w);
                SaveState();                                       // saved before anything is reported
                meter.Report(w.Level, force: true);
                if (w.Level == streamer.Level) streamer.Emit();
            }, l =>
            {
                _residency.Use(priors[l]);
                meter.WindowStarted(l);
            }, cancel: cancel);
            streamer.Emit();
            var earlier = Enumerable.Range(0, streamer.StartSeq).Select(seq => Store!.ReadBlock(seq));
            var takes = TakeAssembly.Join(streamer.DecodePrompt(), earlier.Concat(streamer.Streamed), (int)State.Variations, State.TotalSamples);
            var result = TakeWriter.Write(Store, takes.Select(t => AudioClip.Mono(Rate, t)).ToArray(), State.PromptSamples / (double)Rate, Settings, _bundle.Source,
                                          Settings.Quality == JobQuality.Preview ? "PREVIEW (TOP LEVEL)" : null);
            result = result with { Files = result.Files.Concat(WriteLyricAlignment()).ToList() };
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

    /// <summary>A lyrics model's job folder gets lyrics-K.mid and alignment-K.png per variation (AlignmentWriter); a failure there is a warning.</summary>
    private IReadOnlyList<string> WriteLyricAlignment()
    {
        var top = _bundle.Priors[^1];
        if (Store is null || !Lyrics.AlignmentWriter.CanAlign(top.Options)) return [];
        try
        {
            _residency.Use(top);
            return Lyrics.AlignmentWriter.Write(top, State, Settings.HopFraction[^1], Store.Dir, Rate);
        }
        catch (Exception e) when (e is not OperationCanceledException and not OutOfMemoryException)
        {
            _log?.Invoke($"warning: no lyric alignment for this job: {e.Message}");
            return [];
        }
    }

    /// <summary>The settings' schedule, or level by level when the models do not fit the device budget together.</summary>
    private ScheduleKind ScheduleToRun()
    {
        if (Settings.Schedule != ScheduleKind.Interleaved || _residency.AllFit(_bundle.Priors.Cast<nn.Module>().Append(_bundle.Vqvae))) return Settings.Schedule;
        _log?.Invoke("the models do not fit the device memory budget together: sampling level by level (audio streams when level 0 starts)");
        return ScheduleKind.LevelByLevel;
    }

    public void Dispose() => State.Dispose();
}
