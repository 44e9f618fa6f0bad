using static TorchSharp.torch;

namespace JukeboxBridge.Model;

/// <summary>What the Torch backend can do on this machine (for `jukebox doctor` and the daemon's hello).</summary>
public sealed record TorchReport(string Backend, bool CudaAvailable, int CudaDevices, string SmokeTest);

public static class TorchEnvironment
{
#if TORCH_CUDA
    public const string Backend = "cuda";
#else
    public const string Backend = "cpu";
#endif

    /// <summary>Loads the native backend and runs a small matmul on the CPU (and on CUDA when present).</summary>
    public static TorchReport Probe()
    {
        using var scope = NewDisposeScope();
        var a = arange(6, ScalarType.Float32).reshape(2, 3);
        float cpu = a.matmul(a.T).sum().item<float>(); // 83
        bool cuda = TorchSharp.torch.cuda.is_available();
        string smoke = $"cpu matmul ok ({cpu})";
        if (cuda)
        {
            float g = a.cuda().matmul(a.cuda().T).sum().cpu().item<float>();
            smoke += $", cuda matmul ok ({g})";
        }
        return new TorchReport(Backend, cuda, cuda ? TorchSharp.torch.cuda.device_count() : 0, smoke);
    }
}
