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
/// HMAC-SHA256), and what the daemon offers: models, styles, device and memory, limits.
/// </summary>
public sealed record Welcome(string Server, long ChosenVersion, byte[] Nonce, IReadOnlyList<string> Models, IReadOnlyList<string> Artists,
                             IReadOnlyList<string> Genres, string Device, double MemoryGb, ServerLimits Limits) : Message
{
    public const string AuthScheme = "hmac-sha256";
    public override string Type => "welcome";
    protected override void WriteFields(WireMap m) => m.Add("server", Server).Add("version", ChosenVersion).Add("auth", AuthScheme).Add("nonce", Nonce)
        .Add("models", Models).Add("styles", new WireMap().Add("artists", Artists).Add("genres", Genres))
        .Add("device", Device).Add("memory_gb", MemoryGb).Add("limits", Limits.ToMap());
    internal static Welcome From(WireMap m)
    {
        if (m.String("auth") != AuthScheme) throw new ProtocolException(ErrorCodes.BadMessage, $"unknown auth scheme '{m.String("auth")}'");
        var styles = m.Map("styles");
        return new(m.String("server"), m.Long("version"), m.Bytes("nonce"), m.Strings("models"), styles.Strings("artists"), styles.Strings("genres"),
                   m.String("device"), m.Double("memory_gb"), ServerLimits.From(m.Map("limits")));
    }
}

/// <summary>Client → daemon: the answer to the challenge, HMAC-SHA256(secret, "jukeboxbridge-auth-v1" ‖ nonce ‖ client id).</summary>
public sealed record Auth(string ClientId, byte[] Mac) : Message
{
    public override string Type => "auth";
    protected override void WriteFields(WireMap m) => m.Add("client_id", ClientId).Add("mac", Mac);
    internal static Auth From(WireMap m) => new(m.String("client_id"), m.Bytes("mac"));
}

/// <summary>Daemon → client: authentication succeeded; everything else is now served.</summary>
public sealed record AuthOk : Message
{
    public override string Type => "auth_ok";
    protected override void WriteFields(WireMap m) { }
}
