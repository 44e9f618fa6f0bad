namespace JukeboxBridge.Checkpoints;

/// <summary>Element types a checkpoint tensor can have (torch's names in <see cref="DTypes.TorchName"/>).</summary>
public enum DType { Float32, Float16, BFloat16, Float64, Int64, Int32, Int16, Int8, UInt8, Bool }

public static class DTypes
{
    public static int ElementSize(this DType t) => t switch
    {
        DType.Float32 or DType.Int32 => 4,
        DType.Float16 or DType.BFloat16 or DType.Int16 => 2,
        DType.Float64 or DType.Int64 => 8,
        DType.Int8 or DType.UInt8 or DType.Bool => 1,
        _ => throw new ArgumentOutOfRangeException(nameof(t)),
    };

    /// <summary>torch's dtype name: float32, float16, bfloat16, float64, int64, int32, int16, int8, uint8, bool.</summary>
    public static string TorchName(this DType t) => t switch
    {
        DType.Float32 => "float32", DType.Float16 => "float16", DType.BFloat16 => "bfloat16",
        DType.Float64 => "float64", DType.Int64 => "int64", DType.Int32 => "int32", DType.Int16 => "int16",
        DType.Int8 => "int8", DType.UInt8 => "uint8", DType.Bool => "bool",
        _ => throw new ArgumentOutOfRangeException(nameof(t)),
    };

    public static bool TryParseTorchName(string name, out DType t)
    {
        foreach (var v in Enum.GetValues<DType>())
            if (v.TorchName() == name) { t = v; return true; }
        t = default;
        return false;
    }

    /// <summary>safetensors dtype code ("F32", "F16", "BF16", "F64", "I64", "I32", "I16", "I8", "U8", "BOOL").</summary>
    public static string SafetensorsName(this DType t) => t switch
    {
        DType.Float32 => "F32", DType.Float16 => "F16", DType.BFloat16 => "BF16", DType.Float64 => "F64",
        DType.Int64 => "I64", DType.Int32 => "I32", DType.Int16 => "I16", DType.Int8 => "I8",
        DType.UInt8 => "U8", DType.Bool => "BOOL",
        _ => throw new ArgumentOutOfRangeException(nameof(t)),
    };

    public static DType FromSafetensorsName(string code) => code switch
    {
        "F32" => DType.Float32, "F16" => DType.Float16, "BF16" => DType.BFloat16, "F64" => DType.Float64,
        "I64" => DType.Int64, "I32" => DType.Int32, "I16" => DType.Int16, "I8" => DType.Int8,
        "U8" => DType.UInt8, "BOOL" => DType.Bool,
        _ => throw new CheckpointFormatException($"unsupported safetensors dtype '{code}'"),
    };

    /// <summary>The dtype of a torch storage class name (torch.FloatStorage, ...).</summary>
    public static bool TryFromStorageClass(string name, out DType t)
    {
        switch (name)
        {
            case "FloatStorage": t = DType.Float32; return true;
            case "HalfStorage": t = DType.Float16; return true;
            case "BFloat16Storage": t = DType.BFloat16; return true;
            case "DoubleStorage": t = DType.Float64; return true;
            case "LongStorage": t = DType.Int64; return true;
            case "IntStorage": t = DType.Int32; return true;
            case "ShortStorage": t = DType.Int16; return true;
            case "CharStorage": t = DType.Int8; return true;
            case "ByteStorage": t = DType.UInt8; return true;
            case "BoolStorage": t = DType.Bool; return true;
            default: t = default; return false;
        }
    }

    /// <summary>Reads one little-endian element as a double (exact for every type but int64 beyond 2^53).</summary>
    public static double ReadAsDouble(this DType t, ReadOnlySpan<byte> b) => t switch
    {
        DType.Float32 => BitConverter.ToSingle(b),
        DType.Float16 => (double)BitConverter.ToHalf(b),
        DType.BFloat16 => BitConverter.Int32BitsToSingle(BitConverter.ToUInt16(b) << 16),
        DType.Float64 => BitConverter.ToDouble(b),
        DType.Int64 => BitConverter.ToInt64(b),
        DType.Int32 => BitConverter.ToInt32(b),
        DType.Int16 => BitConverter.ToInt16(b),
        DType.Int8 => (sbyte)b[0],
        DType.UInt8 => b[0],
        DType.Bool => b[0] != 0 ? 1 : 0,
        _ => throw new ArgumentOutOfRangeException(nameof(t)),
    };
}
