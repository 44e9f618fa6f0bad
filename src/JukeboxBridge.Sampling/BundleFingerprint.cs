using System.Security.Cryptography;
using System.Text;
using static TorchSharp.torch;

namespace JukeboxBridge.Sampling;

/// <summary>
/// What identifies the weights a bundle serves, whatever files they came from: SHA-256 over every parameter and buffer
/// of the VQ-VAE and the priors (name, dtype, shape, and the float64 sum and first value of its contents). A job
/// records it when accepted; resuming it under different weights would splice two models into one take, so the daemon
/// refuses that.
/// </summary>
public static class BundleFingerprint
{
    public static string Of(ModelBundle b)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var sb = new StringBuilder();
        void Add(string prefix, TorchSharp.torch.nn.Module m)
        {
            foreach (var (name, t) in m.named_parameters().Select(p => (p.name, (Tensor)p.parameter)).Concat(m.named_buffers()))
            {
                var flat = t.detach().flatten();
                double sum = flat.numel() == 0 ? 0 : flat.to_type(ScalarType.Float64).sum().item<double>();
                double first = flat.numel() == 0 ? 0 : flat[0].to_type(ScalarType.Float64).item<double>();
                sb.Append(prefix).Append(name).Append('|').Append(t.dtype).Append('|').Append(string.Join("x", t.shape))
                  .Append('|').Append(sum.ToString("R")).Append('|').Append(first.ToString("R")).Append('\n');
            }
        }
        Add("vqvae/", b.Vqvae);
        for (int i = 0; i < b.Priors.Length; i++) Add($"prior{i}/", b.Priors[i]);
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(sb.ToString()))).ToLowerInvariant()[..32];
    }
}
