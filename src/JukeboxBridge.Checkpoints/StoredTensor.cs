namespace JukeboxBridge.Checkpoints;

/// <summary>
/// A tensor as a checkpoint stores it: a strided view of a storage. Nothing is read until asked;
/// <see cref="CopyTo"/> gathers the elements in row-major (C) order, little-endian.
/// </summary>
public sealed class StoredTensor
{
    /// <summary>Path in the file exactly as stored (nested dict keys joined by '/').</summary>
    public string Name { get; }
    public DType DType => Storage.DType;
    public long[] Shape { get; }
    /// <summary>Strides in elements.</summary>
    public long[] Stride { get; }
    /// <summary>Offset of element [0,...,0] in the storage, in elements.</summary>
    public long StorageOffset { get; }
    public TensorStorage Storage { get; }

    public StoredTensor(string name, TensorStorage storage, long[] shape, long[] stride, long storageOffset)
    {
        if (shape.Length != stride.Length)
            throw new CheckpointFormatException($"tensor '{name}': shape has {shape.Length} dims but stride has {stride.Length}");
        if (shape.Any(s => s < 0) || stride.Any(s => s < 0) || storageOffset < 0)
            throw new CheckpointFormatException($"tensor '{name}': negative size, stride or offset");
        Name = name; Storage = storage; Shape = shape; Stride = stride; StorageOffset = storageOffset;
        long n = NumElements;
        if (n > 0)
        {
            long last = storageOffset;
            for (int i = 0; i < shape.Length; i++) last += (shape[i] - 1) * stride[i];
            if (last >= storage.NumElements)
                throw new CheckpointFormatException(
                    $"tensor '{name}' reads element {last} of storage '{storage.Key}', which has only {storage.NumElements}");
        }
    }

    /// <summary>The same view under another name (the loader renames; the file's names stay untouched).</summary>
    public StoredTensor WithName(string name) => new(name, Storage, Shape, Stride, StorageOffset);

    public long NumElements => Shape.Aggregate(1L, (a, b) => a * b);
    public long ByteLength => NumElements * DType.ElementSize();

    public bool IsContiguous
    {
        get
        {
            long expect = 1;
            for (int i = Shape.Length - 1; i >= 0; i--)
            {
                if (Shape[i] != 1 && Stride[i] != expect) return false;
                expect *= Shape[i];
            }
            return true;
        }
    }

    /// <summary>Copies the elements in row-major order into <paramref name="dest"/> (exactly <see cref="ByteLength"/> bytes).</summary>
    public void CopyTo(Span<byte> dest)
    {
        if (dest.Length != ByteLength)
            throw new ArgumentException($"destination has {dest.Length} bytes, tensor '{Name}' needs {ByteLength}");
        if (NumElements == 0) return;
        if (IsContiguous)
        {
            Storage.Elements(StorageOffset, NumElements).CopyTo(dest);
            return;
        }
        int es = DType.ElementSize();
        int pos = 0;
        Gather(0, StorageOffset, dest, es, ref pos);
    }

    private void Gather(int dim, long offset, Span<byte> dest, int es, ref int pos)
    {
        if (dim == Shape.Length) // 0-d
        {
            Storage.Elements(offset, 1).CopyTo(dest.Slice(pos, es));
            pos += es;
            return;
        }
        if (dim == Shape.Length - 1)
        {
            long n = Shape[dim], st = Stride[dim];
            if (st == 1)
            {
                Storage.Elements(offset, n).CopyTo(dest.Slice(pos, (int)(n * es)));
                pos += (int)(n * es);
                return;
            }
            for (long i = 0; i < n; i++)
            {
                Storage.Elements(offset + i * st, 1).CopyTo(dest.Slice(pos, es));
                pos += es;
            }
            return;
        }
        for (long i = 0; i < Shape[dim]; i++) Gather(dim + 1, offset + i * Stride[dim], dest, es, ref pos);
    }

    public byte[] ToBytes()
    {
        var b = new byte[ByteLength];
        CopyTo(b);
        return b;
    }

    /// <summary>Every element as a double, row-major.</summary>
    public double[] ToDoubles()
    {
        var bytes = ToBytes();
        int es = DType.ElementSize();
        var r = new double[NumElements];
        for (long i = 0; i < r.LongLength; i++) r[i] = DType.ReadAsDouble(bytes.AsSpan((int)(i * es), es));
        return r;
    }

    /// <summary>Sum of all elements in float64 (as torch's <c>t.double().sum()</c>, up to summation order).</summary>
    public double Sum()
    {
        // Large contiguous tensors are summed straight from the map, chunk by chunk.
        int es = DType.ElementSize();
        if (IsContiguous)
        {
            double s = 0;
            const long chunk = 1 << 20;
            for (long first = 0; first < NumElements; first += chunk)
            {
                long n = Math.Min(chunk, NumElements - first);
                var span = Storage.Elements(StorageOffset + first, n);
                s += SumSpan(span, es);
            }
            return s;
        }
        return SumSpan(ToBytes(), es);
    }

    private double SumSpan(ReadOnlySpan<byte> span, int es)
    {
        double s = 0;
        if (DType == DType.Float32)
        {
            var f = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(span);
            foreach (var v in f) s += v;
            return s;
        }
        for (int i = 0; i < span.Length; i += es) s += DType.ReadAsDouble(span.Slice(i, es));
        return s;
    }

    public override string ToString() => $"{Name} {DType.TorchName()} [{string.Join(", ", Shape)}]";
}
