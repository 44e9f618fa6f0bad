using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace JukeboxBridge.Model.Transformers;

/// <summary>Weight precision for sampling on CPU. Float32 is the reference's; BFloat16 halves the bytes a step streams.</summary>
public enum WeightPrecision { Float32, BFloat16 }

public static class Precision
{
    /// <summary>Whether this CPU multiplies bfloat16 natively (x86 avx512_bf16 or amx_bf16; Linux /proc/cpuinfo).</summary>
    public static bool CpuHasBf16()
    {
        try
        {
            if (!OperatingSystem.IsLinux()) return false;
            var flags = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("flags", StringComparison.Ordinal)) ?? "";
            var set = flags.Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet();
            return set.Contains("avx512_bf16") || set.Contains("amx_bf16");
        }
        catch (IOException) { return false; }
    }

    /// <summary>
    /// Converts every transformer Conv1D weight (and the given extra linear weights, e.g. x_out) under a module to bfloat16,
    /// keeping their memory layout; biases, LayerNorms and embeddings stay float32. Sampling only: do not train or save after.
    /// </summary>
    public static int ToBFloat16(nn.Module module, params Linear[] extra)
    {
        int n = 0;
        using var g = no_grad();
        foreach (var conv in module.modules().OfType<Conv1D>())
            if (conv.ConvertWeight(ScalarType.BFloat16)) n++;
        foreach (var l in extra)
        {
            var old = l.weight!;
            l.weight = new Parameter(old.to_type(ScalarType.BFloat16), requires_grad: false);
            n++;
        }
        return n;
    }
}
