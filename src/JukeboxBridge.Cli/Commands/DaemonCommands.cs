using JukeboxBridge.Errors;
using System.CommandLine;
using System.Globalization;
using System.Runtime.InteropServices;
using JukeboxBridge.Audio;
using JukeboxBridge.Audio.Wav;
using JukeboxBridge.Daemon;
using JukeboxBridge.Daemon.Client;
using JukeboxBridge.Daemon.Security;
using JukeboxBridge.Protocol;
using JukeboxBridge.Protocol.Messages;
using JukeboxBridge.Sampling.Jobs;

namespace JukeboxBridge.Cli.Commands;

/// <summary>
/// --daemon ENDPOINT / --client FILE: where a command's job runs when it runs on a daemon (`jukebox serve`, local or
/// remote). The client file (default: the local one `jukebox serve` writes) holds the credentials and the default
/// endpoint; --daemon overrides the endpoint.
/// </summary>
internal sealed class DaemonOptionSet
{
    public const string DefaultEndpoint = "tcp://127.0.0.1:5555";
    public readonly Option<string?> Daemon = new("--daemon") { Description = $"run on the daemon at this endpoint (e.g. {DefaultEndpoint}); job arguments are then job ids, not paths" };
    public readonly Option<string?> Client = new("--client") { Description = "client file with the daemon's credentials (default: client.json in the per-user config folder)" };

    public void AddTo(Command cmd) { cmd.Options.Add(Daemon); cmd.Options.Add(Client); }

    /// <summary>Whether the command runs on a daemon: --daemon or --client given.</summary>
    public bool Given(ParseResult r) => r.GetValue(Daemon) is not null || r.GetValue(Client) is not null;

    public DaemonClient Connect(ParseResult r)
    {
        var file = KeyStore.ReadClientFile(r.GetValue(Client) ?? new KeyStore().LocalClientPath);
        if (r.GetValue(Daemon) is string ep) file = file with { Endpoint = ep };
        var c = new DaemonClient(file);
        try { c.Handshake(); }
        catch (TimeoutException) { c.Dispose(); throw new IOException($"no answer from a daemon at {file.Endpoint} (is `jukebox serve` running?)"); }
        catch (ProtocolException e) { c.Dispose(); throw new IOException($"the daemon at {file.Endpoint} refused this client: {e.Message}"); }
        catch (DaemonIdentityException e) { c.Dispose(); throw new IOException(e.Message); }
        return c;
    }

    /// <summary>Refuses options that only mean something for a local run (the daemon decides those itself).</summary>
    public static void RefuseLocalOnly(ParseResult r, params Option[] options)
    {
        foreach (var o in options)
            if (r.GetResult(o) is { Implicit: false })
                throw new UserInputException(o.Name, $"{o.Name} applies to local runs only; the daemon uses its own setting (see `jukebox serve --help`)");
    }
}

/// <summary>
/// The daemon side of the CLI: continue/sample/upsample/resume with --daemon submit a job and stream its blocks into
/// WAVs (granting credit as they arrive, with the same per-level bars as local runs); jobs, cancel and fetch manage
/// jobs by id. Messages carry job ids only, never paths.
/// </summary>
public static class DaemonCommands
{
    /// <summary>Client-side window of blocks in flight (credit): small, so a slow disk never makes the daemon queue much.</summary>
    private const int CreditWindow = 32;

    internal static int Continue(CliContext ctx, ParseResult r, JobOptions o, DaemonOptionSet d, string promptPath)
    {
        RefuseLocalOnlyOf(r, o);
        var clip = AudioFile.Read(promptPath);
        var pcm = new float[clip.Frames * clip.ChannelCount];
        for (int i = 0; i < clip.Frames; i++) for (int ch = 0; ch < clip.ChannelCount; ch++) pcm[i * clip.ChannelCount + ch] = clip.Channels[ch][i];
        ctx.Err.WriteLine($"prompt: {Path.GetFileName(promptPath)}, {clip.DurationSeconds:F2} s at {clip.SampleRate} Hz, {clip.ChannelCount} channel(s)");
        var settings = Settings(r, o);
        using var c = d.Connect(r);
        return Submit(ctx, c, new Submit(1, "continue", settings, Prompt: new PcmFormat(clip.SampleRate, clip.ChannelCount, clip.Frames),
            PromptPcm: MemoryMarshal.AsBytes(pcm.AsSpan()).ToArray()), r.GetValue(o.Out)!);
    }

    internal static int Sample(CliContext ctx, ParseResult r, JobOptions o, DaemonOptionSet d)
    {
        RefuseLocalOnlyOf(r, o);
        var settings = Settings(r, o);
        using var c = d.Connect(r);
        return Submit(ctx, c, new Submit(1, "sample", settings), r.GetValue(o.Out)!);
    }

    internal static int Upsample(CliContext ctx, ParseResult r, JobOptions o, DaemonOptionSet d, string job, int? variation, params Option[] localOnly)
    {
        RefuseLocalOnlyOf(r, o);
        DaemonOptionSet.RefuseLocalOnly(r, localOnly);
        var settings = Settings(r, o) with { Variation = variation, Quality = null };
        using var c = d.Connect(r);
        return Submit(ctx, c, new Submit(1, "upsample", settings, Job: job), r.GetValue(o.Out)!);
    }

    internal static int Resume(CliContext ctx, ParseResult r, DaemonOptionSet d, string job, string? outDir, params Option[] localOnly)
    {
        DaemonOptionSet.RefuseLocalOnly(r, localOnly);
        if (outDir is null) throw new UserInputException("--out", "with --daemon, resume needs --out DIR for the take's WAVs");
        using var c = d.Connect(r);
        return Submit(ctx, c, new Submit(1, "resume", new SubmitSettings(), Job: job), outDir);
    }

    public static Command Jobs(CliContext ctx)
    {
        var d = new DaemonOptionSet();
        var prune = new Option<bool>("--prune") { Description = "delete finished jobs from a jobs folder (with the daemon stopped; a running daemon prunes by itself, retain_days)" };
        var olderThan = new Option<double>("--older-than") { Description = "with --prune: only jobs created more than this many days ago (default 0: every finished job)" };
        var jobsDir = new Option<string?>("--jobs") { Description = "with --prune: the daemon's jobs folder (default ~/.local/share/jukeboxbridge/jobs)" };
        var cmd = new Command("jobs", "List my jobs on the daemon (newest last), or --prune finished ones") { prune, olderThan, jobsDir };
        d.AddTo(cmd);
        cmd.SetAction(r => ctx.Guard(() =>
        {
            if (r.GetValue(prune))
            {
                if (d.Given(r)) throw new UserInputException("--prune", "--prune works on the jobs folder, not through --daemon/--client");
                double days = r.GetValue(olderThan);
                if (!(days >= 0) || double.IsInfinity(days)) throw new UserInputException("--older-than", $"--older-than must be a number of days >= 0, got {days}");
                string dir = r.GetValue(jobsDir) ?? DaemonOptions.DefaultJobsDir();
                if (!Directory.Exists(dir)) throw new DirectoryNotFoundException($"no jobs folder at {dir}");
                using var held = JukeboxDaemon.LockJobs(dir);
                var book = new JukeboxBridge.Daemon.Jobs.JobBook(dir);
                int n = book.Prune(DateTimeOffset.UtcNow.AddDays(-days));
                ctx.Out.WriteLine($"deleted {n} finished job(s){(days > 0 ? $" older than {days} days" : "")} from {dir}");
                return 0;
            }
            if (r.GetResult(olderThan) is { Implicit: false } || r.GetResult(jobsDir) is { Implicit: false })
                throw new UserInputException("--older-than", "--older-than and --jobs go with --prune");
            using var c = d.Connect(r);
            var jobs = c.ListAllJobs();
            if (jobs.Count == 0) ctx.Err.WriteLine("no jobs");
            foreach (var j in jobs)
                ctx.Out.WriteLine($"{j.Job}  {j.State,-9}  {j.Mode,-8}  {j.Seconds,5:F1} s  x{j.Variations}  {j.BlocksWritten} blocks  {j.Created}");
            return 0;
        }));
        return cmd;
    }

    public static Command Cancel(CliContext ctx)
    {
        var job = new Argument<string>("job") { Description = "job id (see `jukebox jobs`)" };
        var d = new DaemonOptionSet();
        var cmd = new Command("cancel", "Stop a job on the daemon within one sampling step; it stays resumable (`jukebox resume JOB --daemon ...`)") { job };
        d.AddTo(cmd);
        cmd.SetAction(r => ctx.Guard(() =>
        {
            using var c = d.Connect(r);
            string id = r.GetValue(job)!;
            c.Send(new Cancel(id));
            IReadOnlyList<JobInfo> list;
            try { list = c.ListAllJobs(); }
            catch (ProtocolException e) when (e.Code == ErrorCodes.Cancelled) { list = c.ListAllJobs(); }
            var info = list.FirstOrDefault(j => j.Job == id);
            ctx.Out.WriteLine($"{id}: cancel requested ({info?.State ?? "unknown"})");
            return 0;
        }));
        return cmd;
    }

    public static Command Fetch(CliContext ctx)
    {
        var job = new Argument<string>("job") { Description = "job id (see `jukebox jobs`)" };
        var output = new Option<string>("--out") { Description = "folder for the WAVs (one per variation)", Required = true };
        var d = new DaemonOptionSet();
        var cmd = new Command("fetch", "Download a job's audio from the daemon (streams what exists, then waits for the rest)") { job, output };
        d.AddTo(cmd);
        cmd.SetAction(r => ctx.Guard(() =>
        {
            using var c = d.Connect(r);
            string id = r.GetValue(job)!;
            var info = c.ListAllJobs().FirstOrDefault(j => j.Job == id) ?? throw new UserInputException("job", $"the daemon has no job '{id}' of this client (see `jukebox jobs`)");
            c.Send(new Fetch(info.Job, 0));
            return Stream(ctx, c, info.Job, (int)info.Variations, r.GetValue(output)!);
        }));
        return cmd;
    }

    private static void RefuseLocalOnlyOf(ParseResult r, JobOptions o) =>
        DaemonOptionSet.RefuseLocalOnly(r, o.Overwrite, o.HopFraction, o.SongSeconds, o.OffsetSeconds, o.Ids, o.Schedule, o.BlockSeconds,
            o.ReferencePartialWindow, o.Device.Device, o.Device.Precision, o.Device.Budget);

    /// <summary>The job options the protocol carries (docs/protocol.md, submit.settings).</summary>
    private static SubmitSettings Settings(ParseResult r, JobOptions o)
    {
        double? temperature = null;
        if (r.GetValue(o.Temperature) is string t)
        {
            if (!double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out var tv))
                throw new UserInputException("--temperature", $"--temperature with --daemon takes one number (the daemon applies it to every level), got '{t}'");
            temperature = tv;
        }
        string? lyricsFile = r.GetValue(o.Lyrics);
        return new SubmitSettings
        {
            Model = r.GetValue(o.Model), Seconds = r.GetValue(o.Seconds), Variations = r.GetValue(o.Variations), Seed = r.GetResult(o.Seed) is { Implicit: false } ? r.GetValue(o.Seed) : null,
            Temperature = temperature, TopK = r.GetValue(o.TopK) is > 0 and var k ? k : null, TopP = r.GetValue(o.TopP) is > 0 and var p ? p : null,
            Artist = r.GetValue(o.Artist), Genre = r.GetValue(o.Genre), Lyrics = lyricsFile is null ? null : File.ReadAllText(lyricsFile),
            Quality = r.GetValue(o.Quality) == "preview" ? "preview" : null,
            TimelineSeconds = r.GetResult(o.TimelineSeconds) is { Implicit: false } ? r.GetValue(o.TimelineSeconds) : null,
        };
    }

    /// <summary>A lyrics job's lyrics-K.mid and alignment-K.png, where the daemon has them (unknown_file: not a lyrics job).</summary>
    private static void FetchFiles(CliContext ctx, DaemonClient c, string job, int variations, string outDir)
    {
        foreach (var name in JobFile.Names(variations))
        {
            c.Send(new GetFile(job, name));
            while (true)
            {
                var m = c.Receive(TimeSpan.FromSeconds(30)) ?? throw new IOException($"the daemon did not answer for {name} of job {job}");
                if (m is FileData f && f.Job == job && f.Name == name)
                {
                    string path = Path.Combine(outDir, name);
                    JukeboxBridge.Storage.AtomicFile.WriteAllBytes(path, f.Data);
                    ctx.Out.WriteLine(path);
                    break;
                }
                if (m is Error { Code: ErrorCodes.UnknownFile }) break;
                if (m is Error { Code: ErrorCodes.BadMessage }) return;                     // a daemon from before get_file
                if (m is Error e) throw new IOException($"daemon: {e.Text} ({e.Code})");
            }
        }
    }

    /// <summary>Levels the progress bars show: every Jukebox model has three (the protocol's progress names the level of each event).</summary>
    private const int JukeboxLevels = 3;

    private static int Submit(CliContext ctx, DaemonClient c, Submit submit, string outDir)
    {
        c.Send(submit);
        var accepted = c.Expect<Accepted>();
        ctx.Err.WriteLine($"daemon {c.File.Endpoint}: job {accepted.Job} accepted ({submit.Mode}, {accepted.Variations} variation(s)); " +
                          $"`jukebox fetch {accepted.Job} --out DIR` gets it again later");
        return Stream(ctx, c, accepted.Job, (int)accepted.Variations, outDir, (int)accepted.Rate);
    }

    /// <summary>Receives a job's blocks (granting credit as they arrive) until take_done; writes one WAV per variation.</summary>
    /// <param name="rate">The served model's rate when the daemon told it (accepted); else the first block's.</param>
    private static int Stream(CliContext ctx, DaemonClient c, string job, int variations, string outDir, int? rate = null)
    {
        c.Send(new Credit(job, CreditWindow));
        var parts = Enumerable.Range(0, variations).Select(_ => new SortedDictionary<long, float[]>()).ToArray();
        int blocks = 0;
        var bars = new LevelProgress(ctx.Err, JukeboxLevels);
        while (true)
        {
            var m = c.Receive(TimeSpan.FromMinutes(10)) ?? throw new IOException($"the daemon stopped answering (job {job} goes on; `jukebox fetch {job} --out DIR` gets it later)");
            switch (m)
            {
                case Progress p:
                    bars.Update(new JobProgress((int)p.Level, (int)p.WindowsDone, (int)p.WindowsTotal, p.TokensDone, p.TokensTotal, p.TokensDone, p.TokensTotal, p.Elapsed, p.Eta));
                    break;
                case Block b when b.Job == job:
                    if (b.Variation < 0 || b.Variation >= variations) throw new IOException($"the daemon sent variation {b.Variation} of a job with {variations}");
                    parts[b.Variation][b.Seq] = MemoryMarshal.Cast<byte, float>(b.Audio.Span).ToArray();
                    if (rate is int r0 && r0 != b.Format.Rate) throw new IOException($"the daemon sent a block at {b.Format.Rate} Hz for a job at {r0} Hz");
                    rate = (int)b.Format.Rate;
                    blocks++;
                    c.Send(new Credit(job, 1));
                    break;
                case Error e when e.Job == job || e.Job is null:
                    throw new IOException($"daemon: {e.Text} ({e.Code})");
                case TakeDone d when d.Job == job:
                    Directory.CreateDirectory(outDir);
                    if (rate is not int takeRate) throw new IOException($"the daemon finished job {job} without a block or a rate");
                    for (int v = 0; v < variations; v++)
                    {
                        string path = Path.Combine(outDir, $"continuation-{v + 1}.wav");
                        WavWriter.Write(path, AudioClip.Mono(takeRate, parts[v].Values.SelectMany(x => x).Select(x => Math.Clamp(x, -1f, 1f)).ToArray()), WavSampleFormat.Pcm24);
                        ctx.Out.WriteLine(path);
                    }
                    bars.Message($"done: job {job}, {variations} take(s) of {parts[0].Values.Sum(x => x.Length) / (double)takeRate:F2} s new audio, {blocks} block(s) received");
                    FetchFiles(ctx, c, job, variations, outDir);
                    return 0;
            }
        }
    }
}
