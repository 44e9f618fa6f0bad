using System.Text;
using System.Text.Json;

namespace JukeboxBridge.Checkpoints.Safetensors;

/// <summary>One tensor to write: its name, dtype, shape, and a callback that fills its row-major bytes.</summary>
public sealed record TensorToWrite(string Name, DType DType, long[] Shape, Action<Span<byte>> Fill)
{
    public long ByteLength => Shape.Aggregate(1L, (a, b) => a * b) * DType.ElementSize();

    public static TensorToWrite FromBytes(string name, DType dtype, long[] shape, byte[] data) =>
        new(name, dtype, shape, dest => data.CopyTo(dest));

    public static TensorToWrite FromStored(StoredTensor t, string? name = null) =>
        new(name ?? t.Name, t.DType, t.Shape, t.CopyTo);
}

/// <summary>Writes a safetensors file atomically (to a temporary file, then renamed over the target).</summary>
public static class SafetensorsWriter
{
    public static void Write(string path, IEnumerable<TensorToWrite> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var list = tensors.ToList();
        var dup = list.GroupBy(t => t.Name).FirstOrDefault(g => g.Count() > 1);
        if (dup != null) throw new ArgumentException($"tensor '{dup.Key}' given twice");

        using var headerStream = new MemoryStream();
        using (var w = new Utf8JsonWriter(headerStream))
        {
            w.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                w.WriteStartObject("__metadata__");
                foreach (var (k, v) in metadata) w.WriteString(k, v);
                w.WriteEndObject();
            }
            long offset = 0;
            foreach (var t in list)
            {
                w.WriteStartObject(t.Name);
                w.WriteString("dtype", t.DType.SafetensorsName());
                w.WriteStartArray("shape");
                foreach (var s in t.Shape) w.WriteNumberValue(s);
                w.WriteEndArray();
                w.WriteStartArray("data_offsets");
                w.WriteNumberValue(offset);
                w.WriteNumberValue(offset + t.ByteLength);
                w.WriteEndArray();
                w.WriteEndObject();
                offset += t.ByteLength;
            }
            w.WriteEndObject();
        }
        var header = headerStream.ToArray().ToList();
        while (header.Count % 8 != 0) header.Add((byte)' ');

        JukeboxBridge.Storage.AtomicFile.Write(path, fs =>
        {
            Span<byte> len = stackalloc byte[8];
            System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(len, (ulong)header.Count);
            fs.Write(len);
            fs.Write(header.ToArray());
            foreach (var t in list)
            {
                var buf = new byte[t.ByteLength];
                t.Fill(buf);
                fs.Write(buf);
            }
        });
    }
}
