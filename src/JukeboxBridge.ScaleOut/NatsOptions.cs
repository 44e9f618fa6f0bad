using System.Text.Json;
using JukeboxBridge.Errors;
using NATS.Client.Core;

namespace JukeboxBridge.ScaleOut;

/// <summary>
/// How the front (`jukebox serve --nats`) and the workers (`jukebox worker`) reach NATS JetStream, and the job queue's
/// delivery rules. Both sides must agree on <see cref="AckWait"/> and <see cref="MaxDeliveries"/>: the first one to
/// start creates the stream and the consumer, later ones update them to their values.
/// </summary>
public sealed record NatsOptions
{
    /// <summary>nats://host:port (tls://host:port asks for TLS).</summary>
    public required string Url { get; init; }
    /// <summary>A JSON file {"user": ..., "password": ...} readable by its owner only (null: no authentication; refused off loopback).</summary>
    public string? CredentialsFile { get; init; }
    /// <summary>"auto" (TLS required off loopback, or with a tls:// URL), "on" or "off" (refused off loopback).</summary>
    public string Tls { get; init; } = "auto";
    /// <summary>A CA certificate (PEM) that signed the server's certificate (null: the system's trust store).</summary>
    public string? TlsCaFile { get; init; }
    /// <summary>A delivered job not acknowledged for this long goes to another worker; a working worker says "in progress" every third of it.</summary>
    public TimeSpan AckWait { get; init; } = TimeSpan.FromSeconds(60);
    /// <summary>A job delivered this many times whose workers all died under it (kill, crash, power) is marked failed: a poison job stops.</summary>
    public int MaxDeliveries { get; init; } = 3;
    /// <summary>The subject prefix and stream name, so several deployments can share one NATS server.</summary>
    public string Prefix { get; init; } = "jukebox";

    public bool IsLoopback
    {
        get
        {
            if (!Uri.TryCreate(Url, UriKind.Absolute, out var u)) throw new UserInputException("--nats", $"--nats must be a URL like nats://127.0.0.1:4222, got '{Url}'");
            return u.IsLoopback;
        }
    }

    /// <summary>Checks the options once (clear errors naming the option) and returns the client's connection options.</summary>
    public NatsOpts ToNatsOpts(string name)
    {
        if (!Uri.TryCreate(Url, UriKind.Absolute, out var uri) || uri.Scheme is not ("nats" or "tls") || uri.Port <= 0)
            throw new UserInputException("--nats", $"--nats must be a URL like nats://127.0.0.1:4222 (or tls://...), got '{Url}'");
        if (!System.Text.RegularExpressions.Regex.IsMatch(Prefix, "^[A-Za-z0-9_-]{1,32}$"))
            throw new UserInputException("--nats-prefix", $"--nats-prefix is 1 to 32 letters, digits, - or _, got '{Prefix}'");
        if (AckWait < TimeSpan.FromSeconds(1)) throw new UserInputException("--ack-wait", "--ack-wait is at least 1 second");
        if (MaxDeliveries < 1) throw new UserInputException("--max-deliveries", "--max-deliveries is at least 1");
        bool tls = Tls switch
        {
            "on" => true,
            "off" => uri.IsLoopback ? uri.Scheme == "tls" : throw new UserInputException("--nats-tls", $"refusing to send jobs and audio to {Url} without TLS: off this machine NATS needs TLS (--nats-tls auto or on)"),
            "auto" => !uri.IsLoopback || uri.Scheme == "tls",
            _ => throw new UserInputException("--nats-tls", $"--nats-tls is auto, on or off, got '{Tls}'"),
        };
        var auth = NatsAuthOpts.Default;
        if (CredentialsFile is { } file) { var (user, password) = ReadCredentials(file); auth = auth with { Username = user, Password = password }; }
        else if (!uri.IsLoopback) throw new UserInputException("--nats-credentials", $"NATS at {Url} is off this machine: give --nats-credentials (a user and password file, mode 0600)");
        if (TlsCaFile is { } ca && !File.Exists(ca)) throw new UserInputException("--nats-ca", $"no CA certificate at {ca}");
        return NatsOpts.Default with
        {
            Url = Url, Name = name, AuthOpts = auth,
            TlsOpts = new NatsTlsOpts { Mode = tls ? TlsMode.Require : TlsMode.Disable, CaFile = TlsCaFile },
            MaxReconnectRetry = -1,                                              // a restarted server is waited for, not given up on
            ReconnectWaitMin = TimeSpan.FromMilliseconds(200), ReconnectWaitMax = TimeSpan.FromSeconds(2),
        };
    }

    /// <summary>{"user": ..., "password": ...} from a file only its owner can read (on Unix: group and others have no access).</summary>
    public static (string User, string Password) ReadCredentials(string path)
    {
        if (!File.Exists(path)) throw new UserInputException("--nats-credentials", $"no credentials file at {path}");
        if (!OperatingSystem.IsWindows())
        {
            var mode = File.GetUnixFileMode(path);
            const UnixFileMode others = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
                                      | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;
            if ((mode & others) != 0)
                throw new UserInputException("--nats-credentials", $"{path} can be read by other users (mode {Convert.ToString((int)mode, 8)}): chmod 600 it");
        }
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(path));
            string Field(string k) => doc.RootElement.TryGetProperty(k, out var v) && v.ValueKind == JsonValueKind.String && v.GetString() is { Length: > 0 } s ? s
                : throw new UserInputException("--nats-credentials", $"{path}: '{k}' must be a non-empty string");
            return (Field("user"), Field("password"));
        }
        catch (JsonException e) { throw new UserInputException("--nats-credentials", $"{path} is not JSON {{\"user\": ..., \"password\": ...}}: {e.Message}"); }
    }
}
