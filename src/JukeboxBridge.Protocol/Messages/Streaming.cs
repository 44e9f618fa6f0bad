using JukeboxBridge.Protocol.Wire;

namespace JukeboxBridge.Protocol.Messages;

/// <summary>Daemon → client: how far a job is (level, windows, new codes over all variations, seconds elapsed and left).</summary>
public sealed record Progress(string Job, long Level, long WindowsDone, long WindowsTotal, long TokensDone, long TokensTotal, double Elapsed, double? Eta) : Message
{
    public override string Type => "progress";
    protected override void WriteFields(WireMap m) => m.Add("job", Job).Add("level", Level).Add("windows_done", WindowsDone).Add("windows_total", WindowsTotal)
        .Add("tokens_done", TokensDone).Add("tokens_total", TokensTotal).Add("elapsed", Elapsed).Add("eta", Eta);
    internal static Progress From(WireMap m) => new(m.String("job"), m.Long("level"), m.Long("windows_done"), m.Long("windows_total"),
        m.Long("tokens_done"), m.Long("tokens_total"), m.Double("elapsed"), m.OptDouble("eta"));
}

/// <summary>
/// Daemon → client: decoded audio of one variation. <see cref="Seq"/> counts the job's blocks (all variations of a
/// block share it); <see cref="Offset"/> is the first sample's position in the take (prompt included, so the first
/// block starts at the prompt's length). <see cref="Preview"/>: the audio is a preview job's, decoded from the top
/// level (sent only when true). The PCM frame follows.
/// </summary>
public sealed record Block(string Job, long Variation, long Seq, long Offset, PcmFormat Format, ReadOnlyMemory<byte> Audio, bool Preview = false) : Message
{
    public override string Type => "block";
    public override ReadOnlyMemory<byte>? Pcm => Audio;
    protected override void WriteFields(WireMap m) => m.Add("job", Job).Add("variation", Variation).Add("seq", Seq).Add("offset", Offset)
        .Add("rate", Format.Rate).Add("channels", Format.Channels).Add("frames", Format.Frames).Add("preview", Preview ? true : null);
    internal static Block From(WireMap m, ReadOnlyMemory<byte>? pcm) =>
        new(m.String("job"), m.Long("variation"), m.Long("seq"), m.Long("offset"), new PcmFormat(m.Long("rate"), m.Long("channels"), m.Long("frames")),
            pcm ?? throw new ProtocolException(ErrorCodes.BadMessage, "a block needs its PCM frame"), m.OptBool("preview") ?? false);
}

/// <summary>Client → daemon: the client can take <see cref="Blocks"/> more block messages of the job (flow control).</summary>
public sealed record Credit(string Job, long Blocks) : Message
{
    public override string Type => "credit";
    protected override void WriteFields(WireMap m) => m.Add("job", Job).Add("blocks", Blocks);
    public const long MaxBlocks = 1 << 20;
    internal static Credit From(WireMap m)
    {
        long blocks = m.Long("blocks");
        if (blocks is < 0 or > MaxBlocks) throw new ProtocolException(ErrorCodes.BadMessage, $"field 'blocks' must be 0 to {MaxBlocks}");
        return new(JobId.Check(m.String("job"), "job"), blocks);
    }
}

/// <summary>Daemon → client: the job finished; <see cref="Blocks"/> blocks per variation were streamed in all.</summary>
public sealed record TakeDone(string Job, long Variations, long Blocks, double Seconds) : Message
{
    public override string Type => "take_done";
    protected override void WriteFields(WireMap m) => m.Add("job", Job).Add("variations", Variations).Add("blocks", Blocks).Add("seconds", Seconds);
    internal static TakeDone From(WireMap m) => new(m.String("job"), m.Long("variations"), m.Long("blocks"), m.Double("seconds"));
}
