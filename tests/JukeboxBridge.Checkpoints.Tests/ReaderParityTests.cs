using System.Security.Cryptography;
using System.Text.Json;
using JukeboxBridge.TestSupport;

namespace JukeboxBridge.Checkpoints.Tests;

/// <summary>Every tensor of every fixture checkpoint, against what the reference's torch read from the same file.</summary>
[Trait("Category", "Parity")]
[Trait("Area", "Checkpoints")]
public class ReaderParityTests
{
    public static IEnumerable<object[]> Files() => CheckpointFixtures.FileNames();

    [Theory]
    [MemberData(nameof(Files))]
    public void Every_tensor_matches_names_dtypes_shapes_sums_and_bytes(string fileName)
    {
        var expected = CheckpointFixtures.ExpectedTensors(fileName);
        Assert.NotEmpty(expected);
        using var f = CheckpointFile.Open(Path.Combine(CheckpointFixtures.Dir, fileName));

        Assert.Equal(CheckpointFixtures.Files.GetProperty(fileName).GetProperty("format").GetString(), f.Format.Name());
        Assert.Equal(expected.Keys.OrderBy(k => k, StringComparer.Ordinal), f.Tensors.Select(t => t.Name).OrderBy(k => k, StringComparer.Ordinal));
        foreach (var t in f.Tensors)
        {
            var e = expected[t.Name];
            Assert.True(e.GetProperty("dtype").GetString() == t.DType.TorchName(), $"{t.Name}: dtype {t.DType.TorchName()}");
            Assert.Equal(e.GetProperty("shape").EnumerateArray().Select(x => x.GetInt64()), t.Shape);
            double want = e.GetProperty("sum").GetDouble(), got = t.Sum();
            Assert.True(Fixtures.Close(got, want, 1e-12, 1e-6), $"{t.Name}: sum {got} vs {want}");
            var first4 = e.GetProperty("first4").EnumerateArray().Select(x => x.GetDouble()).ToArray();
            Assert.Equal(first4, t.ToDoubles().Take(4).ToArray());
            string sha = Convert.ToHexString(SHA256.HashData(t.ToBytes())).ToLowerInvariant();
            Assert.True(e.GetProperty("sha256_le_bytes").GetString() == sha, $"{t.Name}: sha256 of the row-major bytes differs");
        }
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Metadata_step_and_hps_match(string fileName)
    {
        var info = CheckpointFixtures.Files.GetProperty(fileName);
        using var f = CheckpointFile.Open(Path.Combine(CheckpointFixtures.Dir, fileName));
        if (info.GetProperty("format").GetString() == "safetensors")
        {
            Assert.Null(f.Step);
            return;
        }
        Assert.Equal(info.GetProperty("step").GetInt64(), f.Step);
        var hps = JsonDocument.Parse(ToJson(f.Metadata.Get("hps"))).RootElement;
        AssertJsonEqual(info.GetProperty("hps"), hps, "hps");
        // Top-level keys: every non-tensor key survives (a None 'opt' stays, as None).
        foreach (var k in info.GetProperty("top_level").EnumerateObject())
            if (k.Name != "model") Assert.True(f.Metadata.TryGet(k.Name, out _), $"metadata lacks '{k.Name}'");
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Shared_storages_are_one_storage_and_legacy_records_are_where_torch_wrote_them(string fileName)
    {
        var info = CheckpointFixtures.Files.GetProperty(fileName);
        using var f = CheckpointFile.Open(Path.Combine(CheckpointFixtures.Dir, fileName));
        if (info.TryGetProperty("shared_storages", out var shared))
            foreach (var group in shared.EnumerateArray())
            {
                var storages = group.EnumerateArray().Select(n => f[n.GetString()!].Storage).ToList();
                Assert.All(storages, s => Assert.Equal(storages[0].ByteOffset, s.ByteOffset));
            }
        if (info.GetProperty("format").GetString() == "legacy")
        {
            var byKey = f.Tensors.Select(t => t.Storage).GroupBy(s => s.Key).ToDictionary(g => g.Key, g => g.First());
            foreach (var rec in info.GetProperty("storage_records").EnumerateArray())
            {
                var r = rec.EnumerateArray().ToArray();
                var s = byKey[r[0].GetString()!];
                Assert.Equal(r[2].GetInt64() + 8, s.ByteOffset);
                Assert.Equal(r[3].GetInt64(), s.NumElements);
            }
        }
    }

    internal static string ToJson(object? v)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms)) PyJson.Write(w, v);
        return System.Text.Encoding.UTF8.GetString(ms.ToArray());
    }

    /// <summary>Deep equality of the fixture's Python-made JSON and ours ("&lt;numpy.int64&gt; 5" is the number 5).</summary>
    internal static void AssertJsonEqual(JsonElement want, JsonElement got, string path)
    {
        if (want.ValueKind == JsonValueKind.String && want.GetString()!.StartsWith("<numpy."))
        {
            string num = want.GetString()!.Split(' ', 2)[1];
            Assert.True(got.ValueKind == JsonValueKind.Number && got.GetRawText() == num, $"{path}: {got} vs {want}");
            return;
        }
        if (want.ValueKind is JsonValueKind.True or JsonValueKind.False)
        {
            Assert.True(want.ValueKind == got.ValueKind, $"{path}: {got} vs {want}");
            return;
        }
        Assert.True(want.ValueKind == got.ValueKind, $"{path}: kind {got.ValueKind} vs {want.ValueKind}");
        switch (want.ValueKind)
        {
            case JsonValueKind.Object:
                Assert.Equal(want.EnumerateObject().Select(p => p.Name), got.EnumerateObject().Select(p => p.Name));
                foreach (var p in want.EnumerateObject()) AssertJsonEqual(p.Value, got.GetProperty(p.Name), path + "." + p.Name);
                break;
            case JsonValueKind.Array:
                var a = want.EnumerateArray().ToArray(); var b = got.EnumerateArray().ToArray();
                Assert.True(a.Length == b.Length, $"{path}: length {b.Length} vs {a.Length}");
                for (int i = 0; i < a.Length; i++) AssertJsonEqual(a[i], b[i], $"{path}[{i}]");
                break;
            case JsonValueKind.Number:
                Assert.True(want.GetDouble() == got.GetDouble(), $"{path}: {got} vs {want}");
                break;
            case JsonValueKind.String:
                Assert.True(want.GetString() == got.GetString(), $"{path}: {got} vs {want}");
                break;
        }
    }
}
