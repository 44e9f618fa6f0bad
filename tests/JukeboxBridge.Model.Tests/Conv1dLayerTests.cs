using JukeboxBridge.Model.Layers;
using static TorchSharp.torch;

namespace JukeboxBridge.Model.Tests;

/// <summary>
/// Our Conv1d against a float64 reference, for channel counts that hit libtorch's CPU bug
/// (oneDNN on AVX-512: wrong values or NaN when in_channels is not a multiple of 16).
/// </summary>
public class Conv1dLayerTests
{
    [Theory]
    [InlineData(24, 36, 3, 2)]
    [InlineData(36, 24, 3, 4)]
    [InlineData(17, 16, 1, 4)]
    [InlineData(72, 20, 3, 1)]
    [InlineData(100, 8, 3, 1)]
    [InlineData(32, 32, 3, 2)]
    [InlineData(1, 24, 4, 2)]
    [InlineData(64, 1, 1, 3)]
    [InlineData(16, 16, 2187, 1)]
    public void Matches_float64_convolution(int cin, int cout, int dilation, int batch)
    {
        manual_seed(cin * 1000 + cout);
        using var conv = new Conv1dLayer(cin, cout, 3, stride: 1, padding: dilation, dilation: dilation);
        using var x = randn(batch, cin, 300);
        using var g = no_grad();
        using var got = conv.forward(x);
        using var want = nn.functional.conv1d(x.to_type(ScalarType.Float64), conv.weight.to_type(ScalarType.Float64),
            conv.bias!.to_type(ScalarType.Float64), 1, dilation, dilation);
        double err = (got.to_type(ScalarType.Float64) - want).abs().max().item<double>();
        Assert.True(err < 1e-4, $"max error {err}");
    }

    [Theory]
    [InlineData(64, 64, 4, 2, 1, 37)]
    [InlineData(24, 16, 4, 2, 1, 10)]
    [InlineData(16, 1, 8, 4, 2, 9)]
    [InlineData(8, 8, 3, 1, 1, 5)]
    public void Transposed_matches_float64_with_gradients(int cin, int cout, int k, int stride, int pad, int t)
    {
        manual_seed(cin + k);
        using var conv = new ConvTranspose1dLayer(cin, cout, k, stride, pad);
        using var x = randn(2, cin, t, requires_grad: true);
        var y = conv.forward(x);
        y.pow(2).sum().backward();
        var xd = x.detach().to_type(ScalarType.Float64).requires_grad_(true);
        var w = conv.weight.detach().to_type(ScalarType.Float64).requires_grad_(true);
        var want = nn.functional.conv_transpose1d(xd, w, conv.bias!.detach().to_type(ScalarType.Float64), stride, pad);
        want.pow(2).sum().backward();
        Assert.Equal(want.shape, y.shape);
        Assert.True((y.detach().to_type(ScalarType.Float64) - want.detach()).abs().max().item<double>() < 1e-4);
        Assert.True((conv.weight.grad!.to_type(ScalarType.Float64) - w.grad!).abs().max().item<double>() < 1e-3 * w.grad!.abs().max().item<double>());
        Assert.True((x.grad!.to_type(ScalarType.Float64) - xd.grad!).abs().max().item<double>() < 1e-3 * xd.grad!.abs().max().item<double>());
    }

    [Fact]
    public void Parameter_names_and_shapes_are_torchs()
    {
        using var conv = new Conv1dLayer(24, 36, 3);
        var sd = conv.state_dict();
        Assert.Equal(new[] { "bias", "weight" }, sd.Keys.OrderBy(k => k));
        Assert.Equal(new long[] { 36, 24, 3 }, sd["weight"].shape);
    }

    [Theory]
    [InlineData(24, 8, 1, 1)]
    [InlineData(36, 24, 3, 1)]
    [InlineData(32, 32, 3, 1)]
    [InlineData(1, 32, 1, 2)]
    [InlineData(1, 24, 1, 2)]
    [InlineData(64, 1, 1, 1)]
    [InlineData(16, 8, 9, 1)]
    public void Weight_and_input_gradients_match_float64(int cin, int cout, int dilation, int stride)
    {
        manual_seed(3);
        int k = stride > 1 ? 2 * stride : 3, pad = stride > 1 ? stride / 2 : dilation;
        using var conv = new Conv1dLayer(cin, cout, k, stride: stride, padding: pad, dilation: dilation);
        using var x = randn(2, cin, 64, requires_grad: true);
        conv.forward(x).pow(2).sum().backward();
        var xd = x.detach().to_type(ScalarType.Float64).requires_grad_(true);
        var w = conv.weight.detach().to_type(ScalarType.Float64).requires_grad_(true);
        nn.functional.conv1d(xd, w, conv.bias!.detach().to_type(ScalarType.Float64), stride, pad, dilation).pow(2).sum().backward();
        double ew = (conv.weight.grad!.to_type(ScalarType.Float64) - w.grad!).abs().max().item<double>();
        double ex = (x.grad!.to_type(ScalarType.Float64) - xd.grad!).abs().max().item<double>();
        double sw = w.grad!.abs().max().item<double>(), sx = xd.grad!.abs().max().item<double>();
        Assert.True(ew <= 1e-5 * sw && ex <= 1e-5 * sx, $"weight grad error {ew} (max {sw}), input grad error {ex} (max {sx})");
    }
}
