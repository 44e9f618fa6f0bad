using JukeboxBridge.Audio.Wav;
using JukeboxBridge.Daemon;
using JukeboxBridge.Daemon.Client;
using JukeboxBridge.Daemon.Security;
using JukeboxBridge.Protocol;
using JukeboxBridge.Protocol.Messages;
using JukeboxBridge.ScaleOut;
using JukeboxBridge.TestSupport;

namespace JukeboxBridge.ScaleOut.Tests;

/// <summary>Fronts, clients and takes for the scale-out tests.</summary>
public static class ScaleOutKit
{
    public static NatsOptions Nats(NatsServer server, string dir, double ackWaitSeconds = 3, int maxDeliveries = 3) => new()
    {
        Url = server.Url, CredentialsFile = server.WriteCredentials(dir), AckWait = TimeSpan.FromSeconds(ackWaitSeconds), MaxDeliveries = maxDeliveries,
        Tls = server.Tls is null ? "auto" : "on", TlsCaFile = server.Tls?.CaCert,
    };

    public static DaemonOptions FrontOptions(string dir, int port = 0) => new()
    {
        Endpoint = port == 0 ? "tcp://127.0.0.1:*" : $"tcp://127.0.0.1:{port}", Model = "tiny", JobsDir = Path.Combine(dir, "jobs"),
        KeysDir = Path.Combine(dir, "keys"), StylesDir = Path.Combine(dir, "styles"), MaxQueuedJobsPerClient = 8,
    };

    public static JukeboxDaemon Front(DaemonOptions o, NatsOptions nats)
    {
        var d = new JukeboxDaemon(o, executor: new NatsExecutorFactory(nats));
        d.Start();
        return d;
    }

    public static DaemonClient Connect(ClientFile file)
    {
        var c = new DaemonClient(file, curve: false);
        c.Handshake();
        return c;
    }

    public static Submit Sample(long request, int seed, double seconds = 0.5, int variations = 1) =>
        new(request, "sample", new SubmitSettings { Seconds = seconds, Variations = variations, Seed = seed });

    /// <summary>Submits, waits for accepted, and opens the job's block credit (as the CLI does); returns the job id.</summary>
    public static string SubmitJob(DaemonClient c, Submit s)
    {
        c.Send(s);
        string job = c.Expect<Accepted>().Job;
        c.Send(new Credit(job, 64));
        return job;
    }

    /// <summary>Receives until every job is done or has failed, crediting blocks as they come; returns each job's final message.</summary>
    public static Dictionary<string, Message> Drain(IReadOnlyList<(DaemonClient Client, string Job)> jobs, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        var clients = jobs.Select(j => j.Client).Distinct().ToList();
        var final = new Dictionary<string, Message>();
        while (jobs.Any(j => !final.ContainsKey(j.Job)) && DateTime.UtcNow < deadline)
            foreach (var c in clients) Poll(c, final);
        return jobs.Where(j => final.ContainsKey(j.Job)).ToDictionary(j => j.Job, j => final[j.Job]);
    }

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<DaemonClient, Dictionary<string, Message>> Finals = new();

    /// <summary>One message (at most 100 ms): blocks credited, final messages kept for <see cref="Drain"/> (the client stays alive meanwhile).</summary>
    public static void Poll(DaemonClient c, Dictionary<string, Message>? into = null)
    {
        var kept = Finals.GetValue(c, _ => new Dictionary<string, Message>());
        if (into is not null) foreach (var (k, v) in kept) into[k] = v;
        if (c.Receive(TimeSpan.FromMilliseconds(100)) is not { } m) return;
        switch (m)
        {
            case Block b: c.Send(new Credit(b.Job, 1)); break;
            case TakeDone d: kept[d.Job] = d; break;
            case Error { Job: string j } e: kept[j] = e; break;
        }
        if (into is not null) foreach (var (k, v) in kept) into[k] = v;
    }

    /// <summary>Each take's samples (take-N.wav of the job folder), in variation order.</summary>
    public static List<float[]> Takes(string jobDir) =>
        Directory.GetFiles(jobDir, "take-*.wav").Order().Select(f => WavReader.Read(f).Channels[0]).ToList();

    /// <summary>Waits for the condition, keeping <paramref name="client"/> served meanwhile (pings, credit, final messages kept).</summary>
    public static void WaitFor(Func<bool> condition, TimeSpan timeout, string what, DaemonClient? client = null)
    {
        for (var t = DateTime.UtcNow + timeout; DateTime.UtcNow < t;)
        {
            if (condition()) return;
            if (client is not null) Poll(client); else Thread.Sleep(100);
        }
        throw new TimeoutException($"timed out waiting for {what}");
    }

    /// <summary>The same submits through one ordinary daemon (local worker): the takes scale-out must reproduce exactly.</summary>
    public static List<List<float[]>> SingleDaemonTakes(IReadOnlyList<Submit> submits)
    {
        using var dir = new TempDir();
        using var d = new JukeboxDaemon(FrontOptions(dir.Path) with { MaxQueuedJobsPerClient = submits.Count + 1 });
        d.Start();
        using var c = Connect(d.LocalClient);
        var ids = new List<string>();
        foreach (var s in submits) ids.Add(SubmitJob(c, s));
        var final = Drain(ids.Select(j => (c, j)).ToList(), TimeSpan.FromMinutes(5));
        Assert.All(ids, j => Assert.IsType<TakeDone>(final[j]));
        return ids.Select(j => Takes(Path.Combine(dir.Path, "jobs", "local", j))).ToList();
    }

    public static void SameTakes(List<float[]> expected, List<float[]> actual, string what)
    {
        Assert.True(expected.Count == actual.Count, $"{what}: {actual.Count} takes, expected {expected.Count}");
        for (int v = 0; v < expected.Count; v++)
            Assert.True(expected[v].AsSpan().SequenceEqual(actual[v]), $"{what}: take {v + 1} differs from the single-daemon run");
    }
}
