using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace JukeboxBridge.Model;

/// <summary>
/// Where new modules draw their random initial weights from. <c>torch.manual_seed</c> seeds one process-wide
/// generator that every thread's draw advances, so two models built at once (parallel test classes, a daemon
/// loading a bundle while a trainer starts) would get each other's numbers. Inside <see cref="Seeded"/> the
/// constructors on this thread draw from a private generator with that seed instead: the same numbers as
/// manual_seed(seed) gave a lone thread, whatever other threads do. Outside it they use the global generator.
/// </summary>
public static class ModelInit
{
    [ThreadStatic] private static Generator? _current;

    /// <summary>
    /// Modules built on this thread until the scope ends draw from a generator seeded with <paramref name="seed"/>.
    /// Inside another scope it reseeds that scope's generator, as a second manual_seed would (the outer scope
    /// then goes on from there), so nested loaders draw the numbers they drew before.
    /// </summary>
    public static IDisposable Seeded(long seed)
    {
        if (_current is not null)
        {
            _current.manual_seed(seed);
            return new Scope(() => { });
        }
        var mine = new Generator((ulong)seed);
        _current = mine;
        return new Scope(() => { _current = null; mine.Dispose(); });
    }

    public static Tensor Uniform(Tensor t, double lo, double hi) => t.uniform_(lo, hi, generator: _current);

    public static Tensor Normal(Tensor t, double mean, double std) => t.normal_(mean, std, generator: _current);

    /// <summary>nn.Linear with torch's default init (kaiming uniform, a = sqrt 5: bound 1/sqrt(in)) drawn from the current generator.</summary>
    public static Linear Linear(long inFeatures, long outFeatures, bool hasBias = true)
    {
        var l = nn.Linear(inFeatures, outFeatures, hasBias);
        if (_current is null) return l;
        double bound = 1.0 / Math.Sqrt(inFeatures);
        using (no_grad())
        {
            l.weight!.uniform_(-bound, bound, generator: _current);
            l.bias?.uniform_(-bound, bound, generator: _current);
        }
        return l;
    }

    /// <summary>nn.Embedding with torch's default init (standard normal) drawn from the current generator.</summary>
    public static Embedding Embedding(long count, long width)
    {
        var e = nn.Embedding(count, width);
        if (_current is null) return e;
        using (no_grad()) e.weight!.normal_(0, 1, generator: _current);
        return e;
    }

    private sealed class Scope(Action end) : IDisposable
    {
        private Action? _end = end;
        public void Dispose() { _end?.Invoke(); _end = null; }
    }
}
