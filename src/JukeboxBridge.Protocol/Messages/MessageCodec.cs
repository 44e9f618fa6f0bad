using JukeboxBridge.Protocol.Wire;

namespace JukeboxBridge.Protocol.Messages;

/// <summary>Size limits a receiver enforces before decoding anything.</summary>
public sealed record FrameLimits(long MaxMessageBytes = 64L << 20, int MaxHeaderBytes = FrameLimits.DefaultHeaderBytes)
{
    public const int DefaultHeaderBytes = 256 << 10;
}

/// <summary>Messages to frames and back: the header map (canonical MessagePack) and, for audio messages, the PCM frame.</summary>
public static class MessageCodec
{
    public static IReadOnlyList<ReadOnlyMemory<byte>> ToFrames(Message m)
    {
        var header = WireCodec.Encode(m.ToMap());
        return m.Pcm is { } pcm ? [header, pcm] : [header];
    }

    /// <summary>Decodes and validates a received message; refusals are <see cref="ProtocolException"/>s with a stable code.</summary>
    public static Message FromFrames(IReadOnlyList<ReadOnlyMemory<byte>> frames, FrameLimits? limits = null)
    {
        limits ??= new FrameLimits();
        if (frames.Count is < 1 or > 2) throw Bad($"a message has 1 or 2 frames, got {frames.Count}");
        long total = frames.Sum(f => (long)f.Length);
        if (total > limits.MaxMessageBytes) throw new ProtocolException(ErrorCodes.TooLarge, $"message of {total} bytes exceeds the limit of {limits.MaxMessageBytes}");
        if (frames[0].Length > limits.MaxHeaderBytes) throw new ProtocolException(ErrorCodes.TooLarge, $"header of {frames[0].Length} bytes exceeds the limit of {limits.MaxHeaderBytes}");
        var map = WireCodec.Decode(frames[0]);
        string type = map.String("type");
        long v = map.Long("v");
        if (v != Message.Version && type != "hello")
            throw new ProtocolException(ErrorCodes.UnsupportedVersion, $"protocol version {v} is not supported (this daemon speaks {Message.Version})");
        ReadOnlyMemory<byte>? pcm = frames.Count == 2 ? frames[1] : (ReadOnlyMemory<byte>?)null;
        Message msg = type switch
        {
            "hello" => Hello.From(map),
            "welcome" => Welcome.From(map),
            "auth" => Auth.From(map),
            "auth_ok" => AuthOk.From(map),
            "submit" => Submit.From(map, pcm),
            "accepted" => Accepted.From(map),
            "cancel" => Cancel.From(map),
            "list_jobs" => ListJobs.From(map),
            "jobs" => JobList.From(map),
            "fetch" => Fetch.From(map),
            "get_file" => GetFile.From(map),
            "file" => FileData.From(map),
            "progress" => Progress.From(map),
            "block" => Block.From(map, pcm),
            "credit" => Credit.From(map),
            "take_done" => TakeDone.From(map),
            "error" => Error.From(map),
            "ping" => Ping.From(map),
            "pong" => Pong.From(map),
            "bye" => new Bye(),
            _ => throw Bad($"unknown message type '{type}'"),
        };
        try { CheckPcm(msg, pcm); }
        catch (ProtocolException e) when (msg is Submit s) { throw new ProtocolException(e.Code, e.Message, s.Request); }
        return msg;
    }

    private static void CheckPcm(Message msg, ReadOnlyMemory<byte>? pcm)
    {
        PcmFormat? format = msg switch { Submit s => s.Prompt, Block b => b.Format, _ => null };
        if (format is null)
        {
            if (pcm is not null) throw Bad($"a {msg.Type} message has no PCM frame");
            return;
        }
        if (format.Rate is < 8000 or > 384000) throw Bad($"sample rate {format.Rate} Hz is outside 8000..384000");
        if (format.Channels is < 1 or > 8) throw Bad($"{format.Channels} channels (1..8 allowed)");
        if (format.Frames < 0) throw Bad("negative frame count");
        if (format.Bytes < 0) throw Bad($"{format.Frames} frames x {format.Channels} channels overflows");
        if (pcm is not { } p) throw Bad($"the {msg.Type} message's PCM frame is missing");
        if (p.Length != format.Bytes) throw Bad($"PCM frame has {p.Length} bytes; {format.Frames} frames x {format.Channels} channels of float32 need {format.Bytes}");
    }

    private static ProtocolException Bad(string message) => new(ErrorCodes.BadMessage, message);
}
