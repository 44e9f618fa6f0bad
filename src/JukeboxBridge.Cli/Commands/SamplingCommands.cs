using JukeboxBridge.Errors;
using System.CommandLine;
using JukeboxBridge.Audio;
using JukeboxBridge.Model.Vqvae;
using JukeboxBridge.Sampling;
using JukeboxBridge.Sampling.Devices;
using JukeboxBridge.Sampling.Jobs;

namespace JukeboxBridge.Cli.Commands;

/// <summary>
/// jukebox continue / sample / upsample / resume: sampling jobs that write a job folder (takes, codes, settings,
/// streamed blocks) with a live progress bar per level. Ctrl+C cancels within one sampling step and leaves the
/// folder resumable.
/// </summary>
public static class SamplingCommands
{
    public static Command Continue(CliContext ctx)
    {
        var prompt = new Argument<string>("prompt") { Description = "the clip to continue (WAV or anything ffmpeg reads; any rate/channels), or a codes .safetensors to continue from" };
        var o = new JobOptions();
        var d = new DaemonOptionSet();
        var cmd = new Command("continue", "Continue a clip: prompt -> codes -> top prior -> upsamplers -> audio, streamed into a job folder (or, with --daemon, into WAVs in --out)") { prompt };
        o.AddTo(cmd);
        d.AddTo(cmd);
        cmd.SetAction(r => ctx.Guard(() =>
        {
            if (d.Given(r)) return DaemonCommands.Continue(ctx, r, o, d, r.GetValue(prompt)!);
            string spec = ModelBundle.ResolveSpec(r.GetValue(o.Model));
            string path = r.GetValue(prompt)!;
            var device = o.Device.Get(r);
            using var bundle = ModelBundle.Load(spec);
            if (path.EndsWith(".safetensors", StringComparison.OrdinalIgnoreCase))
            {
                using var codes = CodesFile.Load(path);
                var fromCodes = o.Settings(r, JobMode.Continue, spec, bundle, Path.GetFileName(path), (int)codes.Levels.Values.First().shape[0]);
                var store = o.Store(r);
                return Run(ctx, bundle, () => SamplingJob.Create(bundle, fromCodes, codes: codes, idsDir: o.IdsDir(r, bundle), store: store, device: device, log: ctx.Err.WriteLine));
            }
            var settings = o.Settings(r, JobMode.Continue, spec, bundle, Path.GetFileName(path));
            var clip = AudioFile.Read(path);
            ctx.Err.WriteLine($"prompt: {Path.GetFileName(path)}, {clip.DurationSeconds:F2} s at {clip.SampleRate} Hz, {clip.ChannelCount} channel(s)");
            var promptStore = o.Store(r);
            return Run(ctx, bundle, () => SamplingJob.Create(bundle, settings, clip, idsDir: o.IdsDir(r, bundle), store: promptStore, device: device, log: ctx.Err.WriteLine));
        }));
        return cmd;
    }

    public static Command Sample(CliContext ctx)
    {
        var o = new JobOptions();
        var d = new DaemonOptionSet();
        var cmd = new Command("sample", "Generate new music with no prompt (ancestral sampling) into a job folder (or, with --daemon, into WAVs in --out)");
        o.AddTo(cmd);
        d.AddTo(cmd);
        cmd.SetAction(r => ctx.Guard(() =>
        {
            if (d.Given(r)) return DaemonCommands.Sample(ctx, r, o, d);
            string spec = ModelBundle.ResolveSpec(r.GetValue(o.Model));
            var device = o.Device.Get(r);
            using var bundle = ModelBundle.Load(spec);
            var settings = o.Settings(r, JobMode.Sample, spec, bundle, null);
            var store = o.Store(r);
            return Run(ctx, bundle, () => SamplingJob.Create(bundle, settings, idsDir: o.IdsDir(r, bundle), store: store, device: device, log: ctx.Err.WriteLine));
        }));
        return cmd;
    }

    public static Command Upsample(CliContext ctx)
    {
        var source = new Argument<string>("source") { Description = "a finished job's folder (a preview's: upsample the keeper), or a codes file (`jukebox encode`, a job's codes.safetensors); with --daemon, the id of a finished job" };
        var variation = new Option<int?>("--variation") { Description = "the source's variation to upsample (1 = take-1.wav); the take is made --variations times (default 1). Default: every variation" };
        var fromLevel = new Option<int?>("--from-level") { Description = "highest level to re-sample: 1 upsamples the top-level codes (default), 0 re-samples only the bottom level" };
        var keep = new Option<double?>("--keep-seconds") { Description = "seconds at the start kept at every level (default: the job's prompt, else 0)" };
        var o = new JobOptions();
        var d = new DaemonOptionSet();
        var cmd = new Command("upsample", "Upsample a finished job (a preview's chosen variation, or re-do a take's lower levels) or saved codes into a job folder") { source, variation, fromLevel, keep };
        o.AddTo(cmd, withQuality: false);
        d.AddTo(cmd);
        cmd.SetAction(r => ctx.Guard(() =>
        {
            int? row = r.GetValue(variation) is int k ? (k >= 1 ? k - 1 : throw new UserInputException("--variation", $"--variation counts from 1 (take-1.wav), got {k}")) : null;
            if (d.Given(r)) return DaemonCommands.Upsample(ctx, r, o, d, r.GetValue(source)!, row, fromLevel, keep);
            string path = r.GetValue(source)!;
            bool jobFolder = Directory.Exists(path);
            var parentStore = jobFolder ? TakeStore.Open(path) : null;
            if (parentStore is not null && parentStore.ReadStatus()?.State != JobStatus.Done)
                throw new UserInputException("source", $"{parentStore.Dir} is not finished: `jukebox resume {path}` first");
            using var codes = CodesFile.Load(parentStore?.CodesPath ?? path);
            var parent = parentStore?.ReadSettings();
            string spec = ModelBundle.ResolveSpec(r.GetValue(o.Model) ?? parent?.Model ?? codes.ExistingModel);
            var device = o.Device.Get(r);
            using var bundle = ModelBundle.Load(spec);
            double keepSeconds = r.GetValue(keep) ?? codes.PromptSeconds;
            var settings = parent is not null
                // A job folder: its style, lyrics, temperatures and seed carry over unless given here.
                ? o.Override(r, JobSettings.UpsampleOf(parent, keepSeconds, parentStore!.Dir, row)) with { Model = spec, FromLevel = r.GetValue(fromLevel) }
                : o.Settings(r, JobMode.Upsample, spec, bundle, Path.GetFileName(path), row is null ? (int)codes.Levels.Values.First().shape[0] : 1)
                    with { FromLevel = r.GetValue(fromLevel), KeepSeconds = keepSeconds, Variation = row };
            var store = o.Store(r);
            return Run(ctx, bundle, () => SamplingJob.Create(bundle, settings, codes: codes, idsDir: o.IdsDir(r, bundle), store: store, device: device, log: ctx.Err.WriteLine));
        }));
        return cmd;
    }

    public static Command Resume(CliContext ctx)
    {
        var dir = new Argument<string>("job") { Description = "job folder of a cancelled or interrupted job; with --daemon, its job id" };
        var model = new Option<string?>("--model") { Description = "the model, if it moved since the job started (default: the one in settings.json)" };
        var output = new Option<string?>("--out") { Description = "with --daemon: folder for the take's WAVs" };
        var devices = new DeviceOptionSet();
        var d = new DaemonOptionSet();
        var cmd = new Command("resume", "Finish a cancelled or interrupted job from its last saved window (same result as an uninterrupted run)") { dir, model, output };
        devices.AddTo(cmd);
        d.AddTo(cmd);
        cmd.SetAction(r => ctx.Guard(() =>
        {
            if (d.Given(r)) return DaemonCommands.Resume(ctx, r, d, r.GetValue(dir)!, r.GetValue(output), model, devices.Device, devices.Precision, devices.Budget);
            if (r.GetValue(output) is not null) throw new UserInputException("--out", "--out is for --daemon; a local job resumes in its own folder");
            var store = TakeStore.Open(r.GetValue(dir)!);
            if (store.ReadStatus()?.State == JobStatus.Done && File.Exists(store.TakeWav(0)))
            {
                ctx.Err.WriteLine($"{store.Dir} is already complete");
                return 0;
            }
            var settings = store.ReadSettings();
            string spec = r.GetValue(model) ?? settings.Model;
            var device = devices.Get(r);
            using var bundle = ModelBundle.Load(spec);
            return Run(ctx, bundle, () => SamplingJob.Resume(bundle, store, device, ctx.Err.WriteLine));
        }));
        return cmd;
    }

    /// <summary>Creates and runs a job with per-level bars; Ctrl+C cancels it (resumable). Prints the take files on stdout.</summary>
    private static int Run(CliContext ctx, ModelBundle bundle, Func<SamplingJob> create)
    {
        using var cts = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; cts.Cancel(); };
        Console.CancelKeyPress += onCancel;
        try
        {
            using var job = create();
            var s = job.Settings;
            foreach (var w in job.Warnings) ctx.Err.WriteLine($"warning: {w}");
            int rate = bundle.Vqvae.Options.SampleRate;
            ctx.Err.WriteLine($"model: {bundle.Source}");
            ctx.Err.WriteLine($"{s.Mode.ToString().ToLowerInvariant()}{(s.Quality == JobQuality.Preview ? " (preview: top level only)" : "")}: {job.State.PromptSamples / (double)rate:F2} s given + {(job.State.TotalSamples - job.State.PromptSamples) / (double)rate:F2} s new, " +
                              $"{s.Variations} variation(s), seed {s.Seed}, {s.Schedule}; job folder {job.Store!.Dir}");
            var bars = new LevelProgress(ctx.Err, bundle.Priors.Length);
            int blocks = 0;
            var result = job.Run(new CallbackProgress<JobProgress>(bars.Update), new CallbackProgress<DecodedBlock>(_ => blocks++), cts.Token);
            bars.Message($"done: {result.Takes.Length} take(s) of {result.Takes[0].DurationSeconds:F2} s ({result.PromptSeconds:F2} s prompt), {blocks} block(s) streamed");
            foreach (var f in result.Files) ctx.Out.WriteLine(f);
            if (s.Quality == JobQuality.Preview)
                ctx.Err.WriteLine($"preview: listen, then `jukebox upsample {job.Store.Dir} --variation K --out DIR` makes take K at full quality");
            return 0;
        }
        catch (OperationCanceledException)
        {
            ctx.Err.WriteLine("cancelled: the job folder keeps every finished window; `jukebox resume FOLDER` completes it");
            return 130;
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }
}
