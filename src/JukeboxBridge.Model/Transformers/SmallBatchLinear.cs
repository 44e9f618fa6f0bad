using static TorchSharp.torch;

namespace JukeboxBridge.Model.Transformers;

/// <summary>
/// y = x · Wᵀ + b for the few rows of a sampling step, with W (n_out, n_in) row-major in memory (nn.Linear's layout,
/// and Conv1D's storage). Computed as W · xᵀ: BLAS's small-GEMM kernel then streams W once at close to the memory
/// bandwidth, where x · Wᵀ (a packed GEMM) or a matrix-vector product reach a third to a half of it (fp32, this
/// 2-core CPU, weights from DRAM: 39-41 GB/s against 11-23). One row goes in twice (the matrix-vector kernel is the
/// slow one). Operands and result are row-major: a transposed view of x would send BLAS down a path ~10x slower.
/// </summary>
public static class SmallBatchLinear
{
    /// <summary>At most this many rows take this path; more go through an ordinary GEMM.</summary>
    public const long MaxRows = 16;

    /// <summary>weight (n_out, n_in) row-major, bias (n_out) or null, x (..., n_in) with at most <see cref="MaxRows"/> rows -> (..., n_out).</summary>
    public static Tensor Apply(Tensor weight, Tensor? bias, Tensor x)
    {
        using var scope = NewDisposeScope();
        var shape = x.shape;
        long nIn = shape[^1], rows = x.numel() / Math.Max(nIn, 1), nOut = weight.shape[0];
        var x2 = x.reshape(rows, nIn);
        var xs = rows == 1 ? x2.expand(2, nIn).contiguous() : x2.contiguous();          // (rows', n_in)
        var y = bias is null ? weight.matmul(xs.t()) : addmm(bias.unsqueeze(1), weight, xs.t(), 1, 1);   // (n_out, rows')
        y = (rows == 1 ? y.narrow(1, 0, 1) : y).t().contiguous();                          // (rows, n_out)
        return y.reshape(shape[..^1].Append(nOut).ToArray()).MoveToOuterDisposeScope();
    }

    /// <summary>Whether a 2-D tensor is the transposed view of a row-major matrix (t() of it is contiguous).</summary>
    public static bool IsTransposedView(Tensor t) => t.dim() == 2 && t.stride(0) == 1 && t.stride(1) == t.shape[0];
}
