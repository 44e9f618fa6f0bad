using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace JukeboxBridge.ScaleOut.Tests;

// The processes of a scale-out run: a real nats-server and `jukebox worker`s. Shared (as a linked file) with the
// scale-out benchmark, so both start them the same way.

/// <summary>A real nats-server (JetStream, file storage in the test's folder) on a free loopback port, with a user and password.</summary>
public sealed class NatsServer : IDisposable
{
    public int Port { get; } = FreePort();
    public string StoreDir { get; }
    /// <summary>The server's certificate and key (PEM) when it requires TLS, else null.</summary>
    public TestCertificates? Tls { get; }
    public string Url => $"{(Tls is null ? "nats" : "tls")}://127.0.0.1:{Port}";
    public const string User = "jukebox", Password = "s3cret-for-tests";
    private Process? _p;

    public NatsServer(string dir, TestCertificates? tls = null) { StoreDir = Path.Combine(dir, "jetstream"); Tls = tls; Start(); }

    public static string Binary => File.Exists("/usr/sbin/nats-server") ? "/usr/sbin/nats-server" : "nats-server";

    public void Start()
    {
        List<string> args = ["-js", "-sd", StoreDir, "-a", "127.0.0.1", "-p", Port.ToString(), "--user", User, "--pass", Password];
        if (Tls is not null) args.AddRange(["--tls", "--tlscert", Tls.ServerCert, "--tlskey", Tls.ServerKey]);
        var psi = new ProcessStartInfo(Binary, args) { RedirectStandardOutput = true, RedirectStandardError = true };
        try { _p = Process.Start(psi)!; }
        catch (System.ComponentModel.Win32Exception e) { throw new InvalidOperationException("nats-server is not installed: run scripts/setup-debian.sh", e); }
        _p.OutputDataReceived += (_, _) => { };
        _p.ErrorDataReceived += (_, _) => { };
        _p.BeginOutputReadLine();
        _p.BeginErrorReadLine();
        for (var t = DateTime.UtcNow.AddSeconds(20); DateTime.UtcNow < t; Thread.Sleep(100))
        {
            try { using var c = new TcpClient(); c.Connect(IPAddress.Loopback, Port); return; }
            catch (SocketException) { if (_p.HasExited) break; }
        }
        throw new InvalidOperationException($"nats-server did not start on port {Port}");
    }

    /// <summary>SIGTERM (a clean shutdown) or SIGKILL; JetStream's files stay for <see cref="Start"/>.</summary>
    public void Stop(bool kill = false)
    {
        if (_p is null || _p.HasExited) return;
        if (kill) _p.Kill();
        else using (var k = Process.Start("kill", ["-TERM", _p.Id.ToString()])) k.WaitForExit();
        _p.WaitForExit(20000);
    }

    public void Dispose() { try { if (_p is { HasExited: false }) _p.Kill(); } catch (InvalidOperationException) { } }

    public static int FreePort()
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        int port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }

    /// <summary>The credentials file the front and the workers read (mode 0600).</summary>
    public string WriteCredentials(string dir)
    {
        string path = Path.Combine(dir, "nats-credentials.json");
        File.WriteAllText(path, $"{{\"user\": \"{User}\", \"password\": \"{Password}\"}}");
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return path;
    }
}

/// <summary>A `jukebox worker` process (one torch thread), its log lines kept for the test to read.</summary>
public sealed class WorkerProcess : IDisposable
{
    private readonly Process _p;
    public ConcurrentQueue<string> Lines { get; } = new();
    public string Name { get; }

    public WorkerProcess(string name, NatsOptions nats, string jobsDir, string model = "tiny")
    {
        Name = name;
        var psi = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "jukebox"),
            ["worker", "--model", model, "--jobs", jobsDir, "--name", name, "--nats", nats.Url, "--nats-credentials", nats.CredentialsFile!,
             "--ack-wait", nats.AckWait.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture), "--max-deliveries", nats.MaxDeliveries.ToString(),
             "--nats-tls", nats.Tls, .. (nats.TlsCaFile is { } ca ? new[] { "--nats-ca", ca } : [])])
        { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.Environment["OMP_NUM_THREADS"] = "1";
        psi.Environment["XDG_CONFIG_HOME"] = Path.Combine(jobsDir, "..", "cfg-" + name);
        _p = Process.Start(psi)!;
        _p.OutputDataReceived += (_, e) => { if (e.Data is { } l) Lines.Enqueue(l); };
        _p.ErrorDataReceived += (_, e) => { if (e.Data is { } l) Lines.Enqueue(l); };
        _p.BeginOutputReadLine();
        _p.BeginErrorReadLine();
    }

    public bool Said(string text) => Lines.Any(l => l.Contains(text));
    public int Count(string text) => Lines.Count(l => l.Contains(text));
    public bool HasExited => _p.HasExited;

    /// <summary>kill -9: no handing back, no last words.</summary>
    public void Kill9()
    {
        using (var k = Process.Start("kill", ["-KILL", _p.Id.ToString()])) k.WaitForExit();
        _p.WaitForExit(10000);
    }

    public void Dispose()
    {
        try { if (!_p.HasExited) { _p.Kill(); _p.WaitForExit(10000); } } catch (InvalidOperationException) { }
        _p.Dispose();
    }

    public string Log => string.Join("\n", Lines);
}

/// <summary>
/// A throw-away CA and a server certificate it signed for 127.0.0.1 and localhost (PEM files in the test's folder), so
/// a test can run nats-server with TLS and check that clients trust exactly that CA.
/// </summary>
public sealed class TestCertificates
{
    public string CaCert { get; }
    public string ServerCert { get; }
    public string ServerKey { get; }

    public TestCertificates(string dir, string name = "test")
    {
        using var caKey = RSA.Create(2048);
        var caReq = new CertificateRequest($"CN=JukeboxBridge {name} CA", caKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        caReq.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caReq.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        var from = DateTimeOffset.UtcNow.AddDays(-1);
        using var ca = caReq.CreateSelfSigned(from, from.AddDays(30));

        using var key = RSA.Create(2048);
        var req = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        san.AddDnsName("localhost");
        req.CertificateExtensions.Add(san.Build());
        req.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        req.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        req.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));   // server authentication
        using var cert = req.Create(ca, from, from.AddDays(29), [1, 2, 3, 4, 5, 6, 7, 8]);

        CaCert = Path.Combine(dir, $"{name}-ca.pem");
        ServerCert = Path.Combine(dir, $"{name}-server.pem");
        ServerKey = Path.Combine(dir, $"{name}-server.key");
        File.WriteAllText(CaCert, ca.ExportCertificatePem());
        File.WriteAllText(ServerCert, cert.ExportCertificatePem());
        File.WriteAllText(ServerKey, key.ExportPkcs8PrivateKeyPem());
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(ServerKey, UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }
}
