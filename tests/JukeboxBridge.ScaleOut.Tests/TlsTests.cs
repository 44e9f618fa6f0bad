using JukeboxBridge.Protocol.Messages;
using JukeboxBridge.TestSupport;
using NATS.Client.Core;
using Xunit.Abstractions;
using static JukeboxBridge.ScaleOut.Tests.ScaleOutKit;

namespace JukeboxBridge.ScaleOut.Tests;

/// <summary>
/// A real nats-server that requires TLS (a certificate from a CA made by the test): the front and a `jukebox worker`
/// reach it with --nats-tls on and --nats-ca, a job runs to the same take as a single daemon's, and clients that do not
/// trust that CA, or do not speak TLS, are refused.
/// </summary>
[Collection("scale-out")]
public class TlsTests(ITestOutputHelper output)
{
    [Fact]
    public void Over_tls_with_the_servers_ca_a_job_runs_and_clients_without_tls_or_that_ca_are_refused()
    {
        using var dir = new TempDir();
        using var nats = new NatsServer(dir.Path, new TestCertificates(dir.Path));
        var n = Nats(nats, dir.Path);
        Assert.StartsWith("tls://", n.Url);
        Assert.Equal(TlsMode.Require, n.ToNatsOpts("t").TlsOpts.Mode);

        // Refused: no TLS at all, and TLS with a CA that did not sign the server's certificate.
        string? plain = ConnectError(n with { Url = $"nats://127.0.0.1:{nats.Port}", Tls = "off", TlsCaFile = null });
        var otherCa = new TestCertificates(dir.Path, "other");
        string? untrusted = ConnectError(n with { TlsCaFile = otherCa.CaCert });
        output.WriteLine($"plaintext client: {plain}\nclient trusting another CA: {untrusted}");
        Assert.True(plain?.Contains("requires TLS") == true, plain);
        Assert.True(untrusted?.Contains("certificate") == true, untrusted);
        Assert.Null(ConnectError(n));

        var o = FrontOptions(dir.Path);
        using var front = Front(o, n);
        using var w = new WorkerProcess("tls-worker", n, o.JobsDir);
        using var c = Connect(front.LocalClient);
        WaitFor(() => w.Said("serves tiny"), TimeSpan.FromSeconds(60), "the worker over TLS", c);
        var submit = Sample(1, seed: 11);
        string job = SubmitJob(c, submit);
        var final = Drain([(c, job)], TimeSpan.FromMinutes(3));
        Assert.True(final.GetValueOrDefault(job) is TakeDone, $"{final.GetValueOrDefault(job)}\n{w.Log}");
        SameTakes(SingleDaemonTakes([submit])[0], Takes(Path.Combine(o.JobsDir, "local", job)), "the job over TLS");
    }

    /// <summary>The first connection's error (null when it connected and answered a ping), within 15 s.</summary>
    private static string? ConnectError(NatsOptions o)
    {
        try
        {
            var conn = new NatsConnection(o.ToNatsOpts("tls-test") with { MaxReconnectRetry = 0 });
            try
            {
                var t = Task.Run(async () => { await conn.ConnectAsync(); await conn.PingAsync(); });
                if (!t.Wait(TimeSpan.FromSeconds(15))) return "timed out";
                return null;
            }
            finally { conn.DisposeAsync().AsTask().Wait(TimeSpan.FromSeconds(5)); }
        }
        catch (Exception e) when (e is AggregateException or NatsException)
        {
            var chain = new List<string>();
            for (Exception? x = e is AggregateException a ? a.InnerException : e; x is not null; x = x.InnerException) chain.Add(x.Message);
            return string.Join(" <- ", chain);
        }
    }
}
