using System.Diagnostics;
using JukeboxBridge.Audio;
using JukeboxBridge.Audio.Analysis;
using JukeboxBridge.Audio.Wav;
using JukeboxBridge.TestSupport;
using NetMQ;
using NetMQ.Sockets;

namespace JukeboxBridge.Cli.Tests;

/// <summary>A real `jukebox serve` process under a flood of huge frames from peers that never authenticate.</summary>
public class DaemonProcessTests
{
    private static long RssBytes(int pid)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            if (line.StartsWith("VmRSS:")) return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;
        return 0;
    }

    [Fact]
    public void Twenty_pre_auth_256_MiB_frames_leave_the_daemons_memory_flat_and_it_serves_afterwards()
    {
        if (!OperatingSystem.IsLinux()) return;                                   // reads /proc
        using var dir = new TempDir();
        int port = 20000 + Random.Shared.Next(30000);
        var psi = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "jukebox"),
            ["serve", "--model", "tiny", "--endpoint", $"tcp://127.0.0.1:{port}", "--jobs", dir.File("jobs"), "--keys", dir.File("keys")])
        { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.Environment["XDG_CONFIG_HOME"] = dir.File("cfg");
        using var daemon = Process.Start(psi)!;
        daemon.OutputDataReceived += (_, _) => { };
        daemon.ErrorDataReceived += (_, _) => { };
        daemon.BeginOutputReadLine();
        daemon.BeginErrorReadLine();
        try
        {
            string client = Path.Combine(dir.File("keys"), "client.json");
            for (var t = DateTime.UtcNow.AddSeconds(60); DateTime.UtcNow < t && !File.Exists(client);) Thread.Sleep(100);
            Assert.True(File.Exists(client), "the daemon did not start");
            Thread.Sleep(1000);
            long idle = RssBytes(daemon.Id), peak = idle;

            var frame = new byte[256 << 20];
            Random.Shared.NextBytes(frame.AsSpan(0, 4096));
            var senders = new List<DealerSocket>();
            try
            {
                for (int i = 0; i < 20; i++)
                {
                    var s = new DealerSocket();
                    s.Options.Linger = TimeSpan.Zero;
                    s.Options.SendHighWatermark = 1;
                    s.Connect($"tcp://127.0.0.1:{port}");
                    s.TrySendFrame(TimeSpan.FromSeconds(5), frame);
                    senders.Add(s);
                    peak = Math.Max(peak, RssBytes(daemon.Id));
                }
                for (var t = DateTime.UtcNow.AddSeconds(5); DateTime.UtcNow < t;) { peak = Math.Max(peak, RssBytes(daemon.Id)); Thread.Sleep(50); }
            }
            finally { senders.ForEach(s => s.Dispose()); }
            Assert.False(daemon.HasExited, "the daemon died");
            Assert.True(peak - idle < 256L << 20, $"daemon RSS rose by {(peak - idle) >> 20} MiB (idle {idle >> 20} MiB, peak {peak >> 20} MiB)");

            // A normal continuation right after.
            WavWriter.Write(dir.File("p.wav"), AudioClip.Mono(44100, ToneAnalysis.Sine(44100, 330, 0.3, 22050)), WavSampleFormat.Pcm16);
            var (code, _, err) = CliRunner.Run(["continue", dir.File("p.wav"), "--seconds", "0.5", "--variations", "1", "--out", dir.File("out"),
                                                "--daemon", $"tcp://127.0.0.1:{port}", "--client", client]);
            Assert.True(code == 0, err);
            Assert.True(File.Exists(dir.File("out/continuation-1.wav")));
            Console.Error.WriteLine($"daemon RSS idle {idle >> 20} MiB, peak under 20 x 256 MiB pre-auth frames {peak >> 20} MiB");
        }
        finally
        {
            if (!daemon.HasExited) { daemon.Kill(); daemon.WaitForExit(10000); }
        }
    }
}
