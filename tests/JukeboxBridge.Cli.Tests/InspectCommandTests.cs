using System.Text.Json;
using JukeboxBridge.TestSupport;

namespace JukeboxBridge.Cli.Tests;

/// <summary>`jukebox inspect --json` against checkpoints.json: names as stored, dtypes, shapes exact; sums to 1e-6 relative.</summary>
[Trait("Category", "Parity")]
[Trait("Area", "Checkpoints")]
public class InspectCommandTests
{
    private static readonly string Dir = Fixtures.Dir("checkpoints");

    public static IEnumerable<object[]> Files()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(Dir, "checkpoints.json")).Replace("Infinity", "0").Replace("NaN", "0"));
        return doc.RootElement.GetProperty("files").EnumerateObject().Select(p => new object[] { p.Name }).ToList();
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Json_listing_matches_the_reference(string file)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(Dir, "checkpoints.json")).Replace("-Infinity", "0").Replace("Infinity", "0").Replace("NaN", "0"));
        var info = doc.RootElement.GetProperty("files").GetProperty(file);
        var set = doc.RootElement.GetProperty("tensor_sets").GetProperty(info.GetProperty("tensor_set").GetString()!);
        string format = info.GetProperty("format").GetString()!;

        var (code, stdout, stderr) = CliRunner.Run("inspect", Path.Combine(Dir, file), "--json");
        Assert.True(code == 0, stderr);
        using var got = JsonDocument.Parse(stdout);
        Assert.Equal(format, got.RootElement.GetProperty("format").GetString());
        var tensors = got.RootElement.GetProperty("tensors").EnumerateArray().ToList();
        var want = set.EnumerateObject().Where(p => format != "safetensors" || p.Name.StartsWith("model/"))
            .ToDictionary(p => format == "safetensors" ? p.Name["model/".Length..] : p.Name, p => p.Value);
        Assert.Equal(want.Count, tensors.Count);
        foreach (var t in tensors)
        {
            var name = t.GetProperty("name").GetString()!;
            Assert.True(want.ContainsKey(name), $"unexpected tensor '{name}'");
            var w = want[name];
            Assert.Equal(w.GetProperty("dtype").GetString(), t.GetProperty("dtype").GetString());
            Assert.Equal(w.GetProperty("shape").EnumerateArray().Select(x => x.GetInt64()), t.GetProperty("shape").EnumerateArray().Select(x => x.GetInt64()));
            Assert.True(Fixtures.Close(t.GetProperty("sum").GetDouble(), w.GetProperty("sum").GetDouble(), 1e-12, 1e-6), name);
        }
        if (format != "safetensors")
        {
            var meta = got.RootElement.GetProperty("metadata");
            Assert.Equal(info.GetProperty("step").GetInt64(), meta.GetProperty("step").GetInt64());
            Assert.Equal(JsonValueKind.Object, meta.GetProperty("hps").ValueKind);
        }
    }

    [Fact]
    public void Text_listing_names_the_format_and_every_tensor()
    {
        var file = Directory.GetFiles(Dir, "*module_prefix*").First();
        var (code, stdout, _) = CliRunner.Run("inspect", file);
        Assert.Equal(0, code);
        Assert.Contains("format:  legacy", stdout);
        Assert.Contains("model/module.encoders.0.level_blocks.0.model.0.0.weight", stdout);
    }

    [Fact]
    public void A_hostile_or_missing_file_is_one_clear_error_line()
    {
        using var dir = new TempDir();
        var evil = dir.File("evil.pth");
        using (var zip = System.IO.Compression.ZipFile.Open(evil, System.IO.Compression.ZipArchiveMode.Create))
        using (var s = zip.CreateEntry("archive/data.pkl", System.IO.Compression.CompressionLevel.NoCompression).Open())
            s.Write(new byte[] { 0x80, 0x02 }.Concat("cposix\nsystem\n"u8.ToArray()).Concat(new byte[] { (byte)')', (byte)'R', (byte)'.' }).ToArray());
        var (code, stdout, stderr) = CliRunner.Run("inspect", evil, "--json");
        Assert.Equal(1, code);
        Assert.Equal("", stdout);
        Assert.Contains("posix.system", stderr);

        (code, _, stderr) = CliRunner.Run("inspect", dir.File("nope.pth.tar"));
        Assert.Equal(1, code);
        Assert.Contains("not found", stderr);
    }
}

public class StylesCommandTests
{
    [Fact]
    public void Search_and_list_read_the_users_id_tables()
    {
        var (code, stdout, err) = CliRunner.Run("styles", "search", "beatles", "--ids", Fixtures.Dir("ids"), "--version", "v2");
        Assert.True(code == 0, err);
        Assert.Contains("the_beatles", stdout);
        (code, stdout, _) = CliRunner.Run("styles", "names", "--ids", Fixtures.Dir("ids"), "--version", "v3", "--kind", "genres");
        Assert.Equal(0, code);
        Assert.Contains("blues rock", stdout);
        (code, _, err) = CliRunner.Run("styles", "names", "--ids", "", "--version", "v2");
        Assert.Equal(1, code);
        Assert.Contains("--ids", err);
    }
}
