using System.CommandLine;
using System.Runtime.InteropServices;
using JukeboxBridge.Audio;
using JukeboxBridge.Audio.Wav;
using JukeboxBridge.Daemon.Client;
using JukeboxBridge.Daemon.Security;
using JukeboxBridge.Protocol;
using JukeboxBridge.Protocol.Messages;
using JukeboxBridge.Sampling.Jobs;

namespace JukeboxBridge.Cli.Commands;

/// <summary>
/// jukebox remote continue / jobs / fetch: the daemon's command-line client. It authenticates with the client file
/// (default: the local one that `jukebox serve` writes) and streams the continuation into WAVs as it arrives.
/// </summary>
public static class RemoteCommands
{
    private static Option<string?> ClientOption() => new("--client") { Description = "client file (default: client.json in the per-user config folder)" };

    private static DaemonClient Connect(string? path)
    {
        var file = KeyStore.ReadClientFile(path ?? new KeyStore().LocalClientPath);
        var c = new DaemonClient(file);
        try { c.Handshake(); }
        catch (TimeoutException) { c.Dispose(); throw new IOException($"no answer from a daemon at {file.Endpoint} (is `jukebox serve` running?)"); }
        catch (ProtocolException e) { c.Dispose(); throw new IOException($"the daemon refused this client: {e.Message}"); }
        return c;
    }

    public static Command Create(CliContext ctx)
    {
        var remote = new Command("remote", "Use a running daemon (`jukebox serve`, local or remote)");
        remote.Subcommands.Add(Continue(ctx));
        remote.Subcommands.Add(Jobs(ctx));
        remote.Subcommands.Add(Fetch(ctx));
        return remote;
    }

    private static Command Continue(CliContext ctx)
    {
        var prompt = new Argument<string>("prompt") { Description = "the clip to continue (any rate/channels)" };
        var output = new Option<string>("--out") { Description = "folder for the continuation WAVs (one per variation)", Required = true };
        var seconds = new Option<double?>("--seconds") { Description = "seconds of new music (default: the model's)" };
        var variations = new Option<long?>("--variations") { Description = "takes, generated together" };
        var seed = new Option<long?>("--seed") { Description = "random seed" };
        var temperature = new Option<double?>("--temperature") { Description = "sampling temperature" };
        var artist = new Option<string?>("--artist") { Description = "artist (labelled models)" };
        var genre = new Option<string?>("--genre") { Description = "genre (labelled models)" };
        var client = ClientOption();
        var cmd = new Command("continue", "Continue a clip on the daemon; the new audio streams into WAVs") { prompt, output, seconds, variations, seed, temperature, artist, genre, client };
        cmd.SetAction(r => ctx.Guard(() =>
        {
            var clip = AudioFile.Read(r.GetValue(prompt)!);
            var pcm = new float[clip.Frames * clip.ChannelCount];
            for (int i = 0; i < clip.Frames; i++) for (int ch = 0; ch < clip.ChannelCount; ch++) pcm[i * clip.ChannelCount + ch] = clip.Channels[ch][i];
            using var c = Connect(r.GetValue(client));
            var settings = new SubmitSettings
            {
                Seconds = r.GetValue(seconds), Variations = r.GetValue(variations), Seed = r.GetValue(seed), Temperature = r.GetValue(temperature),
                Artist = r.GetValue(artist), Genre = r.GetValue(genre),
            };
            c.Send(new Submit(1, "continue", settings, Prompt: new PcmFormat(clip.SampleRate, clip.ChannelCount, clip.Frames), PromptPcm: MemoryMarshal.AsBytes(pcm.AsSpan()).ToArray()));
            var accepted = c.Expect<Accepted>();
            ctx.Err.WriteLine($"job {accepted.Job} accepted: {accepted.Variations} variation(s)");
            return Stream(ctx, c, accepted.Job, (int)accepted.Variations, r.GetValue(output)!);
        }));
        return cmd;
    }

    private static Command Jobs(CliContext ctx)
    {
        var client = ClientOption();
        var cmd = new Command("jobs", "List my jobs on the daemon") { client };
        cmd.SetAction(r => ctx.Guard(() =>
        {
            using var c = Connect(r.GetValue(client));
            c.Send(new ListJobs());
            foreach (var j in c.Expect<JobList>().Jobs)
                ctx.Out.WriteLine($"{j.Job}  {j.State,-9}  {j.Mode,-8}  {j.Seconds,5:F1} s  x{j.Variations}  {j.BlocksWritten} blocks  {j.Created}");
            return 0;
        }));
        return cmd;
    }

    private static Command Fetch(CliContext ctx)
    {
        var job = new Argument<string>("job") { Description = "job id (see `jukebox remote jobs`)" };
        var output = new Option<string>("--out") { Description = "folder for the WAVs", Required = true };
        var client = ClientOption();
        var cmd = new Command("fetch", "Download a job's audio (waits for it to finish)") { job, output, client };
        cmd.SetAction(r => ctx.Guard(() =>
        {
            using var c = Connect(r.GetValue(client));
            c.Send(new ListJobs());
            var info = c.Expect<JobList>().Jobs.FirstOrDefault(j => j.Job == r.GetValue(job)) ?? throw new ArgumentException($"no job '{r.GetValue(job)}'");
            c.Send(new Fetch(info.Job, 0));
            return Stream(ctx, c, info.Job, (int)info.Variations, r.GetValue(output)!);
        }));
        return cmd;
    }

    /// <summary>Receives a job's blocks (granting credit as they arrive) until take_done; writes one WAV per variation.</summary>
    private static int Stream(CliContext ctx, DaemonClient c, string job, int variations, string outDir)
    {
        const int window = 32;
        c.Send(new Credit(job, window));
        var parts = Enumerable.Range(0, variations).Select(_ => new SortedDictionary<long, float[]>()).ToArray();
        int rate = 44100;
        var bars = new LevelProgress(ctx.Err, 3);
        while (true)
        {
            var m = c.Receive(TimeSpan.FromMinutes(10)) ?? throw new IOException("the daemon stopped answering (the job goes on; `jukebox remote fetch` gets it later)");
            switch (m)
            {
                case Progress p:
                    bars.Update(new JobProgress((int)p.Level, (int)p.WindowsDone, (int)p.WindowsTotal, p.TokensDone, p.TokensTotal, p.TokensDone, p.TokensTotal, p.Elapsed, p.Eta));
                    break;
                case Block b:
                    parts[b.Variation][b.Seq] = MemoryMarshal.Cast<byte, float>(b.Audio.Span).ToArray();
                    rate = (int)b.Format.Rate;
                    c.Send(new Credit(job, 1));
                    break;
                case Error e when e.Job == job || e.Job is null:
                    throw new IOException($"daemon: {e.Text} ({e.Code})");
                case TakeDone:
                    Directory.CreateDirectory(outDir);
                    for (int v = 0; v < variations; v++)
                    {
                        string path = Path.Combine(outDir, $"continuation-{v + 1}.wav");
                        WavWriter.Write(path, AudioClip.Mono(rate, parts[v].Values.SelectMany(x => x).Select(x => Math.Clamp(x, -1f, 1f)).ToArray()), WavSampleFormat.Pcm24);
                        ctx.Out.WriteLine(path);
                    }
                    return 0;
            }
        }
    }
}
