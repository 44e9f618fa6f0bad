using System.Text.Json;
using JukeboxBridge.Checkpoints;
using JukeboxBridge.Checkpoints.Safetensors;
using JukeboxBridge.Model.Checkpoints;
using JukeboxBridge.TestSupport;
using static TorchSharp.torch;

namespace JukeboxBridge.Model.Tests;

/// <summary>TorchSharp runs here (the build's GLIBCXX fix) and checkpoint tensors arrive in it intact.</summary>
public class TorchTensorsTests
{
    private static readonly string Dir = Fixtures.Dir("checkpoints");

    [Fact]
    public void Torch_runs_a_real_op()
    {
        using var a = arange(6, ScalarType.Float32).reshape(2, 3);
        using var b = a.matmul(a.T);           // [[5, 14], [14, 50]]
        Assert.Equal(new float[] { 5, 14, 14, 50 }, b.data<float>().ToArray());
    }

    [Fact]
    public void Every_fixture_tensor_reaches_torch_with_the_reference_sum()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(Dir, "checkpoints.json"))
            .Replace("-Infinity", "null").Replace("Infinity", "null").Replace("NaN", "null"));
        var files = doc.RootElement.GetProperty("files");
        int n = 0;
        foreach (var file in files.EnumerateObject())
        {
            var set = doc.RootElement.GetProperty("tensor_sets").GetProperty(file.Value.GetProperty("tensor_set").GetString()!);
            bool st = file.Value.GetProperty("format").GetString() == "safetensors";
            using var ckpt = CheckpointFile.Open(Path.Combine(Dir, file.Name));
            foreach (var stored in ckpt.Tensors)
            {
                var want = set.GetProperty(st ? "model/" + stored.Name : stored.Name);
                using var scope = NewDisposeScope();
                var t = stored.ToTorch();
                Assert.Equal(want.GetProperty("dtype").GetString(), stored.DType.TorchName());
                Assert.Equal(stored.Shape, t.shape);
                double sum = t.to_type(ScalarType.Float64).sum().item<double>();
                double w = want.GetProperty("sum").GetDouble();
                Assert.True(Fixtures.Close(sum, w, 1e-12, 1e-6), $"{file.Name}:{stored.Name}: {sum} vs {w}");
                n++;
            }
        }
        Assert.True(n > 1000);
    }

    [Fact]
    public void Half_weights_cast_to_float32_exactly_and_round_trip_through_safetensors()
    {
        var file = Directory.GetFiles(Dir, "*.legacy.pth.tar").First(f => Path.GetFileName(f).StartsWith("reader_edge_cases"));
        using var ckpt = CheckpointFile.Open(file);
        var halves = ckpt.Tensors.Where(t => t.DType == DType.Float16).ToList();
        Assert.NotEmpty(halves);
        foreach (var h in halves)
        {
            using var f = h.ToTorch(ScalarType.Float32);
            Assert.Equal(ScalarType.Float32, f.dtype);
            Assert.Equal(h.ToDoubles().Select(d => (float)d), f.data<float>().ToArray());
        }

        using var dir = new TempDir();
        var path = dir.File("rt.safetensors");
        var tensors = ckpt.Tensors.Select(t => (t.Name, T: t.ToTorch())).ToList();
        SafetensorsWriter.Write(path, tensors.Select(x => TorchTensors.ToWrite(x.Name, x.T)));
        using var back = CheckpointFile.Open(path);
        foreach (var (name, t) in tensors)
        {
            Assert.Equal(ckpt[name].ToBytes(), back[name].ToBytes());
            t.Dispose();
        }
    }
}
