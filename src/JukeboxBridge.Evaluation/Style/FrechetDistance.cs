using static TorchSharp.torch;

namespace JukeboxBridge.Evaluation.Style;

/// <summary>
/// Fréchet distance between two sets of embeddings, each modelled as a Gaussian (FAD, Kilgour et al. 2019):
/// ‖μ₁ − μ₂‖² + Tr(Σ₁ + Σ₂ − 2 (Σ₁ Σ₂)^½), in float64. Tr((Σ₁Σ₂)^½) is the sum of the square roots of the eigenvalues of
/// Σ₁^½ Σ₂ Σ₁^½, which is symmetric, so no general matrix square root is needed.
/// </summary>
public static class FrechetDistance
{
    public static double Compute(double[][] a, double[][] b)
    {
        if (a.Length < 2 || b.Length < 2) throw new ArgumentException("the Fréchet distance needs at least two embeddings on each side");
        int d = a[0].Length;
        using var scope = NewDisposeScope();
        var (mu1, s1) = Moments(a, d);
        var (mu2, s2) = Moments(b, d);
        var (e1, v1) = linalg.eigh(s1);
        var root1 = matmul(matmul(v1, diag(e1.clamp_min(0).sqrt())), v1.t());
        var (e, _) = linalg.eigh(matmul(matmul(root1, s2), root1));
        double traceRoot = e.clamp_min(0).sqrt().sum().item<double>();
        double meanTerm = (mu1 - mu2).square().sum().item<double>();
        return meanTerm + s1.trace().item<double>() + s2.trace().item<double>() - 2 * traceRoot;
    }

    private static (Tensor Mean, Tensor Cov) Moments(double[][] x, int d)
    {
        var t = tensor(x.SelectMany(r => r).ToArray(), dtype: ScalarType.Float64).view(x.Length, d);
        var mean = t.mean(new long[] { 0 });
        var c = t - mean;
        return (mean, matmul(c.t(), c) / (x.Length - 1));
    }
}
