using JukeboxBridge.Errors;
using TorchSharp;
using static TorchSharp.torch;

namespace JukeboxBridge.Sampling.Devices;

/// <summary>Where sampling computes: the device, its weight precision, and how much device memory the models may hold at once.</summary>
public sealed record DeviceOptions(string Device = "cpu", string Precision = "auto", double? MemoryBudgetGiB = null)
{
    public Device TorchDevice => torch.device(Device);
    public bool IsCpu => TorchDevice.type == DeviceType.CPU;

    /// <summary>auto: float32 on CPU, bfloat16 on CUDA (float32's range, half the memory); or fp32 / fp16 / bf16.</summary>
    public ScalarType WeightType => Precision.ToLowerInvariant() switch
    {
        "auto" => IsCpu ? ScalarType.Float32 : ScalarType.BFloat16,
        "fp32" or "float32" => ScalarType.Float32,
        "fp16" or "float16" or "half" => ScalarType.Float16,
        "bf16" or "bfloat16" => ScalarType.BFloat16,
        _ => throw new UserInputException("--precision", $"precision '{Precision}' is not one of auto, fp32, fp16, bf16"),
    };

    public long? BudgetBytes => MemoryBudgetGiB is double g ? (long)(g * (1L << 30)) : null;
}

/// <summary>
/// Moves models (the priors of each level, the VQ-VAE) onto the compute device only while they run, keeping the
/// models resident there within a memory budget: when the next model does not fit, the least recently used ones go
/// back to host memory. On the CPU nothing moves. A model larger than the whole budget still runs (alone), with a warning.
/// </summary>
public sealed class ModelResidency
{
    private readonly DeviceOptions _options;
    private readonly Dictionary<nn.Module, (long Bytes, long LastUse)> _resident = new(ReferenceEqualityComparer.Instance);
    private long _clock;

    public ModelResidency(DeviceOptions options, Action<string>? log = null)
    {
        _options = options;
        _log = log;
    }

    private readonly Action<string>? _log;
    public long ResidentBytes => _resident.Values.Sum(v => v.Bytes);

    /// <summary>Bytes of a module's parameters and buffers at the device precision.</summary>
    public long BytesOf(nn.Module m) =>
        m.parameters().Concat(m.buffers()).Sum(t => t.numel() * (t.is_floating_point() ? SizeOf(_options.WeightType) : t.ElementSize));

    private static long SizeOf(ScalarType t) => t is ScalarType.Float16 or ScalarType.BFloat16 ? 2 : t == ScalarType.Float64 ? 8 : 4;

    /// <summary>Makes sure <paramref name="m"/> is on the device, evicting least recently used models if the budget needs it.</summary>
    public void Use(nn.Module m)
    {
        if (_options.IsCpu) return;
        if (_resident.TryGetValue(m, out var r)) { _resident[m] = (r.Bytes, ++_clock); return; }
        long bytes = BytesOf(m);
        if (_options.BudgetBytes is long budget)
        {
            if (bytes > budget) _log?.Invoke($"warning: a {bytes / 1e9:F1} GB model exceeds the {budget / 1e9:F1} GB device budget; running it alone");
            var order = _resident.Select(kv => (kv.Key, kv.Value.Bytes, kv.Value.LastUse)).ToList();
            foreach (int i in Evictions(order.Select(o => (o.Bytes, o.LastUse)).ToList(), bytes, budget))
            {
                order[i].Key.to(CPU);
                _resident.Remove(order[i].Key);
            }
        }
        m.to(_options.TorchDevice).to(_options.WeightType);
        _resident[m] = (bytes, ++_clock);
    }

    /// <summary>
    /// Which resident models (by index) to evict, least recently used first, so that <paramref name="incoming"/> bytes
    /// fit beside the rest within <paramref name="budget"/>; all of them if it does not fit even alone.
    /// </summary>
    public static List<int> Evictions(IReadOnlyList<(long Bytes, long LastUse)> resident, long incoming, long budget)
    {
        long used = resident.Sum(r => r.Bytes);
        var evict = new List<int>();
        foreach (int i in Enumerable.Range(0, resident.Count).OrderBy(i => resident[i].LastUse))
        {
            if (used + incoming <= budget) break;
            evict.Add(i);
            used -= resident[i].Bytes;
        }
        return evict;
    }

    /// <summary>Whether all the given models fit on the device together (then levels can interleave without moves).</summary>
    public bool AllFit(IEnumerable<nn.Module> models) => _options.IsCpu || _options.BudgetBytes is not long b || models.Sum(BytesOf) <= b;
}
