using System.Text.Json;
using JukeboxBridge.Checkpoints;
using JukeboxBridge.Model.Checkpoints;
using static TorchSharp.torch;

namespace JukeboxBridge.Model.Tests;

/// <summary>A case's tolerance: |got-want| &lt;= atol + rtol*|want|, atol = atolRelToMaxAbs * max|want|.</summary>
public sealed record Tolerance(double Rtol, double AtolRelToMaxAbs)
{
    public static Tolerance From(JsonElement caseJson, double defaultRtol = 1e-4, double defaultAtolRel = 1e-4)
    {
        if (!caseJson.TryGetProperty("tolerance", out var t)) return new(defaultRtol, defaultAtolRel);
        double Get(string name, double d) => t.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : d;
        return new(Get("float_rtol", defaultRtol), Get("float_atol_rel_to_maxabs", defaultAtolRel));
    }

    /// <summary>A prior case's {"atol", "rtol"} tolerance: the relative part, and the absolute atol to pass along.</summary>
    public static (Tolerance Tol, double Atol) AbsRel(JsonElement caseJson)
    {
        var t = caseJson.GetProperty("tolerance");
        return (new Tolerance(t.GetProperty("rtol").GetDouble(), 0), t.GetProperty("atol").GetDouble());
    }
}

public static class TensorAssert
{
    /// <summary>numpy.allclose-style comparison of a torch tensor with a fixture tensor; integers exactly.</summary>
    public static void Close(Tensor got, StoredTensor want, Tolerance tol, string what, double absoluteAtol = 0)
    {
        Assert.True(want.Shape.SequenceEqual(got.shape),
            $"{what}: shape [{string.Join(", ", got.shape)}] vs reference [{string.Join(", ", want.Shape)}]");
        using var scope = NewDisposeScope();
        if (want.DType is DType.Int64 or DType.Int32 or DType.UInt8 or DType.Bool)
        {
            var w = want.ToTorch(ScalarType.Int64);
            var g = got.to_type(ScalarType.Int64).cpu();
            long wrong = g.ne(w).sum().item<long>();
            Assert.True(wrong == 0, $"{what}: {wrong} of {w.numel()} integers differ");
            return;
        }
        var wf = want.ToTorch(ScalarType.Float64);
        var gf = got.detach().to_type(ScalarType.Float64).cpu();
        double maxAbs = wf.numel() == 0 ? 0 : wf.abs().max().item<double>();
        var allowed = absoluteAtol + tol.AtolRelToMaxAbs * maxAbs + tol.Rtol * wf.abs();
        var err = (gf - wf).abs();
        var bad = err.gt(allowed);
        long nBad = bad.sum().item<long>();
        if (nBad > 0)
        {
            double worst = err.max().item<double>();
            Assert.Fail($"{what}: {nBad} of {wf.numel()} elements outside tolerance (max |err| {worst:G4}, max |want| {maxAbs:G4}, rtol {tol.Rtol}, atol {tol.AtolRelToMaxAbs}*maxabs)");
        }
    }

    public static void Close(double got, StoredTensor want, Tolerance tol, string what)
    {
        using var t = tensor(got, ScalarType.Float64);
        Close(t.reshape(want.Shape), want, tol, what);
    }
}
