using JukeboxBridge.Protocol.Wire;

namespace JukeboxBridge.Protocol.Messages;

/// <summary>
/// A protocol message: one MessagePack map (with "v", the protocol version, and "type") and, for the messages that
/// carry audio (<see cref="Submit"/> with a prompt, <see cref="Block"/>), a second frame of raw PCM: float32
/// little-endian, interleaved.
/// </summary>
public abstract record Message
{
    public const int Version = 1;

    public abstract string Type { get; }

    /// <summary>The raw PCM frame, for messages that carry audio.</summary>
    public virtual ReadOnlyMemory<byte>? Pcm => null;

    /// <summary>The header map: "v", "type", then the message's own fields in their documented order.</summary>
    public WireMap ToMap()
    {
        var m = new WireMap().Add("v", Version).Add("type", Type);
        WriteFields(m);
        return m;
    }

    protected abstract void WriteFields(WireMap m);
}
