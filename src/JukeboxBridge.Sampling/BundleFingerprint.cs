using System.Security.Cryptography;
using System.Text;
using static TorchSharp.torch;

namespace JukeboxBridge.Sampling;

/// <summary>
/// What identifies the weights a bundle serves, whatever files they came from: SHA-256 over every parameter and buffer
/// of the VQ-VAE and the priors: name, dtype, shape, and the exact bits of up to 1024 elements at fixed positions
/// (evenly spaced, first and last included). Deterministic (no floating-point reduction), cheap (a few MB read even
/// for a 5B prior), and any training or fine-tuning changes it. A job records it when accepted; resuming it under
/// different weights would splice two models into one take, so the daemon refuses that.
/// </summary>
public static class BundleFingerprint
{
    private const long Samples = 1024;

    public static string Of(ModelBundle b)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        void Add(string prefix, TorchSharp.torch.nn.Module m)
        {
            foreach (var (name, t) in m.named_parameters().Select(p => (p.name, (Tensor)p.parameter)).Concat(m.named_buffers()))
            {
                using var scope = NewDisposeScope();
                using var _ = no_grad();
                sha.AppendData(Encoding.UTF8.GetBytes($"{prefix}{name}|{t.dtype}|{string.Join("x", t.shape)}\n"));
                long n = t.numel();
                if (n == 0) continue;
                var flat = t.detach().reshape(-1);
                var idx = n <= Samples ? arange(n, ScalarType.Int64) : linspace(0, n - 1, Samples, ScalarType.Float64).to_type(ScalarType.Int64);
                var picked = flat.index_select(0, idx.to(flat.device)).cpu().contiguous();
                sha.AppendData(picked.bytes);
            }
        }
        Add("vqvae/", b.Vqvae);
        for (int i = 0; i < b.Priors.Length; i++) Add($"prior{i}/", b.Priors[i]);
        return Convert.ToHexString(sha.GetHashAndReset()).ToLowerInvariant()[..32];
    }
}
