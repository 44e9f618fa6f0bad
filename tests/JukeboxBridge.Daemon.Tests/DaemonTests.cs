using JukeboxBridge.Errors;
using JukeboxBridge.Audio.Wav;
using JukeboxBridge.Daemon.Client;
using JukeboxBridge.Daemon.Security;
using JukeboxBridge.Protocol;
using JukeboxBridge.Protocol.Messages;
using JukeboxBridge.TestSupport;
using static JukeboxBridge.Daemon.Tests.DaemonTestKit;

namespace JukeboxBridge.Daemon.Tests;

/// <summary>The daemon on loopback with the tiny bundle: sessions, authentication, jobs, credit-limited streaming, restart.</summary>
[Collection("daemon")]
public class DaemonTests
{
    private static byte[] Pcm(int frames, int channels)
    {
        var x = new float[frames * channels];
        for (int i = 0; i < frames; i++) for (int c = 0; c < channels; c++) x[i * channels + c] = 0.3f * MathF.Sin(2 * MathF.PI * (220 + 110 * c) * i / 48000f);
        var b = new byte[x.Length * 4];
        Buffer.BlockCopy(x, 0, b, 0, b.Length);
        return b;
    }

    private static Submit Continue(long request, double seconds, int variations) =>
        new(request, "continue", new SubmitSettings { Seconds = seconds, Variations = variations, Seed = 3 }, Prompt: new PcmFormat(48000, 2, 24000), PromptPcm: Pcm(24000, 2));

    /// <summary>Messages until take_done (or an error), giving credit as blocks arrive.</summary>
    private static List<Message> Drain(DaemonClient c, string job, long creditEach = 0, TimeSpan? timeout = null)
    {
        var got = new List<Message>();
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(120));
        while (DateTime.UtcNow < deadline)
        {
            var m = c.Receive(TimeSpan.FromSeconds(1));
            if (m is null) continue;
            got.Add(m);
            if (m is Block && creditEach > 0) c.Send(new Credit(job, creditEach));
            if (m is TakeDone or Error) break;
        }
        return got;
    }

    [Fact]
    public void A_daemon_started_with_no_model_serves_the_default_model_and_its_styles()
    {
        using var dir = new TempDir();
        using var daemon = new JukeboxDaemon(Options(dir) with { Model = null });
        daemon.Start();
        using var c = new DaemonClient(daemon.LocalClient, curve: false);
        var welcome = c.Handshake();
        Assert.Equal(["default"], welcome.Models);
        Assert.Contains("rock", c.Styles.Genres);                                   // the labelled top prior's genres and artists
        Assert.Contains("brass_city", c.Styles.Artists);
    }

    [Fact]
    public void The_daemon_offers_the_users_styles_the_served_model_can_take()
    {
        using var dir = new TempDir();
        var store = new JukeboxBridge.Sampling.Styles.UserStyleStore(dir.File("styles"));
        store.Add(new JukeboxBridge.Sampling.Styles.UserStyle { Name = "Late night", Artist = "brass_city", Genres = ["rock"] });
        store.Add(new JukeboxBridge.Sampling.Styles.UserStyle { Name = "Elsewhere", Artist = "nobody_we_know", Genres = ["rock"] });   // another model's
        using var daemon = new JukeboxDaemon(Options(dir) with { Model = null, StylesDir = store.Dir });
        daemon.Start();
        using var c = new DaemonClient(daemon.LocalClient, curve: false);
        c.Handshake();
        var offered = Assert.Single(c.Styles.Presets!);
        Assert.Equal(new StylePreset("Late night", "brass_city", "rock"), offered);
    }

    [Fact]
    public void A_job_streams_its_blocks_within_credit_and_they_make_the_take()
    {
        using var dir = new TempDir();
        using var daemon = new JukeboxDaemon(Options(dir));
        daemon.Start();
        using var c = new DaemonClient(daemon.LocalClient, curve: false);
        var welcome = c.Handshake();
        Assert.Equal(["tiny"], welcome.Models);
        Assert.Equal(32, welcome.Nonce.Length);

        c.Send(Continue(1, 2.2, 2));
        var accepted = c.Expect<Accepted>();
        Assert.Equal(1, accepted.Request);
        Assert.Equal(22050 / 128 * 128, accepted.PromptSamples);                   // 0.5 s at 48 kHz -> 44.1 kHz, whole top codes
        Assert.Equal(2, accepted.Variations);

        // Credit for one block message: exactly one arrives, then nothing more until more credit.
        c.Send(new Credit(accepted.Job, 1));
        var first = new List<Message>();
        var until = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < until && !first.OfType<Block>().Any()) if (c.Receive(TimeSpan.FromSeconds(1)) is { } m) first.Add(m);
        Assert.Single(first.OfType<Block>());
        var later = new List<Message>();
        for (var t = DateTime.UtcNow.AddSeconds(3); DateTime.UtcNow < t;) if (c.Receive(TimeSpan.FromMilliseconds(200)) is { } m) later.Add(m);
        Assert.Empty(later.OfType<Block>());
        Assert.Contains(first.Concat(later), m => m is Progress);

        c.Send(new Credit(accepted.Job, 1));
        var rest = Drain(c, accepted.Job, creditEach: 1);
        var done = Assert.IsType<TakeDone>(rest[^1]);
        var blocks = first.Concat(later).Concat(rest).OfType<Block>().ToList();
        Assert.Equal(done.Blocks * 2, blocks.Count);
        Assert.Equal(accepted.PromptSamples, blocks.Where(b => b.Variation == 0).Min(b => b.Offset));

        // The streamed variation 1 equals take-2.wav after the prompt (the take is clamped to [-1, 1]).
        var take = WavReader.Read(Path.Combine(daemon.Options.JobsDir, "local", accepted.Job, "take-2.wav"));
        var streamed = blocks.Where(b => b.Variation == 1).OrderBy(b => b.Seq)
                             .SelectMany(b => System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(b.Audio.Span).ToArray()).ToArray();
        Assert.Equal(take.Frames - accepted.PromptSamples, streamed.Length);
        for (int i = 0; i < streamed.Length; i += 97)
            Assert.Equal(Math.Clamp(streamed[i], -1f, 1f), take.Channels[0][accepted.PromptSamples + i], 4);   // 24-bit WAV

        // Listed, and fetchable again from any block.
        c.Send(new ListJobs());
        var list = c.Expect<JobList>();
        Assert.Equal("done", Assert.Single(list.Jobs).State);
        c.Send(new Fetch(accepted.Job, done.Blocks - 1));
        c.Send(new Credit(accepted.Job, 10));
        var again = Drain(c, accepted.Job);
        Assert.Equal(2, again.OfType<Block>().Count());
        Assert.IsType<TakeDone>(again[^1]);
    }

    [Fact]
    public void Nothing_is_served_before_authentication_and_bad_input_gets_clear_errors()
    {
        using var dir = new TempDir();
        using var daemon = new JukeboxDaemon(Options(dir));
        daemon.Start();
        var wrong = daemon.LocalClient with { Secret = Convert.ToHexString(new byte[32]) };
        using var c = new DaemonClient(wrong, curve: false);
        c.Send(new ListJobs());
        Assert.Equal(ErrorCodes.AuthRequired, Assert.IsType<Error>(c.Receive(TimeSpan.FromSeconds(10))).Code);
        Assert.Equal(ErrorCodes.AuthFailed, Assert.Throws<ProtocolException>(() => c.Handshake()).Code);
        using var stranger = new DaemonClient(daemon.LocalClient with { ClientId = "nobody" }, curve: false);
        Assert.Equal(ErrorCodes.AuthFailed, Assert.Throws<ProtocolException>(() => stranger.Handshake()).Code);

        using var ok = new DaemonClient(daemon.LocalClient, curve: false);
        ok.Handshake();
        ok.Send(new Submit(5, "continue", new SubmitSettings { Variations = 99 }, Prompt: new PcmFormat(48000, 1, 10), PromptPcm: new byte[40]));
        var e = Assert.IsType<Error>(ok.Receive(TimeSpan.FromSeconds(10)));
        Assert.Equal((ErrorCodes.BadSettings, 5L), (e.Code, e.Request!.Value));
        ok.Send(new Submit(6, "continue", new SubmitSettings(), Prompt: new PcmFormat(8000, 1, 8000 * 61), PromptPcm: new byte[8000 * 61 * 4]));
        Assert.Equal(ErrorCodes.PromptTooLong, Assert.IsType<Error>(ok.Receive(TimeSpan.FromSeconds(10))).Code);
        ok.Send(new Fetch("no-such-job", 0));
        Assert.Equal(ErrorCodes.UnknownJob, Assert.IsType<Error>(ok.Receive(TimeSpan.FromSeconds(10))).Code);

        // Garbage frames: an error, and the session keeps working.
        using var raw = new NetMQ.Sockets.DealerSocket();
        raw.Connect(daemon.Server.Endpoint);
        NetMQ.OutgoingSocketExtensions.SendFrame(raw, new byte[] { 0xc1, 0x00, 0xff });
        var frames = NetMQ.ReceivingSocketExtensions.ReceiveMultipartBytes(raw);
        Assert.Equal(ErrorCodes.BadMessage, ((Error)MessageCodec.FromFrames(frames.Select(f => (ReadOnlyMemory<byte>)f).ToList())).Code);
        ok.Send(new Ping(9));
        Assert.Equal(new Pong(9), ok.Receive(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public void An_interrupted_job_resumes_after_a_restart_and_stays_listed()
    {
        using var dir = new TempDir();
        string job;
        using (var daemon = new JukeboxDaemon(Options(dir)))
        {
            daemon.Start();
            using var c = new DaemonClient(daemon.LocalClient, curve: false);
            c.Handshake();
            c.Send(Continue(1, 3, 1));
            job = c.Expect<Accepted>().Job;
            c.Expect<Progress>(TimeSpan.FromSeconds(60));
            for (var t = DateTime.UtcNow.AddSeconds(60); DateTime.UtcNow < t && c.Receive(TimeSpan.FromMilliseconds(100)) is not Progress { WindowsDone: > 3 };) { }
        }                                                                          // daemon stops mid-job
        var status = File.ReadAllText(Path.Combine(dir.Path, "jobs", "local", job, "job.json"));
        Assert.Contains("running", status);

        using var again = new JukeboxDaemon(Options(dir));
        again.Start();
        using var c2 = new DaemonClient(again.LocalClient, curve: false);
        c2.Handshake();
        c2.Send(new Fetch(job, 0));
        c2.Send(new Credit(job, 1000));
        var msgs = Drain(c2, job);
        Assert.IsType<TakeDone>(msgs[^1]);
        c2.Send(new ListJobs());
        Assert.Equal("done", c2.Expect<JobList>().Jobs.Single(j => j.Job == job).State);
        Assert.True(File.Exists(Path.Combine(dir.Path, "jobs", "local", job, "take-1.wav")));
    }

    [Fact]
    public void Keys_are_private_files_and_curve_works_and_open_binds_are_refused()
    {
        using var dir = new TempDir();
        var keys = new KeyStore(Path.Combine(dir.Path, "keys"));
        var local = keys.EnsureLocalClient("tcp://127.0.0.1:5555");
        var remote = keys.AddClient("studio-pc", "tcp://10.0.0.2:5555");
        Assert.Equal(["local", "studio-pc"], keys.Clients());
        if (!OperatingSystem.IsWindows())
        {
            foreach (var f in Directory.GetFiles(keys.Dir, "*", SearchOption.AllDirectories))
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(f));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(keys.ClientsDir));
        }
        Assert.DoesNotContain("secret_bytes", local.ToJson());
        Assert.Equal(local.ServerPublicKey, remote.ServerPublicKey);
        Assert.Equal(40, remote.ServerPublicKey.Length);
        Assert.True(keys.Revoke("studio-pc"));
        Assert.Null(keys.Secret("studio-pc"));
        Assert.Equal("client", Assert.Throws<UserInputException>(() => keys.AddClient("../evil", "x")).Field);

        Assert.Contains("without encryption", Assert.Throws<UserInputException>(() => new DaemonOptions { Endpoint = "tcp://0.0.0.0:5555", Curve = "off" }.UseCurve).Message);
        Assert.True(new DaemonOptions { Endpoint = "tcp://0.0.0.0:5555" }.UseCurve);

        using var daemon = new JukeboxDaemon(Options(dir, curve: "on"));
        daemon.Start();
        using var c = new DaemonClient(daemon.LocalClient, curve: true);
        c.Handshake();
        c.Send(new Ping(1));
        Assert.Equal(new Pong(1), c.Expect<Pong>());
        using var plain = new DaemonClient(daemon.LocalClient, curve: false);      // no CURVE against a CURVE server: silence
        Assert.Throws<TimeoutException>(() => plain.Handshake(timeout: TimeSpan.FromSeconds(2)));
    }
}

[CollectionDefinition("daemon", DisableParallelization = true)]
public sealed class DaemonCollection;
