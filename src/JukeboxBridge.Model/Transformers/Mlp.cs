using TorchSharp;
using static TorchSharp.torch;

namespace JukeboxBridge.Model.Transformers;

/// <summary>c_fc → quick-GELU (v·sigmoid(1.702 v)) → c_proj.</summary>
public sealed class Mlp : nn.Module<Tensor, Tensor>
{
    private readonly Conv1D c_fc, c_proj;

    public Mlp(long width, long hidden, double initScale = 1.0, bool zeroOut = false, bool halfWeights = false) : base(nameof(Mlp))
    {
        c_fc = new Conv1D(width, hidden, initScale, halfWeights);
        c_proj = new Conv1D(hidden, width, zeroOut ? 0 : initScale, halfWeights);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var h = c_fc.forward(x);
        h = h * sigmoid(ScalarMath.Mul(h, 1.702));
        return c_proj.forward(h).MoveToOuterDisposeScope();
    }
}
