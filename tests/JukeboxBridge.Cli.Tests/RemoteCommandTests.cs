using JukeboxBridge.Audio;
using JukeboxBridge.Audio.Analysis;
using JukeboxBridge.Audio.Wav;
using JukeboxBridge.Daemon;
using JukeboxBridge.TestSupport;

namespace JukeboxBridge.Cli.Tests;

public class RemoteCommandTests
{
    [Fact]
    public void Remote_continue_streams_a_job_from_the_daemon_into_wavs_and_lists_it()
    {
        using var dir = new TempDir();
        using var daemon = new JukeboxDaemon(new DaemonOptions
        {
            Endpoint = "tcp://127.0.0.1:*", Model = "tiny", JobsDir = dir.File("jobs"), KeysDir = dir.File("keys"),
        });
        daemon.Start();
        WavWriter.Write(dir.File("p.wav"), AudioClip.Mono(44100, ToneAnalysis.Sine(44100, 330, 0.3, 22050)), WavSampleFormat.Pcm16);
        string client = Path.Combine(dir.File("keys"), "client.json");

        var (code, stdout, err) = CliRunner.Run("remote", "continue", dir.File("p.wav"), "--seconds", "0.5", "--variations", "2", "--client", client, "--out", dir.File("out"));
        Assert.True(code == 0, err);
        Assert.Contains("continuation-2.wav", stdout);
        var take = WavReader.Read(dir.File("out/continuation-1.wav"));
        Assert.Equal(22050 / 128 * 128, take.Frames);                                              // 0.5 s of new audio, in whole top-level codes

        (code, stdout, err) = CliRunner.Run("remote", "jobs", "--client", client);
        Assert.True(code == 0, err);
        Assert.Contains("done", stdout);

        var missing = Path.Combine(dir.Path, "nope.json");
        (code, _, err) = CliRunner.Run("remote", "jobs", "--client", missing);
        Assert.Equal(1, code);
        Assert.Contains("no client file", err);
    }
}
