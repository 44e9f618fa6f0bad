using System.Security.Cryptography;
using System.Text;

namespace JukeboxBridge.Protocol.Security;

/// <summary>
/// The challenge-response that authenticates clients (NetMQ 4.0.4.5 has no CURVE client allow-list): the daemon sends
/// a fresh random nonce in <c>welcome</c>; the client answers with HMAC-SHA256(secret, "jukeboxbridge-auth-v1" ‖ nonce ‖
/// UTF-8 client id); the daemon recomputes it with that client's secret and compares in constant time.
/// </summary>
public static class HmacAuth
{
    public const int NonceBytes = 32, SecretBytes = 32;
    private static readonly byte[] Context = Encoding.ASCII.GetBytes("jukeboxbridge-auth-v1");

    public static byte[] NewNonce() => RandomNumberGenerator.GetBytes(NonceBytes);
    public static byte[] NewSecret() => RandomNumberGenerator.GetBytes(SecretBytes);

    public static byte[] Mac(ReadOnlySpan<byte> secret, ReadOnlySpan<byte> nonce, string clientId)
    {
        var id = Encoding.UTF8.GetBytes(clientId);
        var message = new byte[Context.Length + nonce.Length + id.Length];
        Context.CopyTo(message, 0);
        nonce.CopyTo(message.AsSpan(Context.Length));
        id.CopyTo(message, Context.Length + nonce.Length);
        return HMACSHA256.HashData(secret, message);
    }

    public static bool Verify(ReadOnlySpan<byte> secret, ReadOnlySpan<byte> nonce, string clientId, ReadOnlySpan<byte> mac) =>
        mac.Length == 32 && CryptographicOperations.FixedTimeEquals(Mac(secret, nonce, clientId), mac);
}
