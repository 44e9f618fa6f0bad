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

    public DaemonClient(ClientFile file) : this(file, file.Curve) { }

    public DaemonClient(ClientFile file, bool curve)
    {
        _socket.Options.Linger = TimeSpan.Zero;
        if (curve)
        {
            _socket.Options.CurveServerKey = NetMQ.NetMQCertificate.FromPublicKey(file.ServerPublicKey).PublicKey;
            _socket.Options.CurveCertificate = new NetMQCertificate();
        }
        _socket.Connect(file.Endpoint);
        File = file;
    }

    public ClientFile File { get; }

    /// <summary>hello → welcome → auth → auth_ok; throws ProtocolException with the daemon's error otherwise.</summary>
    public Welcome Handshake(string client = "jukebox-cli/0.1", TimeSpan? timeout = null)
    {
        Send(new Hello(client, [Message.Version]));
        var welcome = Expect<Welcome>(timeout);
        Send(new Auth(File.ClientId, HmacAuth.Mac(File.SecretBytes, welcome.Nonce, File.ClientId)));
        Expect<AuthOk>(timeout);
        return Welcome = welcome;
    }

    public void Send(Message m)
    {
        var frames = MessageCodec.ToFrames(m);
        for (int i = 0; i < frames.Count; i++) _socket.SendFrame(frames[i].ToArray(), more: i < frames.Count - 1);
    }

    /// <summary>The next message, or null after <paramref name="timeout"/>.</summary>
    public Message? Receive(TimeSpan timeout)
    {
        var frames = new List<byte[]>();
        if (!_socket.TryReceiveMultipartBytes(timeout, ref frames!)) return null;
        return MessageCodec.FromFrames(frames.Select(f => (ReadOnlyMemory<byte>)f).ToList());
    }

    /// <summary>The next message, which must be a <typeparamref name="T"/> (an error becomes a ProtocolException; other messages are skipped).</summary>
    public T Expect<T>(TimeSpan? timeout = null) where T : Message
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        while (DateTime.UtcNow < deadline)
        {
            var m = Receive(deadline - DateTime.UtcNow);
            if (m is T t) return t;
            if (m is Error e) throw new ProtocolException(e.Code, e.Text);
        }
        throw new TimeoutException($"no {typeof(T).Name} from the daemon at {File.Endpoint}");
    }

    public void Dispose() => _socket.Dispose();
}
