using JukeboxBridge.Daemon.Security;
using JukeboxBridge.Protocol;
using JukeboxBridge.Protocol.Messages;
using JukeboxBridge.Protocol.Security;
using NetMQ;
using NetMQ.Sockets;

namespace JukeboxBridge.Daemon.Client;

/// <summary>
/// A DEALER client of the daemon (the CLI's, and the tests'): connects with a client file (CURVE when the daemon
/// uses it), says hello, answers the challenge, then sends messages and receives them one at a time. Not thread-safe.
/// </summary>
public sealed class DaemonClient : IDisposable
{
    private readonly DealerSocket _socket = new();
    public Welcome? Welcome { get; private set; }
    /// <summary>The served model's artists and genres (from auth_ok).</summary>
    public StyleLists Styles { get; private set; } = StyleLists.None;

    public DaemonClient(ClientFile file) : this(file, file.Curve) { }

    /// <summary>The largest message a daemon sends a client (a block is far smaller; the job list is paged).</summary>
    public const long MaxIncomingBytes = 16L << 20;

    public DaemonClient(ClientFile file, bool curve)
    {
        if (!curve && !new DaemonOptions { Endpoint = file.Endpoint }.IsLoopback)
            throw new DaemonIdentityException($"refusing to send audio and credentials to {file.Endpoint} without encryption: a daemon off this machine needs CURVE (use the client file `jukebox keys add-client` made for it)");
        _socket.Options.Linger = TimeSpan.Zero;
        _socket.Options.MaxMsgSize = MaxIncomingBytes;
        if (curve)
        {
            _socket.Options.CurveServerKey = NetMQ.NetMQCertificate.FromPublicKey(file.ServerPublicKey).PublicKey;
            _socket.Options.CurveCertificate = new NetMQCertificate();
        }
        _socket.Connect(file.Endpoint);
        File = file;
    }

    public ClientFile File { get; }

    /// <summary>
    /// hello → welcome → auth → auth_ok, both ways: the daemon must prove it holds this client's secret (auth_ok's
    /// MAC over our nonce), else <see cref="DaemonIdentityException"/>. The daemon's errors become ProtocolExceptions.
    /// </summary>
    public Welcome Handshake(string client = "jukebox-cli/0.1", TimeSpan? timeout = null)
    {
        if (Welcome is not null) throw new InvalidOperationException("this connection has already authenticated");
        Send(new Hello(client, [Message.Version]));
        var welcome = Expect<Welcome>(timeout);
        var nonce = HmacAuth.NewNonce();
        Send(new Auth(File.ClientId, HmacAuth.Mac(File.SecretBytes, welcome.Nonce, File.ClientId), nonce));
        var ok = Expect<AuthOk>(timeout);
        if (!HmacAuth.VerifyServer(File.SecretBytes, nonce, welcome.Nonce, File.ClientId, ok.Mac))
            throw new DaemonIdentityException($"the daemon at {File.Endpoint} could not prove it knows client '{File.ClientId}': refusing to talk to it (is another program listening on that port?)");
        Styles = ok.Styles;
        return Welcome = welcome;
    }

    /// <summary>Every job of this client, page by page (list_jobs with offset and limit).</summary>
    public IReadOnlyList<JobInfo> ListAllJobs(TimeSpan? timeout = null)
    {
        var all = new List<JobInfo>();
        while (true)
        {
            Send(new ListJobs(all.Count, ListJobs.MaxLimit));
            var page = Expect<JobList>(timeout);
            all.AddRange(page.Jobs);
            if (page.Jobs.Count == 0 || all.Count >= (page.Total ?? all.Count)) return all;
        }
    }

    /// <summary>How often a waiting client says it is still there (the daemon ends sessions silent for its idle limit, 60 s by default).</summary>
    public static readonly TimeSpan KeepAlive = TimeSpan.FromSeconds(5);
    private DateTime _lastSent = DateTime.UtcNow;
    private readonly HashSet<long> _keepAlives = new();

    public void Send(Message m)
    {
        var frames = MessageCodec.ToFrames(m);
        for (int i = 0; i < frames.Count; i++) _socket.SendFrame(frames[i].ToArray(), more: i < frames.Count - 1);
        _lastSent = DateTime.UtcNow;
    }

    /// <summary>Sends frames exactly as given (protocol tests and tools that need bytes the typed messages never produce).</summary>
    public void SendRawFrames(IReadOnlyList<byte[]> frames)
    {
        for (int i = 0; i < frames.Count; i++) _socket.SendFrame(frames[i], more: i < frames.Count - 1);
        _lastSent = DateTime.UtcNow;
    }

    /// <summary>
    /// The next message, or null after <paramref name="timeout"/>. While waiting it pings the daemon every
    /// <see cref="KeepAlive"/> so a long job does not end the session; those pongs, and the daemon's own probes, are not returned.
    /// </summary>
    public Message? Receive(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var now = DateTime.UtcNow;
            if (Welcome is not null && now - _lastSent >= KeepAlive)
            {
                long t = -now.Ticks;                                          // negative: never one of the caller's own ping values
                _keepAlives.Add(t);
                if (!_socket.TrySendFrame(TimeSpan.Zero, MessageCodec.ToFrames(new Ping(t))[0].ToArray())) _keepAlives.Remove(t);   // never blocks on a gone daemon
                _lastSent = now;
            }
            // Whole milliseconds: NetMQ waits forever on a timeout that is positive but under 1 ms.
            int ms = (int)Math.Clamp((deadline - now).TotalMilliseconds, 0, KeepAlive.TotalMilliseconds);
            var frames = new List<byte[]>();
            if (!_socket.TryReceiveMultipartBytes(TimeSpan.FromMilliseconds(ms), ref frames!))
            {
                if (ms == 0 || DateTime.UtcNow >= deadline) return null;
                continue;
            }
            var m = MessageCodec.FromFrames(frames.Select(f => (ReadOnlyMemory<byte>)f).ToList(), IncomingLimits);
            bool keepAlive = m is Pong p && _keepAlives.Remove(p.T) || m is Ping && Welcome is not null;   // ours, or the daemon probing
            if (!keepAlive) return m;
            if (DateTime.UtcNow >= deadline) return null;
        }
    }

    private static readonly FrameLimits IncomingLimits = new(MaxIncomingBytes);

    /// <summary>The next message, which must be a <typeparamref name="T"/> (an error becomes a ProtocolException; other messages are skipped).</summary>
    public T Expect<T>(TimeSpan? timeout = null) where T : Message
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        while (DateTime.UtcNow < deadline)
        {
            var m = Receive(deadline - DateTime.UtcNow);
            if (m is T t) return t;
            // An error about a job (cancelled, failed) arrives on its own time; it is no answer to what we wait for.
            if (m is Error { Job: not null } && typeof(T) != typeof(Error)) continue;
            if (m is Error e) throw new ProtocolException(e.Code, e.Text);
        }
        throw new TimeoutException($"no {typeof(T).Name} from the daemon at {File.Endpoint}");
    }

    public void Dispose() => _socket.Dispose();
}

/// <summary>The peer at the endpoint is not the daemon the client file names (it failed mutual authentication).</summary>
public sealed class DaemonIdentityException(string message) : IOException(message);
