using JukeboxBridge.Protocol.Wire;

namespace JukeboxBridge.Protocol.Messages;

/// <summary>Daemon → client: a refusal or failure with a stable code (ErrorCodes) and a message for people.</summary>
public sealed record Error(string Code, string Text, long? Request = null, string? Job = null) : Message
{
    public override string Type => "error";
    protected override void WriteFields(WireMap m) => m.Add("code", Code).Add("message", Text).Add("request", Request).Add("job", Job);
    internal static Error From(WireMap m) => new(m.String("code"), m.String("message"), m.OptLong("request"), m.OptString("job"));
}

/// <summary>Either side: heartbeat; <see cref="T"/> is echoed in the <see cref="Pong"/>.</summary>
public sealed record Ping(long T) : Message
{
    public override string Type => "ping";
    protected override void WriteFields(WireMap m) => m.Add("t", T);
    internal static Ping From(WireMap m) => new(m.Long("t"));
}

public sealed record Pong(long T) : Message
{
    public override string Type => "pong";
    protected override void WriteFields(WireMap m) => m.Add("t", T);
    internal static Pong From(WireMap m) => new(m.Long("t"));
}

/// <summary>Either side: the session ends (jobs go on; a later session can list and fetch them).</summary>
public sealed record Bye : Message
{
    public override string Type => "bye";
    protected override void WriteFields(WireMap m) { }
}
