using JukeboxBridge.Checkpoints;
using JukeboxBridge.Checkpoints.Safetensors;
using TorchSharp;
using static TorchSharp.torch;

namespace JukeboxBridge.Model.Checkpoints;

/// <summary>Moves tensors between checkpoint files and TorchSharp.</summary>
public static class TorchTensors
{
    public static ScalarType ToScalarType(this DType t) => t switch
    {
        DType.Float32 => ScalarType.Float32, DType.Float16 => ScalarType.Float16, DType.BFloat16 => ScalarType.BFloat16,
        DType.Float64 => ScalarType.Float64, DType.Int64 => ScalarType.Int64, DType.Int32 => ScalarType.Int32,
        DType.Int16 => ScalarType.Int16, DType.Int8 => ScalarType.Int8, DType.UInt8 => ScalarType.Byte, DType.Bool => ScalarType.Bool,
        _ => throw new ArgumentOutOfRangeException(nameof(t)),
    };

    public static DType ToDType(this ScalarType t) => t switch
    {
        ScalarType.Float32 => DType.Float32, ScalarType.Float16 => DType.Float16, ScalarType.BFloat16 => DType.BFloat16,
        ScalarType.Float64 => DType.Float64, ScalarType.Int64 => DType.Int64, ScalarType.Int32 => DType.Int32,
        ScalarType.Int16 => DType.Int16, ScalarType.Int8 => DType.Int8, ScalarType.Byte => DType.UInt8, ScalarType.Bool => DType.Bool,
        _ => throw new NotSupportedException($"dtype {t} cannot be stored in a checkpoint"),
    };

    /// <summary>
    /// Reads a stored tensor into a new torch tensor (row-major bytes copied from the mapped file into
    /// CPU memory), then casts to <paramref name="dtype"/> and moves to <paramref name="device"/> if given.
    /// </summary>
    public static Tensor ToTorch(this StoredTensor stored, ScalarType? dtype = null, Device? device = null)
    {
        var t = empty(stored.Shape, stored.DType.ToScalarType(), device: CPU);
        if (stored.NumElements > 0) stored.CopyTo(t.bytes);
        if (dtype is { } d && d != t.dtype)
        {
            var c = t.to_type(d);
            t.Dispose();
            t = c;
        }
        if (device is not null && device.type != DeviceType.CPU)
        {
            var g = t.to(device);
            t.Dispose();
            t = g;
        }
        return t;
    }

    /// <summary>A torch tensor as an entry for <see cref="SafetensorsWriter"/> (copied to contiguous CPU memory when written).</summary>
    public static TensorToWrite ToWrite(string name, Tensor t) =>
        new(name, t.dtype.ToDType(), t.shape, dest =>
        {
            using var scope = NewDisposeScope();
            var c = t.detach().cpu().contiguous();
            c.bytes.CopyTo(dest);
        });
}
