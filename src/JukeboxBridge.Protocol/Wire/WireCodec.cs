using System.Buffers;
using MessagePack;

namespace JukeboxBridge.Protocol.Wire;

/// <summary>
/// Canonical MessagePack for <see cref="WireMap"/> headers: maps with str keys in field order, integers in their
/// smallest form, doubles as float64, strings as str (UTF-8), binary as bin, no nils. Decoding accepts any valid
/// MessagePack map of these types within the limits (depth, entries, lengths, no trailing bytes) and refuses the rest
/// with <see cref="ErrorCodes.BadMessage"/>; it never allocates more than the frame's own size.
/// </summary>
public static class WireCodec
{
    public const int MaxDepth = 4;
    public const int MaxEntries = 4096;

    public static byte[] Encode(WireMap map)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var w = new MessagePackWriter(buffer);
        WriteMap(ref w, map, 0);
        w.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    private static void WriteMap(ref MessagePackWriter w, WireMap map, int depth)
    {
        if (depth > MaxDepth) throw new ArgumentException("message nested too deeply");
        w.WriteMapHeader(map.Count);
        foreach (var (key, value) in map.Items)
        {
            w.Write(key);
            WriteValue(ref w, value, depth);
        }
    }

    private static void WriteValue(ref MessagePackWriter w, object? value, int depth)
    {
        switch (value)
        {
            case long l: w.Write(l); break;
            case double d: w.Write(d); break;
            case bool b: w.Write(b); break;
            case string s: w.Write(s); break;
            case byte[] bytes: w.Write(bytes.AsSpan()); break;
            case WireMap m: WriteMap(ref w, m, depth + 1); break;
            case IReadOnlyList<object?> list:
                w.WriteArrayHeader(list.Count);
                foreach (var item in list) WriteValue(ref w, item, depth + 1);
                break;
            default: throw new ArgumentException($"cannot encode a {value?.GetType().Name ?? "null"} on the wire");
        }
    }

    public static WireMap Decode(ReadOnlyMemory<byte> frame)
    {
        try
        {
            var r = new MessagePackReader(frame);
            if (r.NextMessagePackType != MessagePackType.Map) throw Bad("the header frame must be a MessagePack map");
            var map = ReadMap(ref r, 0, frame.Length);
            if (!r.End) throw Bad("bytes after the header map");
            return map;
        }
        catch (ProtocolException) { throw; }
        catch (Exception e) when (e is MessagePackSerializationException or EndOfStreamException or OverflowException or InvalidOperationException or ArgumentException)
        {
            throw Bad("the header frame is not valid MessagePack");
        }
    }

    private static WireMap ReadMap(ref MessagePackReader r, int depth, int frameBytes)
    {
        if (depth > MaxDepth) throw Bad("message nested too deeply");
        int count = r.ReadMapHeader();
        if (count > MaxEntries || count > frameBytes) throw Bad("map too large");
        var map = new WireMap();
        var keys = new HashSet<string>(Math.Min(count, 64), StringComparer.Ordinal);   // duplicate check in O(1): a peer cannot make it quadratic
        for (int i = 0; i < count; i++)
        {
            if (r.NextMessagePackType != MessagePackType.String) throw Bad("map keys must be strings");
            string key = r.ReadString()!;
            object? value = ReadValue(ref r, depth, frameBytes);
            if (!keys.Add(key)) throw Bad($"duplicate field '{key}'");
            map.AddDecoded(key, value);
        }
        return map;
    }

    private static object? ReadValue(ref MessagePackReader r, int depth, int frameBytes)
    {
        switch (r.NextMessagePackType)
        {
            case MessagePackType.Integer:
                return r.NextCode == MessagePackCode.UInt64 ? checked((long)r.ReadUInt64()) : r.ReadInt64();
            case MessagePackType.Float: return r.ReadDouble();
            case MessagePackType.Boolean: return r.ReadBoolean();
            case MessagePackType.String: return r.ReadString();
            case MessagePackType.Binary: return r.ReadBytes()!.Value.ToArray();
            case MessagePackType.Nil: r.ReadNil(); return null;
            case MessagePackType.Map: return ReadMap(ref r, depth + 1, frameBytes);
            case MessagePackType.Array:
            {
                if (depth + 1 > MaxDepth) throw Bad("message nested too deeply");
                int n = r.ReadArrayHeader();
                if (n > MaxEntries || n > frameBytes) throw Bad("array too large");
                var list = new List<object?>(n);
                for (int i = 0; i < n; i++) list.Add(ReadValue(ref r, depth + 1, frameBytes));
                return list;
            }
            default: throw Bad($"unsupported MessagePack type {r.NextMessagePackType}");
        }
    }

    private static ProtocolException Bad(string message) => new(ErrorCodes.BadMessage, message);
}
