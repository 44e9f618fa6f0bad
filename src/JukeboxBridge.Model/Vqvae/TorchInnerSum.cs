namespace JukeboxBridge.Model.Vqvae;

/// <summary>
/// torch.sum over a contiguous float32 row, rounded exactly as PyTorch 1.13's CPU kernel (AVX2) rounds it: the row is
/// read as 8-lane vectors; the whole vectors are summed lane by lane in 4 interleaved accumulators (vector i goes to
/// accumulator i mod 4 while whole groups of 4 remain, with the kernel's cascade over groups of 2^p), the leftover
/// vectors go to accumulator 0, accumulators 1..3 are then added to 0; the scalar tail (n mod 8) is summed from 0.0
/// and the 8 lanes are added to it in order. Rows shorter than 8 take the kernel's scalar path (4 interleaved
/// accumulators). Used only where a float32 tie must be decided as the reference does.
/// </summary>
internal static class TorchInnerSum
{
    private const int Lanes = 8, Ilp = 4, Levels = 4;

    /// <summary>sum(v²) with the elementwise squares rounded to float32 first (x ** 2, then sum).</summary>
    public static float Squares(ReadOnlySpan<float> v)
    {
        Span<float> sq = v.Length <= 1024 ? stackalloc float[v.Length] : new float[v.Length];
        for (int i = 0; i < v.Length; i++) sq[i] = v[i] * v[i];
        return Sum(sq);
    }

    public static float Sum(ReadOnlySpan<float> v)
    {
        if (v.Length < Lanes) return ScalarSum(v);
        int vectors = v.Length / Lanes;
        Span<float> acc = stackalloc float[Ilp * Lanes];       // the 4 vector accumulators of row_sum
        CascadeGroups(v, vectors / Ilp, Ilp * Lanes, acc);
        for (int i = vectors / Ilp * Ilp; i < vectors; i++)     // leftover whole vectors into accumulator 0
            for (int l = 0; l < Lanes; l++) acc[l] += v[i * Lanes + l];
        for (int k = 1; k < Ilp; k++)
            for (int l = 0; l < Lanes; l++) acc[l] += acc[k * Lanes + l];
        float total = 0f;
        for (int i = vectors * Lanes; i < v.Length; i++) total += v[i];
        for (int l = 0; l < Lanes; l++) total += acc[l];
        return total;
    }

    /// <summary>
    /// multi_row_sum over `groups` groups of 4 vectors: accumulates group by group into level 0 and, every 2^p groups,
    /// carries level j-1 into level j (p = max(4, ceil(log2 groups) / 4)); at the end levels 1..3 are added into 0.
    /// </summary>
    private static void CascadeGroups(ReadOnlySpan<float> v, int groups, int width, Span<float> result)
    {
        Span<float> acc = stackalloc float[Levels * width];
        acc.Clear();
        int power = Math.Max(4, CeilLog2(groups) / Levels), step = 1 << power, mask = step - 1;
        int g = 0;
        while (g + step <= groups)
        {
            for (int j = 0; j < step; j++, g++)
                for (int e = 0; e < width; e++) acc[e] += v[g * width + e];
            for (int j = 1; j < Levels; j++)
            {
                for (int e = 0; e < width; e++) { acc[j * width + e] += acc[(j - 1) * width + e]; acc[(j - 1) * width + e] = 0f; }
                if ((g & (mask << (j * power))) != 0) break;
            }
        }
        for (; g < groups; g++)
            for (int e = 0; e < width; e++) acc[e] += v[g * width + e];
        for (int j = 1; j < Levels; j++)
            for (int e = 0; e < width; e++) acc[e] += acc[j * width + e];
        acc[..width].CopyTo(result);
    }

    /// <summary>Rows shorter than one vector: row_sum over scalars (4 interleaved accumulators, the tail into the first).</summary>
    private static float ScalarSum(ReadOnlySpan<float> v)
    {
        Span<float> acc = stackalloc float[Ilp];
        CascadeGroups(v, v.Length / Ilp, Ilp, acc);
        for (int i = v.Length / Ilp * Ilp; i < v.Length; i++) acc[0] += v[i];
        for (int k = 1; k < Ilp; k++) acc[0] += acc[k];
        return acc[0];
    }

    private static int CeilLog2(int x)
    {
        if (x <= 2) return x <= 1 ? 0 : 1;
        return 32 - System.Numerics.BitOperations.LeadingZeroCount((uint)(x - 1));
    }
}
