using System.Diagnostics;
using JukeboxBridge.Daemon.Client;
using JukeboxBridge.Daemon.Security;
using JukeboxBridge.Protocol;
using JukeboxBridge.Protocol.Messages;
using JukeboxBridge.Protocol.Security;
using JukeboxBridge.Protocol.Wire;
using JukeboxBridge.TestSupport;
using NetMQ;
using NetMQ.Sockets;
using static JukeboxBridge.Daemon.Tests.DaemonTestKit;

namespace JukeboxBridge.Daemon.Tests;

/// <summary>
/// Hostile and broken peers against a real daemon (in this process, loopback, tiny model): each sends what the
/// hardening review found, and the test asserts the error reply, that the daemon lives, and that a well-behaved client
/// is still served.
/// </summary>
[Collection("daemon")]
public class HostileInputTests
{
    private static DealerSocket Raw(JukeboxDaemon d, byte[]? identity = null)
    {
        var s = new DealerSocket();
        s.Options.Linger = TimeSpan.Zero;
        if (identity is not null) s.Options.Identity = identity;
        s.Connect(d.Server.Endpoint);
        return s;
    }

    private static void SendRaw(DealerSocket s, params byte[][] frames)
    {
        for (int i = 0; i < frames.Length; i++) s.SendFrame(frames[i], more: i < frames.Length - 1);
    }

    private static Message? ReceiveRaw(DealerSocket s, TimeSpan timeout)
    {
        var frames = new List<byte[]>();
        return s.TryReceiveMultipartBytes(timeout, ref frames!) ? MessageCodec.FromFrames(frames.Select(f => (ReadOnlyMemory<byte>)f).ToList()) : null;
    }

    private static Error ExpectError(DaemonClient c) => Assert.IsType<Error>(c.Receive(TimeSpan.FromSeconds(15)));

    private static void StillServes(JukeboxDaemon d)
    {
        using var ok = new DaemonClient(d.LocalClient, curve: false);
        ok.Handshake();
        ok.Send(new Ping(77));
        Assert.Equal(new Pong(77), ok.Receive(TimeSpan.FromSeconds(15)));
    }

    /// <summary>A submit header written field by field, so values the typed records would refuse can be sent.</summary>
    private static byte[] SubmitHeader(WireMap settings, WireMap? prompt = null, string mode = "continue") =>
        WireCodec.Encode(new WireMap().Add("v", 1).Add("type", "submit").Add("request", 41).Add("mode", mode).Add("settings", settings).Add("prompt", prompt));

    [Fact]
    public void Settings_out_of_range_are_refused_naming_the_field_and_the_daemon_lives()
    {
        using var dir = new TempDir();
        using var d = new JukeboxDaemon(Options(dir));
        d.Start();
        using var c = new DaemonClient(d.LocalClient, curve: false);
        c.Handshake();
        var prompt = new WireMap().Add("rate", 48000).Add("channels", 1).Add("frames", 4);
        foreach (var (key, value) in new (string, object)[]
                 {
                     ("temperature", double.NaN), ("temperature", double.PositiveInfinity), ("top_p", double.NegativeInfinity), ("top_p", 1.5),
                     ("seconds", double.NaN), ("seconds", -1.0), ("variations", 0L), ("variations", 1L << 40), ("seed", -5L), ("top_k", 1L << 40),
                     ("timeline_seconds", double.NaN), ("timeline_seconds", double.PositiveInfinity), ("timeline_seconds", -0.5), ("timeline_seconds", 1e300),
                 })
        {
            c.Send(new Ping(0)); Assert.IsType<Pong>(c.Receive(TimeSpan.FromSeconds(15)));
            // The header is built field by field: values the typed records would not produce go out as they are.
            var frames = new[] { SubmitHeader(new WireMap().Add(key, value), prompt), new byte[16] };
            SendFrames(c, frames);
            var e = ExpectError(c);
            Assert.Equal(ErrorCodes.BadSettings, e.Code);
            Assert.Contains("settings." + key, e.Text);
            Assert.Equal(41, e.Request);
        }
        StillServes(d);
    }

    private static void SendFrames(DaemonClient c, byte[][] frames) => c.SendRawFrames(frames);

    [Fact]
    public void Job_files_are_served_to_their_owner_by_name_only()
    {
        using var dir = new TempDir();
        using var d = new JukeboxDaemon(Options(dir));
        d.Start();
        using var owner = new DaemonClient(d.LocalClient, curve: false);
        owner.Handshake();
        owner.Send(new Submit(1, "sample", new SubmitSettings { Seconds = 0.2, Variations = 1, Seed = 1 }));
        var job = owner.Expect<Accepted>().Job;
        string folder = Path.Combine(dir.Path, "jobs", "local", job);
        File.WriteAllBytes(Path.Combine(folder, "lyrics-1.mid"), [1, 2, 3]);
        File.WriteAllBytes(Path.Combine(folder, "alignment-1.png"), new byte[JobFile.MaxBytes + 1]);
        File.WriteAllText(Path.Combine(folder, "secret.txt"), "not for the wire");

        owner.Send(new GetFile(job, "lyrics-1.mid"));
        var f = Assert.IsType<FileData>(Next(owner));
        Assert.Equal(new byte[] { 1, 2, 3 }, f.Data);
        owner.Send(new GetFile(job, "lyrics-2.mid"));
        Assert.Equal(ErrorCodes.UnknownFile, NextError(owner).Code);
        owner.Send(new GetFile(job, "alignment-1.png"));
        Assert.Equal(ErrorCodes.TooLarge, NextError(owner).Code);
        foreach (var name in new[] { "secret.txt", "../keys/client.json", "request.json", "lyrics-1.mid/..", "lyrics-0.mid", "LYRICS-1.MID" })
        {
            SendFrames(owner, [WireCodec.Encode(new WireMap().Add("v", 1).Add("type", "get_file").Add("job", job).Add("name", name))]);
            var e = NextError(owner);
            Assert.Equal(ErrorCodes.BadMessage, e.Code);
            Assert.Contains("not a job file", e.Text);
        }
        using var other = new DaemonClient(d.Keys.AddClient("studio", d.Server.Endpoint), curve: false);
        other.Handshake();
        other.Send(new GetFile(job, "lyrics-1.mid"));
        Assert.Equal(ErrorCodes.UnknownJob, ExpectError(other).Code);
        StillServes(d);
    }

    /// <summary>The next message that is not the running job's progress or audio.</summary>
    private static Message Next(DaemonClient c)
    {
        for (var t = DateTime.UtcNow.AddSeconds(30); DateTime.UtcNow < t;)
            if (c.Receive(TimeSpan.FromSeconds(1)) is { } m and not Progress and not Block and not TakeDone) return m;
        throw new TimeoutException("no reply");
    }

    private static Error NextError(DaemonClient c) => Assert.IsType<Error>(Next(c));

    [Fact]
    public void Forged_upsamples_are_refused_and_the_daemon_lives()
    {
        using var dir = new TempDir();
        using var d = new JukeboxDaemon(Options(dir));
        d.Start();
        using var owner = new DaemonClient(d.LocalClient, curve: false);
        owner.Handshake();
        // A finished job of the local client: 0.2 s of "sample", 2 variations.
        owner.Send(new Submit(1, "sample", new SubmitSettings { Seconds = 0.2, Variations = 2, Seed = 1 }));
        var done = owner.Expect<Accepted>();
        owner.Send(new Credit(done.Job, 10_000));
        for (var t = DateTime.UtcNow.AddSeconds(120); DateTime.UtcNow < t;)
            if (owner.Receive(TimeSpan.FromSeconds(1)) is TakeDone or Error) break;

        // Another client may not upsample it, nor learn that it exists.
        using var other = new DaemonClient(d.Keys.AddClient("studio", d.Server.Endpoint), curve: false);
        other.Handshake();
        other.Send(new Submit(2, "upsample", new SubmitSettings { Variation = 0 }, Job: done.Job));
        var e = ExpectError(other);
        Assert.Equal(ErrorCodes.UnknownJob, e.Code);
        Assert.Contains("no finished job", e.Text);

        // The owner: an unknown job, a path for a job id, a negative or huge variation, a variation on another mode.
        owner.Send(new Submit(3, "upsample", new SubmitSettings(), Job: "20261125-041501-3f2a"));
        Assert.Equal(ErrorCodes.UnknownJob, ExpectError(owner).Code);
        SendFrames(owner, [WireCodec.Encode(new WireMap().Add("v", 1).Add("type", "submit").Add("request", 4).Add("mode", "upsample").Add("job", "../../etc").Add("settings", new WireMap()))]);
        Assert.Contains("job", ExpectError(owner).Text);
        foreach (long k in new[] { -1L, 2L, 1L << 40 })
        {
            SendFrames(owner, [WireCodec.Encode(new WireMap().Add("v", 1).Add("type", "submit").Add("request", 5).Add("mode", "upsample").Add("job", done.Job)
                .Add("settings", new WireMap().Add("variation", k)))]);
            var bad = ExpectError(owner);
            Assert.Equal(ErrorCodes.BadSettings, bad.Code);
            Assert.Contains("settings.variation", bad.Text);
        }
        SendFrames(owner, [WireCodec.Encode(new WireMap().Add("v", 1).Add("type", "submit").Add("request", 6).Add("mode", "sample")
            .Add("settings", new WireMap().Add("variation", 1L)))]);
        Assert.Contains("settings.variation", ExpectError(owner).Text);

        // An upsample of a job that is still running is refused until it is done.
        owner.Send(new Submit(7, "sample", new SubmitSettings { Seconds = 30, Variations = 1, Seed = 2 }));
        var running = owner.Expect<Accepted>();
        owner.Send(new Submit(8, "upsample", new SubmitSettings { Variation = 0 }, Job: running.Job));
        var notYet = owner.Receive(TimeSpan.FromSeconds(15));
        while (notYet is Progress or Block) notYet = owner.Receive(TimeSpan.FromSeconds(15));
        Assert.Equal(ErrorCodes.UnknownJob, Assert.IsType<Error>(notYet).Code);
        owner.Send(new Cancel(running.Job));
        StillServes(d);
    }

    [Fact]
    public void Overflowing_sizes_and_out_of_range_numbers_are_bad_messages_not_crashes()
    {
        using var dir = new TempDir();
        using var d = new JukeboxDaemon(Options(dir));
        d.Start();
        using var c = new DaemonClient(d.LocalClient, curve: false);
        c.Handshake();

        // frames = 2^62: frames x channels x 4 overflows to 0, so an empty PCM frame would have "matched".
        SendFrames(c, [SubmitHeader(new WireMap(), new WireMap().Add("rate", 48000).Add("channels", 1).Add("frames", 1L << 62)), []]);
        var e = ExpectError(c);
        Assert.Equal(ErrorCodes.BadMessage, e.Code);
        Assert.Contains("overflows", e.Text);

        // A prompt on a mode that takes none; a 9-channel prompt; a 384 kHz prompt.
        SendFrames(c, [SubmitHeader(new WireMap(), new WireMap().Add("rate", 48000).Add("channels", 1).Add("frames", 1), "sample"), new byte[4]]);
        Assert.Contains("carries no prompt", ExpectError(c).Text);
        c.Send(new Submit(3, "continue", new SubmitSettings(), Prompt: new PcmFormat(384000, 2, 4), PromptPcm: new byte[32]));
        Assert.Contains("prompt.rate", ExpectError(c).Text);

        // fetch from_seq = 2^31 (was cast to a negative int); credit beyond the cap; a job id that is a path.
        c.Send(new Fetch("20261125-041501-3f2a", 1L << 31));
        Assert.Contains("from_seq", ExpectError(c).Text);
        c.Send(new Credit("20261125-041501-3f2a", 1L << 40));
        Assert.Contains("blocks", ExpectError(c).Text);
        c.Send(new Cancel("../../etc/passwd"));
        Assert.Contains("not a job id", ExpectError(c).Text);
        StillServes(d);
    }

    [Fact]
    public void Sessions_belong_to_connections_a_chosen_routing_id_is_refused_and_a_departed_session_ends()
    {
        using var dir = new TempDir();
        using var d = new JukeboxDaemon(Options(dir));
        d.Start();
        // A peer that picks its routing id (as a thief reusing a departed client's id would) is not served at all.
        using (var chosen = Raw(d, "studio-laptop-1"u8.ToArray()))
        {
            SendRaw(chosen, MessageCodec.ToFrames(new Hello("t", [1]))[0].ToArray());
            var e = Assert.IsType<Error>(ReceiveRaw(chosen, TimeSpan.FromSeconds(15)));
            Assert.Contains("routing id", e.Text);
            SendRaw(chosen, MessageCodec.ToFrames(new ListJobs())[0].ToArray());
            Assert.IsType<Error>(ReceiveRaw(chosen, TimeSpan.FromSeconds(15)));
        }
        // A client that disconnects without bye: its session ends at once (the disconnect probe), not after the idle limit.
        using (var c = new DaemonClient(d.LocalClient, curve: false))
        {
            c.Handshake();
            Assert.Equal(1, d.Server.SessionCounts.All);
        }
        var until = DateTime.UtcNow.AddSeconds(10);
        while (DateTime.UtcNow < until && d.Server.SessionCounts.All > 0) Thread.Sleep(50);
        Assert.Equal(0, d.Server.SessionCounts.All);
        StillServes(d);
    }

    [Fact]
    public void Revoking_a_client_ends_its_live_session()
    {
        using var dir = new TempDir();
        using var d = new JukeboxDaemon(Options(dir));
        d.Start();
        var file = d.Keys.AddClient("studio", d.Server.Endpoint);
        using var c = new DaemonClient(file, curve: false);
        c.Handshake();
        c.Send(new ListJobs());
        Assert.IsType<JobList>(c.Receive(TimeSpan.FromSeconds(15)));
        Assert.True(d.Keys.Revoke("studio"));
        var e = Assert.IsType<Error>(c.Receive(TimeSpan.FromSeconds(15)));
        Assert.Equal(ErrorCodes.AuthFailed, e.Code);
        c.Send(new ListJobs());
        Assert.Equal(ErrorCodes.AuthRequired, ExpectError(c).Code);
        StillServes(d);
    }

    [Fact]
    public void Connections_that_never_authenticate_are_capped_and_expire_and_get_no_style_lists()
    {
        using var dir = new TempDir();
        using var d = new JukeboxDaemon(Options(dir) with { MaxPendingSessions = 8, PendingSessionSeconds = 2 });
        d.Start();
        var sockets = Enumerable.Range(0, 12).Select(_ => Raw(d)).ToList();
        try
        {
            var answers = sockets.Select(s =>
            {
                SendRaw(s, MessageCodec.ToFrames(new Hello("t", [1]))[0].ToArray());
                return ReceiveRaw(s, TimeSpan.FromSeconds(15));
            }).ToList();
            Assert.Equal(8, answers.Count(a => a is Welcome));
            Assert.Equal(4, answers.Count(a => a is Error { Code: ErrorCodes.Busy }));
            Assert.Equal(8, d.Server.SessionCounts.Pending);
            // Welcome carries no style lists any more: they come with auth_ok.
            var header = WireCodec.Encode(answers.OfType<Welcome>().First().ToMap());
            Assert.False(WireCodec.Decode(header).Has("styles"));
            var until = DateTime.UtcNow.AddSeconds(10);
            while (DateTime.UtcNow < until && d.Server.SessionCounts.Pending > 0) Thread.Sleep(100);
            Assert.Equal(0, d.Server.SessionCounts.Pending);
        }
        finally { sockets.ForEach(s => s.Dispose()); }
        StillServes(d);
    }

    [Fact]
    public void Maps_with_thousands_of_keys_cost_the_poller_linear_time()
    {
        using var dir = new TempDir();
        using var d = new JukeboxDaemon(Options(dir));
        d.Start();
        // 15 maps of 4096 distinct 2-letter keys (just under the 256 KiB header limit), pre-auth, 20 times: ~1.3·10^8 key
        // comparisons per message with a quadratic duplicate check.
        const string letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        var inner = new WireMap();
        for (int i = 0; i < 4096; i++) inner.Add($"{letters[i / 64]}{letters[i % 64]}", 1);
        var top = new WireMap().Add("v", 1).Add("type", "ping").Add("t", 1);
        for (int m = 0; m < 14; m++) top.Add("p" + letters[m], inner);
        var bytes = WireCodec.Encode(top);
        using var attacker = Raw(d);
        var sw = Stopwatch.StartNew();
        for (int i = 0; i < 20; i++) SendRaw(attacker, bytes);
        for (int i = 0; i < 20; i++) Assert.IsType<Pong>(ReceiveRaw(attacker, TimeSpan.FromSeconds(60)));
        // A generous bound (a quadratic check took ~0.3 s per message on 2 cores): the poller stays responsive.
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(6), $"20 wide messages took {sw.Elapsed.TotalSeconds:F1} s");
        StillServes(d);
    }

    [Fact]
    public void Messages_with_extra_frames_are_refused_without_keeping_the_frames()
    {
        using var dir = new TempDir();
        using var d = new JukeboxDaemon(Options(dir));
        d.Start();
        using var s = Raw(d);
        var ping = MessageCodec.ToFrames(new Ping(5))[0].ToArray();
        SendRaw(s, [ping, .. Enumerable.Repeat(new byte[1000], 50)]);
        var e = Assert.IsType<Error>(ReceiveRaw(s, TimeSpan.FromSeconds(15)));
        Assert.Contains("1 or 2 frames, got 51", e.Text);
        StillServes(d);
    }

    [Fact]
    public void A_daemon_that_cannot_prove_it_knows_the_client_is_refused()
    {
        using var dir = new TempDir();
        // A fake daemon: answers hello and auth, but does not hold the client's secret.
        using var fake = new RouterSocket();
        int port = fake.BindRandomPort("tcp://127.0.0.1");
        var stop = new CancellationTokenSource();
        var thread = new Thread(() =>
        {
            var frames = new List<byte[]>();
            while (!stop.IsCancellationRequested)
            {
                if (!fake.TryReceiveMultipartBytes(TimeSpan.FromMilliseconds(100), ref frames!)) continue;
                var m = MessageCodec.FromFrames(frames.Skip(1).Select(f => (ReadOnlyMemory<byte>)f).ToList());
                Message reply = m is Hello ? new Welcome("impostor", 1, new byte[32], ["x"], "cpu", 1, new ServerLimits(1 << 20, 60, 4, 8))
                                           : new AuthOk(new byte[32], StyleLists.None);
                fake.SendFrame(frames[0], more: true);
                fake.SendFrame(MessageCodec.ToFrames(reply)[0].ToArray());
            }
        });
        thread.Start();
        try
        {
            var file = new ClientFile($"tcp://127.0.0.1:{port}", "", "local", Convert.ToHexString(HmacAuth.NewSecret()));
            using var c = new DaemonClient(file, curve: false);
            var e = Assert.Throws<DaemonIdentityException>(() => c.Handshake());
            Assert.Contains("could not prove", e.Message);
        }
        finally { stop.Cancel(); thread.Join(); }

        // No CURVE to a daemon off this machine; a client file others can read.
        var remote = new ClientFile("tcp://192.0.2.10:5555", "", "local", Convert.ToHexString(HmacAuth.NewSecret()));
        Assert.Contains("without encryption", Assert.Throws<DaemonIdentityException>(() => new DaemonClient(remote, curve: false)).Message);
        string path = dir.File("client.json");
        File.WriteAllText(path, remote.ToJson());
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);
        Assert.Contains("chmod 600", Assert.Throws<UnauthorizedAccessException>(() => KeyStore.ReadClientFile(path)).Message);
    }

    [Fact]
    public void Job_lists_page_so_many_jobs_never_make_one_oversized_reply()
    {
        using var dir = new TempDir();
        using var d = new JukeboxDaemon(Options(dir) with { MaxQueuedJobsPerClient = 10 });
        d.Start();
        using var c = new DaemonClient(d.LocalClient, curve: false);
        c.Handshake();
        // Five jobs (cancelled at once: listing does not care about their state).
        var ids = new List<string>();
        for (int i = 0; i < 5; i++)
        {
            c.Send(new Submit(i, "sample", new SubmitSettings { Seconds = 30 }));
            ids.Add(c.Expect<Accepted>().Job);
        }
        foreach (var id in ids) c.Send(new Cancel(id));
        for (var t = DateTime.UtcNow.AddSeconds(3); DateTime.UtcNow < t;) c.Receive(TimeSpan.FromMilliseconds(200));
        c.Send(new ListJobs(1, 2));
        var page = c.Expect<JobList>();
        Assert.Equal((2, 1L, 5L), (page.Jobs.Count, page.Offset, page.Total!.Value));
        Assert.Equal(ids[1..3], page.Jobs.Select(j => j.Job));
        Assert.Equal(ids, c.ListAllJobs().Select(j => j.Job));
        c.Send(new ListJobs(0, 100000));
        Assert.Contains("limit", ExpectError(c).Text);
    }
}
