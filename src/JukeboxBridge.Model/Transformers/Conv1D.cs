using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace JukeboxBridge.Model.Transformers;

/// <summary>
/// The reference transformer's Conv1D: a linear layer stored (n_in, n_out) as <c>w</c>, with bias <c>b</c>:
/// y = b + x · w. (Not nn.Linear's (out, in) layout; released checkpoints load by these names.)
/// </summary>
public sealed class Conv1D : nn.Module<Tensor, Tensor>
{
    public Parameter w;
    public Parameter b;

    /// <param name="halfWeight">Hold w in float16 (fp16_params: 5b and 5b_lyrics); the bias stays float32.</param>
    public Conv1D(long nIn, long nOut, double initScale = 1.0, bool halfWeight = false) : base(nameof(Conv1D))
    {
        var init = ModelInit.Normal(empty(nIn, nOut), 0, 0.02 * initScale);
        w = new Parameter(halfWeight ? init.to_type(ScalarType.Float16) : init);
        b = new Parameter(zeros(nOut));
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) // (..., n_in) -> (..., n_out)
    {
        using var scope = NewDisposeScope();
        var shape = x.shape;
        var x2 = x.reshape(-1, shape[^1]);
        // Half-stored weights (5b) are used in the activation dtype: exact upcast in float32, as the reference.
        var y = w.dtype == x.dtype ? addmm(b.to_type(x.dtype), x2, w, 1, 1) : addmm(b.to_type(x.dtype), x2, w.to_type(x.dtype), 1, 1);
        return y.view(shape[..^1].Append(w.shape[1]).ToArray()).MoveToOuterDisposeScope();
    }
}
