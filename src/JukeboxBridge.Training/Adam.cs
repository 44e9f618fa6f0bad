using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace JukeboxBridge.Training;

/// <summary>
/// Adam / AdamW with its state as plain named tensors (exp_avg, exp_avg_sq per parameter, and the step),
/// so a training checkpoint can hold it in safetensors and resume exactly.
/// </summary>
public sealed class Adam : IDisposable
{
    private readonly (string Name, Parameter P)[] _params;
    private readonly Dictionary<string, (Tensor M, Tensor V)> _state = new();
    public double Beta1 { get; init; } = 0.9;
    public double Beta2 { get; init; } = 0.999;
    public double Eps { get; init; } = 1e-8;
    public double WeightDecay { get; init; }
    public long Step { get; private set; }

    public Adam(IEnumerable<(string Name, Parameter P)> parameters) => _params = parameters.ToArray();

    public void ZeroGrad()
    {
        foreach (var (_, p) in _params) p.grad?.zero_();
    }

    /// <summary>Scales gradients so their global L2 norm is at most <paramref name="maxNorm"/>; returns the norm before clipping.</summary>
    public double ClipGradNorm(double maxNorm)
    {
        using var scope = NewDisposeScope();
        var grads = _params.Select(p => p.P.grad).Where(g => g is not null).ToList();
        if (grads.Count == 0) return 0;
        double norm = stack(grads.Select(g => g!.norm()).ToArray()).norm().item<float>();
        if (maxNorm > 0 && norm > maxNorm && double.IsFinite(norm))
        {
            using var scale = (maxNorm / (norm + 1e-6)).ToScalar();
            foreach (var g in grads) g!.mul_(scale);
        }
        return norm;
    }

    public void Update(double lr)
    {
        Step++;
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        double bc1 = 1 - Math.Pow(Beta1, Step), bc2 = 1 - Math.Pow(Beta2, Step);
        foreach (var (name, p) in _params)
        {
            if (p.grad is null) continue;
            if (!_state.TryGetValue(name, out var s))
                _state[name] = s = (zeros_like(p).DetachFromDisposeScope(), zeros_like(p).DetachFromDisposeScope());
            // Explicit Scalars that outlive each native call (TorchSharp's implicit double -> Scalar temporaries can be
            // finalised by a collection on another thread mid-call: seen in CI as "Expected false to be true" here).
            using var decay = (1 - lr * WeightDecay).ToScalar();
            using var b1 = Beta1.ToScalar();
            using var a1 = (1 - Beta1).ToScalar();
            using var b2 = Beta2.ToScalar();
            using var a2 = (1 - Beta2).ToScalar();
            using var c2 = bc2.ToScalar();
            using var eps = Eps.ToScalar();
            using var step = (-lr / bc1).ToScalar();
            if (WeightDecay != 0) p.mul_(decay);
            s.M.mul_(b1).add_(p.grad, alpha: a1);
            s.V.mul_(b2).addcmul_(p.grad, p.grad, value: a2);
            var denom = s.V.div(c2).sqrt_().add_(eps);
            p.addcdiv_(s.M, denom, value: step);
        }
    }

    /// <summary>State as named tensors: "NAME/exp_avg", "NAME/exp_avg_sq".</summary>
    public IEnumerable<(string Name, Tensor T)> State() =>
        _state.SelectMany(kv => new[] { (kv.Key + "/exp_avg", kv.Value.M), (kv.Key + "/exp_avg_sq", kv.Value.V) });

    public void LoadState(long step, Func<string, Tensor?> get)
    {
        Step = step;
        foreach (var (name, p) in _params)
        {
            var m = get(name + "/exp_avg");
            var v = get(name + "/exp_avg_sq");
            if (m is null || v is null) continue;
            if (_state.TryGetValue(name, out var old)) { old.M.Dispose(); old.V.Dispose(); }
            _state[name] = (m.to_type(p.dtype).to(p.device).DetachFromDisposeScope(), v.to_type(p.dtype).to(p.device).DetachFromDisposeScope());
        }
    }

    public void Dispose()
    {
        foreach (var (m, v) in _state.Values) { m.Dispose(); v.Dispose(); }
    }
}
