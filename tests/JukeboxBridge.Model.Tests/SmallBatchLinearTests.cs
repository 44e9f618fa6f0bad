using JukeboxBridge.Model.Transformers;
using Xunit;
using static TorchSharp.torch;

namespace JukeboxBridge.Model.Tests;

/// <summary>The sampling step's W · xᵀ path gives x · w (the reference's Conv1D) for every row count, and shapes.</summary>
public class SmallBatchLinearTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(8)]
    [InlineData(9)]
    [InlineData(64)]
    public void Conv1D_matches_x_times_w_at_every_row_count(int rows)
    {
        using var scope = NewDisposeScope();
        using var conv = new Conv1D(48, 80);
        using (no_grad()) conv.b.copy_(randn(80, generator: new Generator(3)));
        Assert.True(SmallBatchLinear.IsTransposedView(conv.w));                      // (n_out, n_in) memory
        var x = randn(new long[] { rows, 1, 48 }, generator: new Generator(4));
        var expected = x.reshape(rows, 48).matmul(conv.w.contiguous()) + conv.b;     // the reference's arithmetic
        var y = conv.forward(x);
        Assert.Equal(new long[] { rows, 1, 80 }, y.shape);
        Assert.True(y.reshape(rows, 80).allclose(expected, rtol: 1e-5, atol: 1e-6));
        Assert.True(y.is_contiguous());
    }

    [Fact]
    public void A_loaded_weight_keeps_the_fast_layout_and_its_values()
    {
        using var scope = NewDisposeScope();
        using var conv = new Conv1D(8, 12);
        var loaded = arange(96, dtype: ScalarType.Float32).reshape(8, 12);           // a checkpoint's (n_in, n_out) tensor
        using (no_grad()) conv.w.copy_(loaded);
        Assert.True(SmallBatchLinear.IsTransposedView(conv.w));
        Assert.True(conv.w.allclose(loaded, rtol: 0, atol: 0));
        var x = ones(1, 8);
        Assert.True(conv.forward(x).allclose(x.matmul(loaded), rtol: 1e-6, atol: 1e-5));
    }

    [Fact]
    public void Strided_inputs_give_the_same_result()
    {
        using var scope = NewDisposeScope();
        using var conv = new Conv1D(32, 16);
        var x = randn(new long[] { 32, 4 }, generator: new Generator(5)).t();       // (4, 32), a transposed view
        Assert.False(x.is_contiguous());
        Assert.True(conv.forward(x).allclose(x.contiguous().matmul(conv.w.contiguous()) + conv.b, rtol: 1e-5, atol: 1e-6));
    }
}
