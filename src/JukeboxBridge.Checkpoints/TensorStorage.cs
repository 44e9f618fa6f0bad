namespace JukeboxBridge.Checkpoints;

/// <summary>A run of elements of one dtype somewhere in a mapped file (a torch storage or a safetensors slice).</summary>
public sealed class TensorStorage
{
    public MappedFile File { get; }
    public long ByteOffset { get; }
    public long NumElements { get; }
    public DType DType { get; }
    /// <summary>The key the file gives this storage (legacy/zip), for diagnostics and for spotting shared storages.</summary>
    public string Key { get; }

    public TensorStorage(MappedFile file, long byteOffset, long numElements, DType dtype, string key)
    {
        if (numElements < 0) throw new CheckpointFormatException($"storage '{key}' has a negative element count ({numElements})");
        file.Check(byteOffset, checked(numElements * dtype.ElementSize()));
        File = file; ByteOffset = byteOffset; NumElements = numElements; DType = dtype; Key = key;
    }

    public long ByteLength => NumElements * DType.ElementSize();

    /// <summary>Elements [first, first+count) as raw little-endian bytes.</summary>
    public ReadOnlySpan<byte> Elements(long first, long count)
    {
        int es = DType.ElementSize();
        return File.Span(ByteOffset + first * es, count * es);
    }
}
