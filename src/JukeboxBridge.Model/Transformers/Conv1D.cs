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
        // Half-stored weights (5b) are used in the activation dtype: exact upcast in float32, as the reference.
        // bfloat16 weights (Precision.BFloat16) are used as they are: the product runs in bfloat16, the result in x's dtype.
        bool bf16 = w.dtype == ScalarType.BFloat16 && x.dtype != ScalarType.BFloat16;
        var weight = w.dtype == x.dtype || bf16 ? (Tensor)w : w.to_type(x.dtype);
        var bias = b.dtype == x.dtype ? (Tensor)b : b.to_type(x.dtype);
        if (bf16 && !(rows <= SmallBatchLinear.MaxRows && SmallBatchLinear.IsTransposedView(weight)))
            return forward(x.to_type(ScalarType.BFloat16)).to_type(x.dtype).MoveToOuterDisposeScope();
        if (rows <= SmallBatchLinear.MaxRows && SmallBatchLinear.IsTransposedView(weight))
            return SmallBatchLinear.Apply(weight.t(), bias, x).MoveToOuterDisposeScope();   // a sampling step's rows
        var y = addmm(bias, x.reshape(rows, nIn), weight, 1, 1);                          // (rows, n_out)
        return y.view(shape[..^1].Append(w.shape[1]).ToArray()).MoveToOuterDisposeScope();
    }

    /// <summary>Replaces w by a copy in <paramref name="dtype"/> (same memory layout); false when it already is. Sampling only.</summary>
    public bool ConvertWeight(ScalarType dtype)
    {
        if (w.dtype == dtype) return false;
        var old = w;
        w = new Parameter(old.detach().to_type(dtype), requires_grad: false);             // to_type keeps the strides
        ConditionallyRegisterParameter(nameof(w), w);
        old.Dispose();
        return true;
    }
}
