using System.Buffers.Binary;
using System.Text.Json;
using JukeboxBridge.Checkpoints.Pickle;

namespace JukeboxBridge.Checkpoints.Safetensors;

/// <summary>
/// safetensors: u64 LE header length, JSON header {name: {dtype, shape, data_offsets}, __metadata__},
/// then raw little-endian C-order bytes (offsets count from the end of the header). Memory-mapped.
/// </summary>
internal static class SafetensorsReader
{
    private const long MaxHeader = 100L << 20;

    public static (List<StoredTensor> Tensors, PyDict Metadata) Read(MappedFile f, string what)
    {
        long hlen = (long)BinaryPrimitives.ReadUInt64LittleEndian(f.Span(0, 8));
        if (hlen <= 0 || hlen > MaxHeader || hlen > f.Length - 8)
            throw new CheckpointFormatException($"{what}: bad safetensors header length {hlen} (file has {f.Length} bytes)");
        long dataStart = 8 + hlen;
        long dataLen = f.Length - dataStart;
        JsonDocument doc;
        try { doc = JsonDocument.Parse(f.Span(8, hlen).ToArray()); }
        catch (JsonException e) { throw new CheckpointFormatException($"{what}: safetensors header is not valid JSON: {e.Message}"); }

        var tensors = new List<StoredTensor>();
        var meta = new PyDict();
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
                throw new CheckpointFormatException($"{what}: safetensors header is not a JSON object");
            foreach (var p in doc.RootElement.EnumerateObject())
            {
                if (p.Name == "__metadata__")
                {
                    if (p.Value.ValueKind == JsonValueKind.Object)
                        foreach (var m in p.Value.EnumerateObject()) meta.Set(m.Name, m.Value.ValueKind == JsonValueKind.String ? m.Value.GetString() : m.Value.GetRawText());
                    continue;
                }
                try
                {
                    var dtype = DTypes.FromSafetensorsName(p.Value.GetProperty("dtype").GetString() ?? "");
                    var shape = p.Value.GetProperty("shape").EnumerateArray().Select(x => x.GetInt64()).ToArray();
                    var offs = p.Value.GetProperty("data_offsets").EnumerateArray().Select(x => x.GetInt64()).ToArray();
                    if (offs.Length != 2 || offs[0] < 0 || offs[1] < offs[0] || offs[1] > dataLen)
                        throw new CheckpointFormatException($"{what}: tensor '{p.Name}' has data_offsets [{string.Join(", ", offs)}] outside the {dataLen} data bytes (truncated file?)");
                    long numel = shape.Aggregate(1L, (a, b) => a * b);
                    if (numel * dtype.ElementSize() != offs[1] - offs[0])
                        throw new CheckpointFormatException($"{what}: tensor '{p.Name}' has {offs[1] - offs[0]} bytes for shape [{string.Join(", ", shape)}] of {dtype.TorchName()}");
                    var storage = new TensorStorage(f, dataStart + offs[0], numel, dtype, p.Name);
                    tensors.Add(new StoredTensor(p.Name, storage, shape, ContiguousStrides(shape), 0));
                }
                catch (Exception e) when (e is KeyNotFoundException or InvalidOperationException or FormatException)
                {
                    throw new CheckpointFormatException($"{what}: tensor '{p.Name}' has a malformed header entry: {e.Message}");
                }
            }
        }
        return (tensors, meta);
    }

    public static long[] ContiguousStrides(long[] shape)
    {
        var s = new long[shape.Length];
        long acc = 1;
        for (int i = shape.Length - 1; i >= 0; i--) { s[i] = acc; acc *= shape[i]; }
        return s;
    }
}
