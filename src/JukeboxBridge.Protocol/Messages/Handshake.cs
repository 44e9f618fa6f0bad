using JukeboxBridge.Protocol.Wire;

namespace JukeboxBridge.Protocol.Messages;

/// <summary>Client → daemon, first: who it is and which protocol versions it speaks.</summary>
public sealed record Hello(string Client, IReadOnlyList<long> Versions) : Message
{
    public override string Type => "hello";
    protected override void WriteFields(WireMap m) => m.Add("client", Client).Add("versions", Versions);
    internal static Hello From(WireMap m) => new(m.String("client"), m.Longs("versions"));
}

/// <summary>Server limits announced in <see cref="Welcome"/>.</summary>
public sealed record ServerLimits(long MaxMessageBytes, double MaxPromptSeconds, long MaxQueuedJobs, long MaxVariations)
{
    public WireMap ToMap() => new WireMap().Add("max_message_bytes", MaxMessageBytes).Add("max_prompt_seconds", MaxPromptSeconds)
                                           .Add("max_queued_jobs", MaxQueuedJobs).Add("max_variations", MaxVariations);
    public static ServerLimits From(WireMap m) => new(m.Long("max_message_bytes"), m.Double("max_prompt_seconds"), m.Long("max_queued_jobs"), m.Long("max_variations"));
}

/// <summary>
/// Daemon → client: the chosen protocol version, the authentication challenge (a fresh 32-byte nonce for
/// HMAC-SHA256), and what the daemon offers: models, device and memory, limits. The style lists come in
/// <see cref="AuthOk"/>: nothing sizeable goes to a peer that has not authenticated.
/// </summary>
public sealed record Welcome(string Server, long ChosenVersion, byte[] Nonce, IReadOnlyList<string> Models,
                             string Device, double MemoryGb, ServerLimits Limits) : Message
{
    public const string AuthScheme = "hmac-sha256";
    public override string Type => "welcome";
    protected override void WriteFields(WireMap m) => m.Add("server", Server).Add("version", ChosenVersion).Add("auth", AuthScheme).Add("nonce", Nonce)
        .Add("models", Models).Add("device", Device).Add("memory_gb", MemoryGb).Add("limits", Limits.ToMap());
    internal static Welcome From(WireMap m)
    {
        if (m.String("auth") != AuthScheme) throw new ProtocolException(ErrorCodes.BadMessage, $"unknown auth scheme '{m.String("auth")}'");
        var nonce = m.Bytes("nonce");
        if (nonce.Length != Security.HmacAuth.NonceBytes) throw new ProtocolException(ErrorCodes.BadMessage, $"field 'nonce' must be {Security.HmacAuth.NonceBytes} bytes");
        return new(m.String("server"), m.Long("version"), nonce, m.Strings("models"),
                   m.String("device"), m.Double("memory_gb"), ServerLimits.From(m.Map("limits")));
    }
}

/// <summary>
/// Client → daemon: the answer to the challenge, HMAC-SHA256(secret, "jukeboxbridge-auth-v1" ‖ nonce ‖ client id), and
/// the client's own fresh 32-byte challenge <see cref="Nonce"/>, which the daemon must answer in <see cref="AuthOk"/>.
/// </summary>
public sealed record Auth(string ClientId, byte[] Mac, byte[] Nonce) : Message
{
    public override string Type => "auth";
    protected override void WriteFields(WireMap m) => m.Add("client_id", ClientId).Add("mac", Mac).Add("nonce", Nonce);
    internal static Auth From(WireMap m)
    {
        string id = m.String("client_id");
        if (id.Length is 0 or > 128) throw new ProtocolException(ErrorCodes.BadMessage, "field 'client_id' must be 1 to 128 characters");
        if (!m.Has("nonce"))
            throw new ProtocolException(ErrorCodes.BadMessage, "field 'nonce' (the client's challenge: daemons prove who they are since 0.2) is missing: update the plugin or the CLI");
        var nonce = m.Bytes("nonce");
        if (nonce.Length != Security.HmacAuth.NonceBytes) throw new ProtocolException(ErrorCodes.BadMessage, $"field 'nonce' must be {Security.HmacAuth.NonceBytes} bytes");
        return new(id, m.Bytes("mac"), nonce);
    }
}

/// <summary>A named style the daemon offers (the user's `jukebox styles add`): artist, genre, and the song's lyrics (lyrics models).</summary>
public sealed record StylePreset(string Name, string Artist, string Genre, string? Lyrics = null)
{
    public WireMap ToMap() => new WireMap().Add("name", Name).Add("artist", Artist).Add("genre", Genre).Add("lyrics", Lyrics);
    public static StylePreset From(WireMap m) => new(m.String("name"), m.String("artist"), m.String("genre"), m.OptString("lyrics"));
}

/// <summary>
/// Artist and genre names the served model knows (empty for a model without labels), and the named styles the
/// daemon offers for it (<see cref="Presets"/>: checked against the served model; absent from older daemons).
/// </summary>
public sealed record StyleLists(IReadOnlyList<string> Artists, IReadOnlyList<string> Genres, IReadOnlyList<StylePreset>? Presets = null)
{
    public static readonly StyleLists None = new([], []);
    /// <summary>Styles offered at most, and their lyrics in characters at most (all together), to keep auth_ok small.</summary>
    public const int MaxPresets = 64, MaxPresetLyricsChars = 1 << 20;
    public WireMap ToMap() => new WireMap().Add("artists", Artists).Add("genres", Genres)
        .Add("presets", Presets is { Count: > 0 } p ? p.Select(x => x.ToMap()).ToList() : null);
    public static StyleLists From(WireMap m) => new(m.Strings("artists"), m.Strings("genres"),
        m.Has("presets") ? m.List("presets").Take(MaxPresets).Select(x => StylePreset.From(x as WireMap ?? throw new ProtocolException(ErrorCodes.BadMessage, "presets must be maps"))).ToList() : null);
}

/// <summary>
/// Daemon → client: authentication succeeded; everything else is now served. <see cref="Mac"/> proves the daemon
/// holds the client's secret: HMAC-SHA256(secret, "jukeboxbridge-server-v1" ‖ client nonce ‖ daemon nonce ‖ client id);
/// clients refuse an auth_ok without a valid one. <see cref="Styles"/>: what the served model knows.
/// </summary>
public sealed record AuthOk(byte[] Mac, StyleLists Styles) : Message
{
    public override string Type => "auth_ok";
    protected override void WriteFields(WireMap m) => m.Add("mac", Mac).Add("styles", Styles.ToMap());
    internal static AuthOk From(WireMap m) => new(m.Bytes("mac"), m.OptMap("styles") is { } s ? StyleLists.From(s) : StyleLists.None);
}
