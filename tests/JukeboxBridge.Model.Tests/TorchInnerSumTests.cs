using JukeboxBridge.Model.Vqvae;

namespace JukeboxBridge.Model.Tests;

/// <summary>
/// The float32 rounding of torch.sum over a row, as the reference's PyTorch 1.13 (CPU, AVX2) gives it: the expected
/// bit patterns were read off Debian 12's python3-torch for rows v[i] = ((i·7919 mod 1000) − 500) / 37 · (1 + n/1000),
/// summed as one row of a 2-row tensor (torch.sum(dim=-1)). Decides the bottleneck's exact ties (NearTies).
/// </summary>
[Trait("Category", "Parity")]
[Trait("Area", "VQVAE")]
public class TorchInnerSumTests
{
    private static readonly Dictionary<int, uint> TorchBits = new()
    {
        [1] = 0xC1586EB5u,
        [3] = 0x40DEEFE4u,
        [7] = 0x41ADF74Fu,
        [8] = 0x419F8954u,
        [15] = 0xBE0C7420u,
        [16] = 0x40F60968u,
        [17] = 0x4154DAF5u,
        [33] = 0x41A37E42u,
        [64] = 0xC1083121u,
        [100] = 0xC1E1F22Eu,
        [129] = 0xC0E67032u,
        [513] = 0xC031F668u,
        [1000] = 0xC1D83757u,
        [2048] = 0xC2E1631Cu,
        [5000] = 0xC3CAB3E8u
    };

    [Fact]
    public void Row_sums_round_as_torch_does()
    {
        foreach (var (n, bits) in TorchBits)
        {
            var v = new float[n];
            for (int i = 0; i < n; i++) v[i] = ((float)((i * 7919L) % 1000 - 500) / 37f) * (float)(1.0 + n / 1000.0);
            float got = TorchInnerSum.Sum(v);
            Assert.True(BitConverter.SingleToUInt32Bits(got) == bits,
                $"n={n}: got {got:R} (0x{BitConverter.SingleToUInt32Bits(got):X8}), torch {BitConverter.UInt32BitsToSingle(bits):R} (0x{bits:X8})");
        }
    }

    [Fact]
    public void A_plain_running_sum_would_round_differently()
    {
        // Guards the test above: for these rows the order matters, so a sequential sum cannot pass it by accident.
        int differ = 0;
        foreach (var (n, bits) in TorchBits)
        {
            float s = 0;
            for (int i = 0; i < n; i++) s += ((float)((i * 7919L) % 1000 - 500) / 37f) * (float)(1.0 + n / 1000.0);
            if (BitConverter.SingleToUInt32Bits(s) != bits) differ++;
        }
        Assert.True(differ >= 5, $"only {differ} rows differ from a running sum");
    }
}
