using System.Security.Cryptography;
using System.Text;

namespace JukeboxBridge.Protocol.Security;

/// <summary>
/// The mutual challenge-response (NetMQ 4.0.4.5 has no CURVE client allow-list): the daemon sends a fresh random nonce
/// in <c>welcome</c>; the client answers with HMAC-SHA256(secret, "jukeboxbridge-auth-v1" ‖ nonce ‖ UTF-8 client id)
/// and a nonce of its own; the daemon checks the answer in constant time and proves in <c>auth_ok</c> that it holds
/// the same secret (<see cref="ServerMac"/>), so a client never gives its audio to a daemon that does not know it.
/// </summary>
public static class HmacAuth
{
    public const int NonceBytes = 32, SecretBytes = 32;
    private static readonly byte[] Context = Encoding.ASCII.GetBytes("jukeboxbridge-auth-v1");
    private static readonly byte[] ServerContext = Encoding.ASCII.GetBytes("jukeboxbridge-server-v1");

    public static byte[] NewNonce() => RandomNumberGenerator.GetBytes(NonceBytes);
    public static byte[] NewSecret() => RandomNumberGenerator.GetBytes(SecretBytes);

    /// <summary>The client's answer: HMAC-SHA256(secret, "jukeboxbridge-auth-v1" ‖ daemon nonce ‖ UTF-8 client id).</summary>
    public static byte[] Mac(ReadOnlySpan<byte> secret, ReadOnlySpan<byte> nonce, string clientId) =>
        HMACSHA256.HashData(secret, Concat(Context, nonce, [], clientId));

    public static bool Verify(ReadOnlySpan<byte> secret, ReadOnlySpan<byte> nonce, string clientId, ReadOnlySpan<byte> mac) =>
        mac.Length == 32 && CryptographicOperations.FixedTimeEquals(Mac(secret, nonce, clientId), mac);

    /// <summary>The daemon's proof in auth_ok: HMAC-SHA256(secret, "jukeboxbridge-server-v1" ‖ client nonce ‖ daemon nonce ‖ UTF-8 client id).</summary>
    public static byte[] ServerMac(ReadOnlySpan<byte> secret, ReadOnlySpan<byte> clientNonce, ReadOnlySpan<byte> daemonNonce, string clientId) =>
        HMACSHA256.HashData(secret, Concat(ServerContext, clientNonce, daemonNonce, clientId));

    public static bool VerifyServer(ReadOnlySpan<byte> secret, ReadOnlySpan<byte> clientNonce, ReadOnlySpan<byte> daemonNonce, string clientId, ReadOnlySpan<byte> mac) =>
        mac.Length == 32 && CryptographicOperations.FixedTimeEquals(ServerMac(secret, clientNonce, daemonNonce, clientId), mac);

    private static byte[] Concat(ReadOnlySpan<byte> context, ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, string clientId)
    {
        var id = Encoding.UTF8.GetBytes(clientId);
        var message = new byte[context.Length + a.Length + b.Length + id.Length];
        context.CopyTo(message);
        a.CopyTo(message.AsSpan(context.Length));
        b.CopyTo(message.AsSpan(context.Length + a.Length));
        id.CopyTo(message.AsSpan(context.Length + a.Length + b.Length));
        return message;
    }
}
