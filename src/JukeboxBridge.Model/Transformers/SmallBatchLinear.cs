using static TorchSharp.torch;

namespace JukeboxBridge.Model.Transformers;

/// <summary>
/// y = x · Wᵀ + b for the few rows of a sampling step, with W (n_out, n_in) row-major in memory (nn.Linear's layout,
/// and Conv1D's storage). Computed as W · xᵀ: BLAS's small-GEMM kernel then streams W once at close to the memory
/// bandwidth, where x · Wᵀ (a packed GEMM) or a matrix-vector product reach a third to a half of it (fp32, this
/// 2-core CPU, weights from DRAM: 39-41 GB/s against 11-23). Rows go in groups of up to 4, one row twice (the
/// matrix-vector kernel is the slow one). Operands and result are row-major: a transposed view of x would send BLAS
/// down a path ~10x slower.
/// </summary>
public static class SmallBatchLinear
{
    /// <summary>At most this many rows take this path; more go through an ordinary GEMM.</summary>
    public const long MaxRows = 8;
    private const long GroupRows = 4;

    /// <summary>
    /// weight (n_out, n_in) row-major, bias (n_out) or null, x (..., n_in) with at most <see cref="MaxRows"/> rows -> (..., n_out),
    /// in x's dtype. A weight of another dtype (bfloat16, <see cref="Precision"/>) sets the dtype of the product.
    /// </summary>
    public static Tensor Apply(Tensor weight, Tensor? bias, Tensor x)
    {
        using var scope = NewDisposeScope();
        var shape = x.shape;
        long nIn = shape[^1], rows = x.numel() / Math.Max(nIn, 1), nOut = weight.shape[0];
        var x2 = x.reshape(rows, nIn);
        var dtype = x.dtype;
        if (weight.dtype != dtype)                                                       // bf16 weights: compute in bf16
        {
            x2 = x2.to_type(weight.dtype);
            bias = bias?.to_type(weight.dtype);
        }
        // Groups of up to 4 rows: BLAS's small-GEMM kernel is fastest at 4 columns here (a step of the bench prior:
        // 6.2 ms at 4 rows, 8.5 at 2-3, 15.7 at 8 in one product); a single row goes in twice (2 beat 1 and 4).
        Tensor Group(Tensor g)                                                         // (r, n_in) -> (r, n_out), a view
        {
            bool one = g.shape[0] == 1;
            var xs = one ? g.repeat(2, 1) : g.contiguous();                              // (r', n_in) row-major
            var p = bias is null ? weight.matmul(xs.t()) : addmm(bias.unsqueeze(1), weight, xs.t(), 1, 1);   // (n_out, r')
            return (one ? p.narrow(1, 0, 1) : p).t();
        }
        var y = rows <= GroupRows ? Group(x2).contiguous() : cat(x2.split(GroupRows, 0).Select(Group).ToList(), 0);   // (rows, n_out)
        if (y.dtype != dtype) y = y.to_type(dtype);
        return y.reshape(shape[..^1].Append(nOut).ToArray()).MoveToOuterDisposeScope();
    }

    /// <summary>Whether a 2-D tensor is the transposed view of a row-major matrix (t() of it is contiguous).</summary>
    public static bool IsTransposedView(Tensor t) => t.dim() == 2 && t.stride(0) == 1 && t.stride(1) == t.shape[0];
}
