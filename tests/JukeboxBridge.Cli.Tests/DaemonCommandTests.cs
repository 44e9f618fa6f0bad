using JukeboxBridge.Audio;
using JukeboxBridge.Audio.Analysis;
using JukeboxBridge.Audio.Wav;
using JukeboxBridge.Daemon;
using JukeboxBridge.TestSupport;

namespace JukeboxBridge.Cli.Tests;

/// <summary>The CLI as the daemon's client: continue/upsample with --daemon, jobs, fetch, cancel, resume by job id.</summary>
public class DaemonCommandTests
{
    [Fact]
    public void Continue_on_the_daemon_streams_into_wavs_and_jobs_fetch_upsample_cancel_work_by_job_id()
    {
        using var dir = new TempDir();
        using var daemon = new JukeboxDaemon(new DaemonOptions
        {
            Endpoint = "tcp://127.0.0.1:*", Model = "tiny", JobsDir = dir.File("jobs"), KeysDir = dir.File("keys"),
        });
        daemon.Start();
        WavWriter.Write(dir.File("p.wav"), AudioClip.Mono(44100, ToneAnalysis.Sine(44100, 330, 0.3, 22050)), WavSampleFormat.Pcm16);
        string client = Path.Combine(dir.File("keys"), "client.json");
        string[] at = ["--daemon", daemon.Server.Endpoint, "--client", client];

        var (code, stdout, err) = CliRunner.Run(["continue", dir.File("p.wav"), "--seconds", "0.5", "--variations", "2", "--out", dir.File("out"), .. at]);
        Assert.True(code == 0, err);
        Assert.Contains("continuation-2.wav", stdout);
        var take = WavReader.Read(dir.File("out/continuation-1.wav"));
        Assert.Equal(22050 / 128 * 128, take.Frames);                                              // 0.5 s of new audio, in whole top-level codes
        string job = Directory.GetDirectories(Path.Combine(dir.File("jobs"), "local")).Select(Path.GetFileName).Single()!;
        Assert.Contains($"job {job} accepted", err);

        (code, stdout, err) = CliRunner.Run(["jobs", .. at]);
        Assert.True(code == 0, err);
        Assert.Contains($"{job}  done", stdout);

        // fetch re-sends the same blocks: the same audio, bit for bit
        (code, _, err) = CliRunner.Run(["fetch", job, "--out", dir.File("again"), .. at]);
        Assert.True(code == 0, err);
        Assert.Equal(take.Channels[0], WavReader.Read(dir.File("again/continuation-1.wav")).Channels[0]);

        // a lyrics job's MIDI and alignment picture come along with fetch (here placed in the daemon's job folder by hand:
        // the tiny model has no lyrics); a job without them fetches its takes only
        Assert.False(File.Exists(dir.File("again/lyrics-1.mid")));
        var mid = new byte[] { (byte)'M', (byte)'T', (byte)'h', (byte)'d', 0, 0, 0, 6, 0, 1, 0, 1, 1, 224 };
        File.WriteAllBytes(Path.Combine(dir.File("jobs"), "local", job, "lyrics-2.mid"), mid);
        File.WriteAllBytes(Path.Combine(dir.File("jobs"), "local", job, "alignment-1.png"), [0x89, (byte)'P', (byte)'N', (byte)'G']);
        (code, stdout, err) = CliRunner.Run(["fetch", job, "--out", dir.File("files"), .. at]);
        Assert.True(code == 0, err);
        Assert.Equal(mid, File.ReadAllBytes(dir.File("files/lyrics-2.mid")));
        Assert.Equal(4, new FileInfo(dir.File("files/alignment-1.png")).Length);
        Assert.Contains("lyrics-2.mid", stdout);
        Assert.False(File.Exists(dir.File("files/lyrics-1.mid")));

        // upsample a finished job by id: a new job with the same length
        (code, _, err) = CliRunner.Run(["upsample", job, "--out", dir.File("up"), .. at]);
        Assert.True(code == 0, err);
        Assert.Equal(take.Frames, WavReader.Read(dir.File("up/continuation-2.wav")).Frames);

        // a finished job cannot be resumed; cancelling it changes nothing
        (code, _, err) = CliRunner.Run(["resume", job, "--out", dir.File("r"), .. at]);
        Assert.Equal(1, code);
        Assert.Contains("is done", err);
        (code, stdout, err) = CliRunner.Run(["cancel", job, .. at]);
        Assert.True(code == 0, err);
        Assert.Contains("cancel requested (done)", stdout);

        (code, _, err) = CliRunner.Run(["fetch", "20990101-000000-abcdef", "--out", dir.File("x"), .. at]);
        Assert.Equal(1, code);
        Assert.Contains("no job '20990101-000000-abcdef'", err);
    }

    [Fact]
    public void Daemon_commands_name_missing_credentials_and_local_only_options()
    {
        using var dir = new TempDir();
        var missing = Path.Combine(dir.Path, "nope.json");
        var (code, _, err) = CliRunner.Run("jobs", "--client", missing);
        Assert.Equal(1, code);
        Assert.Contains("no client file", err);

        WavWriter.Write(dir.File("p.wav"), AudioClip.Mono(44100, new float[4410]), WavSampleFormat.Pcm16);
        (code, _, err) = CliRunner.Run("continue", dir.File("p.wav"), "--daemon", "tcp://127.0.0.1:1", "--device", "cpu", "--out", dir.File("o"));
        Assert.Equal(1, code);
        Assert.Contains("--device applies to local runs only", err);
        (code, _, err) = CliRunner.Run("continue", dir.File("p.wav"), "--daemon", "tcp://127.0.0.1:1", "--temperature", "0.9,0.9,0.9", "--client", missing, "--out", dir.File("o"));
        Assert.Equal(1, code);
        Assert.Contains("--temperature with --daemon takes one number", err);
    }
}
