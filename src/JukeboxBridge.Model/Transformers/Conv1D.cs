using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace JukeboxBridge.Model.Transformers;

/// <summary>
/// The reference transformer's Conv1D: a linear layer whose weight is the parameter <c>w</c> of shape (n_in, n_out),
/// with bias <c>b</c>: y = b + x · w. (Not nn.Linear's (out, in) shape; released checkpoints load by these names.)
/// The weight's memory is laid out as nn.Linear's, (n_out, n_in) row-major: <c>w</c> is the transposed view of it
/// (strides (1, n_in)), so that loading, saving and optimisers see the reference's shape while BLAS gets the layout
/// it is fast with. A sampling step multiplies a few rows: W (n_out, n_in) · xᵀ is a matrix-vector-like product that
/// streams the weight once (about 3x faster at 4 rows than x · W through a packed GEMM on this CPU).
/// </summary>
public sealed class Conv1D : nn.Module<Tensor, Tensor>
{
    /// <summary>At most this many rows go through W · xᵀ; more through x · w (a GEMM either way).</summary>
    private const long DecodeRows = 16;

    public Parameter w;
    public Parameter b;

    /// <param name="halfWeight">Hold w in float16 (fp16_params: 5b and 5b_lyrics); the bias stays float32.</param>
    public Conv1D(long nIn, long nOut, double initScale = 1.0, bool halfWeight = false) : base(nameof(Conv1D))
    {
        var init = ModelInit.Normal(empty(nIn, nOut), 0, 0.02 * initScale);   // drawn in (n_in, n_out) order, as the reference
        var stored = (halfWeight ? init.to_type(ScalarType.Float16) : init).t().contiguous();   // (n_out, n_in) memory
        w = new Parameter(stored.t());                                                        // (n_in, n_out) view
        b = new Parameter(zeros(nOut));
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) // (..., n_in) -> (..., n_out)
    {
        using var scope = NewDisposeScope();
        var shape = x.shape;
        long nIn = shape[^1], rows = x.numel() / Math.Max(nIn, 1);
        var x2 = shape.Length == 2 ? x : x.reshape(rows, nIn);
        // Half-stored weights (5b) are used in the activation dtype: exact upcast in float32, as the reference.
        var weight = w.dtype == x.dtype ? (Tensor)w : w.to_type(x.dtype);
        var bias = b.dtype == x.dtype ? (Tensor)b : b.to_type(x.dtype);
        Tensor y;
        if (rows <= DecodeRows && IsTransposedStorage(weight))
        {
            // One row goes in twice: BLAS's matrix-vector kernel streams the weight at ~0.55x the rate of its
            // small-GEMM kernel here (fp32, 2 threads, weights from DRAM: 23 vs 39-41 GB/s).
            var xs = rows == 1 ? x2.expand(2, nIn).contiguous() : x2;
            y = addmm(bias.unsqueeze(1), weight.t(), xs.t(), 1, 1);                        // (n_out, rows')
            y = (rows == 1 ? y.narrow(1, 0, 1) : y).t();
        }
        else y = addmm(bias, x2, weight, 1, 1);                                            // (rows, n_out)
        var outShape = shape[..^1].Append(w.shape[1]).ToArray();
        return (rows == 1 && outShape.Length == 2 ? y : y.reshape(outShape)).MoveToOuterDisposeScope();
    }

    /// <summary>Whether the (n_in, n_out) weight's memory is (n_out, n_in) row-major (a checkpoint loaded by copy keeps it).</summary>
    private static bool IsTransposedStorage(Tensor t) => t.dim() == 2 && t.stride(0) == 1 && t.stride(1) == t.shape[0];
}
