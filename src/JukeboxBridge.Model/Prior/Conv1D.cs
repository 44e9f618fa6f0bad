using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace JukeboxBridge.Model.Prior;

/// <summary>
/// The reference transformer's Conv1D: a linear layer stored (n_in, n_out) as <c>w</c>, with bias <c>b</c>:
/// y = b + x · w. (Not nn.Linear's (out, in) layout; released checkpoints load by these names.)
/// </summary>
public sealed class Conv1D : nn.Module<Tensor, Tensor>
{
    public Parameter w;
    public Parameter b;

    public Conv1D(long nIn, long nOut, double initScale = 1.0) : base(nameof(Conv1D))
    {
        w = new Parameter(empty(nIn, nOut).normal_(0, 0.02 * initScale));
        b = new Parameter(zeros(nOut));
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) // (..., n_in) -> (..., n_out)
    {
        using var scope = NewDisposeScope();
        var shape = x.shape;
        var y = addmm(b, x.reshape(-1, shape[^1]), w, 1, 1);
        return y.view(shape[..^1].Append(w.shape[1]).ToArray()).MoveToOuterDisposeScope();
    }
}

/// <summary>c_fc → quick-GELU (v·sigmoid(1.702 v)) → c_proj.</summary>
public sealed class Mlp : nn.Module<Tensor, Tensor>
{
    private readonly Conv1D c_fc, c_proj;

    public Mlp(long width, long hidden, double initScale = 1.0, bool zeroOut = false) : base(nameof(Mlp))
    {
        c_fc = new Conv1D(width, hidden, initScale);
        c_proj = new Conv1D(hidden, width, zeroOut ? 0 : initScale);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var h = c_fc.forward(x);
        h = h * sigmoid(h * 1.702);
        return c_proj.forward(h).MoveToOuterDisposeScope();
    }
}
