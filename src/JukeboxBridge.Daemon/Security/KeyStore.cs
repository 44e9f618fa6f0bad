using JukeboxBridge.Errors;
using System.Text.Json;
using System.Text.Json.Serialization;
using JukeboxBridge.Protocol.Security;
using NetMQ;

namespace JukeboxBridge.Daemon.Security;

/// <summary>What a client needs to reach and authenticate to a daemon (client.json, or a file made by `jukebox keys add-client`).</summary>
public sealed record ClientFile(string Endpoint, string ServerPublicKey, string ClientId, string Secret)
{
    /// <summary>Whether the daemon encrypts with CURVE (always for non-loopback endpoints).</summary>
    public bool Curve { get; init; }

    [JsonIgnore] public byte[] SecretBytes => Convert.FromHexString(Secret);

    public string ToJson() => JsonSerializer.Serialize(this, KeyStore.Json);
}

/// <summary>
/// The per-user key material, in the config folder (Linux: $XDG_CONFIG_HOME/jukeboxbridge or ~/.config/jukeboxbridge;
/// Windows: %APPDATA%\JukeboxBridge; macOS: ~/Library/Application Support/JukeboxBridge), every file 0600:
/// <code>
/// server.key            the daemon's CURVE key pair (Z85 secret key; the public key is derived from it)
/// clients/NAME.json     a client the daemon accepts: its id and 32-byte secret
/// client.json           the local client's file (endpoint, server public key, id, secret): the CLI and plugin read it
/// </code>
/// </summary>
public sealed class KeyStore
{
    public string Dir { get; }
    public string ServerKeyPath => Path.Combine(Dir, "server.key");
    public string ClientsDir => Path.Combine(Dir, "clients");
    public string LocalClientPath => Path.Combine(Dir, "client.json");
    public const string LocalClientName = "local";

    public KeyStore(string? dir = null)
    {
        Dir = dir ?? DefaultDir();
        PrivateDir(Dir);
        PrivateDir(ClientsDir);
    }

    /// <summary>Creates a folder only its owner can enter (0700 on Unix).</summary>
    private static void PrivateDir(string dir)
    {
        Directory.CreateDirectory(dir);
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    public static string DefaultDir() => JukeboxBridge.Storage.UserFolders.ConfigDir();

    /// <summary>The daemon's key pair, made at first start.</summary>
    public NetMQCertificate ServerCertificate()
    {
        Directory.CreateDirectory(Dir);
        if (!File.Exists(ServerKeyPath))
            WritePrivate(ServerKeyPath, new NetMQCertificate().SecretKeyZ85 + "\n");
        return NetMQCertificate.CreateFromSecretKey(File.ReadAllText(ServerKeyPath).Trim());
    }

    /// <summary>Makes sure the local client exists and its client.json points at <paramref name="endpoint"/>.</summary>
    public ClientFile EnsureLocalClient(string endpoint, bool curve = false)
    {
        var secret = Secret(LocalClientName) ?? AddSecret(LocalClientName);
        var file = new ClientFile(endpoint, ServerCertificate().PublicKeyZ85, LocalClientName, Convert.ToHexString(secret).ToLowerInvariant()) { Curve = curve };
        WritePrivate(LocalClientPath, file.ToJson());
        return file;
    }

    /// <summary>A new client: its secret is stored here; the returned file goes to the client's machine (its config folder's client.json).</summary>
    public ClientFile AddClient(string name, string endpoint)
    {
        CheckName(name);
        if (Secret(name) is not null) throw new UserInputException("client", $"client '{name}' exists already (revoke it first to replace its secret)");
        var secret = AddSecret(name);
        return new ClientFile(endpoint, ServerCertificate().PublicKeyZ85, name, Convert.ToHexString(secret).ToLowerInvariant())
        { Curve = !new DaemonOptions { Endpoint = endpoint }.IsLoopback };
    }

    public bool Revoke(string name)
    {
        CheckName(name);
        string path = Path.Combine(ClientsDir, name + ".json");
        if (!File.Exists(path)) return false;
        File.Delete(path);
        return true;
    }

    public IReadOnlyList<string> Clients() =>
        Directory.Exists(ClientsDir) ? Directory.GetFiles(ClientsDir, "*.json").Select(Path.GetFileNameWithoutExtension).OfType<string>().Order().ToList() : [];

    /// <summary>The secret of a known client, or null (unknown or revoked).</summary>
    public byte[]? Secret(string name)
    {
        if (!ValidName(name)) return null;
        string path = Path.Combine(ClientsDir, name + ".json");
        if (!File.Exists(path)) return null;
        var entry = JsonSerializer.Deserialize<ClientEntry>(File.ReadAllText(path), Json);
        return entry is null ? null : Convert.FromHexString(entry.Secret);
    }

    /// <summary>Reads a client file, refusing one that others can read (it holds the secret): chmod 600 it.</summary>
    public static ClientFile ReadClientFile(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"no client file at {path}: start `jukebox serve` once on this machine, or copy a file made by `jukebox keys add-client`", path);
        if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(path) & (UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.OtherRead | UnixFileMode.OtherWrite)) != 0)
            throw new UnauthorizedAccessException($"{path} can be read by other users and holds this client's secret: run `chmod 600 {path}` (and, if others could have read it, `jukebox keys revoke` it on the daemon and make a new one)");
        var file = JsonSerializer.Deserialize<ClientFile>(File.ReadAllText(path), Json) ?? throw new UserInputException(path, $"{path} is empty");
        if (file.Secret is not { Length: HmacAuth.SecretBytes * 2 } || !file.Secret.All(char.IsAsciiHexDigit)) throw new UserInputException(path, $"{path}: 'secret' must be {HmacAuth.SecretBytes * 2} hex digits");
        return file;
    }

    private byte[] AddSecret(string name)
    {
        var secret = HmacAuth.NewSecret();
        Directory.CreateDirectory(ClientsDir);
        WritePrivate(Path.Combine(ClientsDir, name + ".json"), JsonSerializer.Serialize(new ClientEntry(name, Convert.ToHexString(secret).ToLowerInvariant()), Json));
        return secret;
    }

    private sealed record ClientEntry(string ClientId, string Secret);

    private static bool ValidName(string name) => name.Length is > 0 and <= 64 && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.') && !name.StartsWith('.');
    private static void CheckName(string name)
    {
        if (!ValidName(name)) throw new UserInputException("client", $"client names are 1-64 letters, digits, '-', '_' or '.', got '{name}'");
    }

    /// <summary>Writes a file readable by its owner only (0600 on Unix; the per-user profile folder on Windows).</summary>
    public static void WritePrivate(string path, string text)
    {
        JukeboxBridge.Storage.AtomicFile.WriteAllText(path, text, UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    internal static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,   // Z85 keys stay readable
    };
}
