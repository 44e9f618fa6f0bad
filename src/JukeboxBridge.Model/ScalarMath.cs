using TorchSharp;
using static TorchSharp.torch;

namespace JukeboxBridge.Model;

/// <summary>
/// Tensor-with-number arithmetic that keeps the number's native Scalar alive through the native call. TorchSharp
/// 0.107's <c>Tensor * double</c> (and every Scalar overload) converts the number to a temporary Scalar and passes only
/// its handle to native code, so a garbage collection on another thread can finalise the Scalar mid-call: seen here as
/// "Unknown scalar type" and "Expected false to be true" from libtorch while tests sampled in parallel. Hot paths
/// (every sampled token, every decoded block) use these instead of the operators.
/// </summary>
public static class ScalarMath
{
    public static Tensor Mul(Tensor t, double v) { using var s = v.ToScalar(); return t.mul(s); }
    public static Tensor MulInPlace(Tensor t, double v) { using var s = v.ToScalar(); return t.mul_(s); }
    public static Tensor Div(Tensor t, double v) { using var s = v.ToScalar(); return t.div(s); }
    public static Tensor Add(Tensor t, double v) { using var s = v.ToScalar(); return t.add(s); }
    public static Tensor Sub(Tensor t, double v) { using var s = v.ToScalar(); return t.sub(s); }
    public static Tensor MaskedFill(Tensor t, Tensor mask, double v) { using var s = v.ToScalar(); return t.masked_fill(mask, s); }
    public static Tensor ClampMin(Tensor t, double v) { using var s = v.ToScalar(); return t.clamp_min(s); }

    // Integer numbers keep integer tensors integer (as the operators do with an int).
    public static Tensor Mul(Tensor t, long v) { using var s = v.ToScalar(); return t.mul(s); }
    public static Tensor Add(Tensor t, long v) { using var s = v.ToScalar(); return t.add(s); }
    public static Tensor Sub(Tensor t, long v) { using var s = v.ToScalar(); return t.sub(s); }
    public static Tensor ClampMin(Tensor t, long v) { using var s = v.ToScalar(); return t.clamp_min(s); }
}
