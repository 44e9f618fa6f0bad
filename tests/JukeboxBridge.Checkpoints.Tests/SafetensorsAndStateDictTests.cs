using JukeboxBridge.Checkpoints.Safetensors;
using JukeboxBridge.TestSupport;

namespace JukeboxBridge.Checkpoints.Tests;

public class SafetensorsAndStateDictTests
{
    private static IEnumerable<string> FilesOf(string format) => CheckpointFixtures.Files.EnumerateObject()
        .Where(p => p.Value.GetProperty("format").GetString() == format).Select(p => Path.Combine(CheckpointFixtures.Dir, p.Name));

    [Fact]
    public void Writer_round_trips_every_tensor_of_every_torch_fixture_including_views_and_metadata()
    {
        using var dir = new TempDir();
        var sources = FilesOf("legacy").Concat(FilesOf("zip")).ToList();
        Assert.NotEmpty(sources);
        foreach (var src in sources)
        {
            using var f = CheckpointFile.Open(src);
            var outPath = dir.File(Path.GetFileName(src) + ".safetensors");
            var meta = new Dictionary<string, string> { ["source"] = Path.GetFileName(src), ["format"] = "pt" };
            SafetensorsWriter.Write(outPath, f.Tensors.Select(t => TensorToWrite.FromStored(t)), meta);
            using var back = CheckpointFile.Open(outPath);
            Assert.Equal(CheckpointFormat.Safetensors, back.Format);
            Assert.Equal(Path.GetFileName(src), back.Metadata.Get("source"));
            Assert.Equal(f.Tensors.Select(t => t.Name), back.Tensors.Select(t => t.Name));
            foreach (var t in f.Tensors)
            {
                var b = back[t.Name];
                Assert.Equal(t.DType, b.DType);
                Assert.Equal(t.Shape, b.Shape);
                Assert.Equal(t.ToBytes(), b.ToBytes());
            }
        }
    }

    [Fact]
    public void State_dict_names_agree_across_formats_and_module_prefix()
    {
        // Group fixture files by tensor set: the same model saved in several layouts must map to the same names and bytes.
        var groups = CheckpointFixtures.Files.EnumerateObject()
            .GroupBy(p => p.Value.GetProperty("tensor_set").GetString()!.Replace("_module_prefix", ""));
        int compared = 0;
        foreach (var g in groups)
        {
            var files = g.Select(p => CheckpointFile.Open(Path.Combine(CheckpointFixtures.Dir, p.Name))).ToList();
            try
            {
                var dicts = files.Select(StateDict.FromCheckpoint).ToList();
                Assert.All(dicts[0].Keys, k => Assert.False(k.StartsWith("model/") || k.StartsWith("module.") || k.StartsWith("opt/")));
                foreach (var d in dicts.Skip(1))
                {
                    Assert.Equal(dicts[0].Keys.OrderBy(k => k, StringComparer.Ordinal), d.Keys.OrderBy(k => k, StringComparer.Ordinal));
                    foreach (var k in d.Keys) Assert.Equal(dicts[0][k].ToBytes(), d[k].ToBytes());
                    compared++;
                }
            }
            finally { files.ForEach(f => f.Dispose()); }
        }
        Assert.True(compared >= 3);
    }

    [Fact]
    public void Writer_rejects_duplicate_names_and_leaves_no_partial_file()
    {
        using var dir = new TempDir();
        var path = dir.File("dup.safetensors");
        var t = TensorToWrite.FromBytes("a", DType.Float32, new long[] { 1 }, new byte[4]);
        Assert.Throws<ArgumentException>(() => SafetensorsWriter.Write(path, new[] { t, t }));
        var bad = new TensorToWrite("b", DType.Float32, new long[] { 2 }, _ => throw new IOException("disk full"));
        Assert.Throws<IOException>(() => SafetensorsWriter.Write(path, new[] { bad }));
        Assert.Empty(Directory.GetFiles(dir.Path));
    }
}
