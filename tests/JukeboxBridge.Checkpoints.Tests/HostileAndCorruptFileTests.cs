using System.IO.Compression;
using System.Text;
using JukeboxBridge.TestSupport;

namespace JukeboxBridge.Checkpoints.Tests;

/// <summary>Files that must be refused with an error naming the problem, never executed or half-read.</summary>
public class HostileAndCorruptFileTests
{
    private static string Fixture(string format) =>
        Path.Combine(CheckpointFixtures.Dir, CheckpointFixtures.Files.EnumerateObject()
            .First(p => p.Value.GetProperty("format").GetString() == format).Name);

    /// <summary>The first three pickles of a real legacy file (magic, version, system info), then our own object pickle.</summary>
    private static byte[] LegacyWithObjectPickle(byte[] objectPickle)
    {
        var head = File.ReadAllBytes(Fixture("legacy"));
        int sysEnd = 137; // checked below against the fixture's section table
        var sections = CheckpointFixtures.Files.EnumerateObject().First(p => p.Value.GetProperty("format").GetString() == "legacy")
            .Value.GetProperty("sections").EnumerateArray().ToList();
        Assert.Equal(sysEnd, sections.First(s => s.GetProperty("what").GetString() == "sys_info").GetProperty("end").GetInt32());
        return head.Take(sysEnd).Concat(objectPickle).ToArray();
    }

    // PROTO 2; GLOBAL 'os system'; SHORT_BINUNICODE 'echo pwned'; TUPLE1; REDUCE; STOP
    private static readonly byte[] OsSystem = new byte[] { 0x80, 0x02 }
        .Concat(Encoding.ASCII.GetBytes("cos\nsystem\n"))
        .Concat(new byte[] { 0x8c, 10 }).Concat(Encoding.ASCII.GetBytes("echo pwned"))
        .Concat(new byte[] { 0x85, (byte)'R', (byte)'.' }).ToArray();

    [Fact]
    public void Os_system_in_a_legacy_pickle_is_refused_by_name()
    {
        using var dir = new TempDir();
        var path = dir.File("evil.pth.tar");
        File.WriteAllBytes(path, LegacyWithObjectPickle(OsSystem));
        var e = Assert.Throws<UnsafePickleException>(() => CheckpointFile.Open(path));
        Assert.Contains("os.system", e.Message);
    }

    [Fact]
    public void Os_system_in_a_zip_pickle_is_refused_by_name()
    {
        using var dir = new TempDir();
        var path = dir.File("evil.pth");
        using (var zip = ZipFile.Open(path, ZipArchiveMode.Create))
        {
            using (var s = zip.CreateEntry("archive/data.pkl", CompressionLevel.NoCompression).Open()) s.Write(OsSystem);
            using (var s = zip.CreateEntry("archive/version", CompressionLevel.NoCompression).Open()) s.Write("3\n"u8);
        }
        var e = Assert.Throws<UnsafePickleException>(() => CheckpointFile.Open(path));
        Assert.Contains("os.system", e.Message);
    }

    [Theory]
    [InlineData("builtins", "eval")]
    [InlineData("subprocess", "Popen")]
    [InlineData("torch", "load")]
    public void Other_globals_are_refused(string module, string name)
    {
        using var dir = new TempDir();
        var path = dir.File("evil.pth.tar");
        var pickle = new byte[] { 0x80, 0x02 }.Concat(Encoding.ASCII.GetBytes($"c{module}\n{name}\n")).Concat(new byte[] { (byte)'.' }).ToArray();
        File.WriteAllBytes(path, LegacyWithObjectPickle(pickle));
        var e = Assert.Throws<UnsafePickleException>(() => CheckpointFile.Open(path));
        Assert.Contains($"{module}.{name}", e.Message);
    }

    [Fact]
    public void An_unknown_opcode_is_refused_by_name()
    {
        using var dir = new TempDir();
        var path = dir.File("inst.pth.tar");
        // INST ('i') builds an instance of a named class: never allowed.
        var pickle = new byte[] { 0x80, 0x02, (byte)'(' }.Concat(Encoding.ASCII.GetBytes("ios\nsystem\n.")).ToArray();
        File.WriteAllBytes(path, LegacyWithObjectPickle(pickle));
        var e = Assert.Throws<UnsafePickleException>(() => CheckpointFile.Open(path));
        Assert.Contains("opcode 0x69", e.Message);
    }

    [Theory]
    [InlineData("legacy")]
    [InlineData("zip")]
    [InlineData("safetensors")]
    public void Truncated_files_give_a_format_error(string format)
    {
        using var dir = new TempDir();
        var bytes = File.ReadAllBytes(Fixture(format));
        foreach (double frac in new[] { 0.999, 0.6, 0.3, 0.01 })
        {
            var path = dir.File($"cut{frac}");
            File.WriteAllBytes(path, bytes.Take((int)(bytes.Length * frac)).ToArray());
            var e = Assert.ThrowsAny<CheckpointFormatException>(() => { using var f = CheckpointFile.Open(path); });
            Assert.False(string.IsNullOrWhiteSpace(e.Message));
        }
    }

    [Fact]
    public void Wrong_magic_number_is_named()
    {
        using var dir = new TempDir();
        var bytes = File.ReadAllBytes(Fixture("legacy"));
        bytes[5] ^= 0xff; // inside the LONG1 magic
        var path = dir.File("badmagic.pth.tar");
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<CheckpointFormatException>(() => CheckpointFile.Open(path));
        Assert.Contains("magic", e.Message);
    }

    [Fact]
    public void Unknown_file_and_empty_file_are_named()
    {
        using var dir = new TempDir();
        var wav = dir.File("song.wav");
        File.WriteAllBytes(wav, Encoding.ASCII.GetBytes("RIFF\x24\0\0\0WAVEfmt more bytes here"));
        Assert.Contains("not a checkpoint", Assert.Throws<CheckpointFormatException>(() => CheckpointFile.Open(wav)).Message);
        var empty = dir.File("empty.pth");
        File.WriteAllBytes(empty, Array.Empty<byte>());
        Assert.Contains("too short", Assert.Throws<CheckpointFormatException>(() => CheckpointFile.Open(empty)).Message);
        Assert.Throws<FileNotFoundException>(() => CheckpointFile.Open(dir.File("missing.pth")));
    }

    [Fact]
    public void A_tensor_that_reads_past_its_storage_is_refused()
    {
        using var dir = new TempDir();
        var path = dir.File("overrun.safetensors");
        var header = "{\"w\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,8]}}";
        while ((header.Length) % 8 != 0) header += " ";
        var bytes = BitConverter.GetBytes((ulong)header.Length).Concat(Encoding.ASCII.GetBytes(header)).Concat(new byte[8]).ToArray();
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<CheckpointFormatException>(() => CheckpointFile.Open(path));
        Assert.Contains("'w'", e.Message);
    }
}

public class DeepNestingTests
{
    [Fact]
    public void A_deeply_nested_pickle_is_refused_not_a_stack_overflow()
    {
        using var dir = new TempDir();
        // PROTO 2, then 100000 x EMPTY_LIST with APPEND chaining each into the previous: [[[[...]]]]
        var body = new List<byte> { 0x80, 0x02 };
        const int depth = 100_000;
        for (int i = 0; i < depth; i++) body.Add((byte)']');
        for (int i = 0; i < depth - 1; i++) body.Add((byte)'a');
        body.Add((byte)'.');
        var path = dir.File("deep.pth");
        using (var zip = ZipFile.Open(path, ZipArchiveMode.Create))
        using (var s = zip.CreateEntry("archive/data.pkl", CompressionLevel.NoCompression).Open())
            s.Write(body.ToArray());
        var e = Assert.ThrowsAny<CheckpointFormatException>(() => CheckpointFile.Open(path));
        Assert.Contains("nested", e.Message);
    }

    private static string ZipWith(TempDir dir, string name, byte[] pickle)
    {
        var path = dir.File(name);
        using (var zip = ZipFile.Open(path, ZipArchiveMode.Create))
        using (var s = zip.CreateEntry("archive/data.pkl", CompressionLevel.NoCompression).Open())
            s.Write(pickle);
        return path;
    }

    [Fact]
    public void A_tuple_nested_100000_deep_as_a_dict_key_is_refused_quickly_not_a_stack_overflow()
    {
        using var dir = new TempDir();
        // PROTO 2, EMPTY_DICT, EMPTY_TUPLE, 100000 x TUPLE1 (the key), BININT1 1 (the value), SETITEM, STOP
        var body = new List<byte> { 0x80, 0x02, (byte)'}', (byte)')' };
        for (int i = 0; i < 100_000; i++) body.Add(0x85);
        body.AddRange(new byte[] { (byte)'K', 1, (byte)'s', (byte)'.' });
        var sw = System.Diagnostics.Stopwatch.StartNew();
        try
        {
            using var f = CheckpointFile.Open(ZipWith(dir, "deep-key.pth", body.ToArray()));
            // If it opens, the key was only written out shortened, never walked in full.
            Assert.All(f.Metadata.Items, kv => Assert.True(ObjectTreeKeyLength(kv.Key) < 10_000));
        }
        catch (CheckpointFormatException) { }
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(5), $"took {sw.Elapsed.TotalSeconds:F1} s");
    }

    private static int ObjectTreeKeyLength(object k) => Pickle.PyRepr.Of(k).Length;

    [Fact]
    public void A_shared_list_dag_that_doubles_90_times_is_refused_within_a_second()
    {
        using var dir = new TempDir();
        // L0 = []; L(i+1) = [L(i), L(i)] through the memo (POP, then BINGET twice, BINPUT): 2^90 paths from 900 bytes.
        var body = new List<byte> { 0x80, 0x02, (byte)']', (byte)'q', 0 };
        for (int i = 1; i <= 90; i++)
            body.AddRange(new byte[] { (byte)'0', (byte)']', (byte)'h', (byte)(i - 1), (byte)'a', (byte)'h', (byte)(i - 1), (byte)'a', (byte)'q', (byte)i });
        body.Add((byte)'.');
        var sw = System.Diagnostics.Stopwatch.StartNew();
        var e = Assert.ThrowsAny<CheckpointFormatException>(() => CheckpointFile.Open(ZipWith(dir, "dag.pth", body.ToArray())));
        Assert.Contains("more than 1,000,000 objects", e.Message);
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(3), $"took {sw.Elapsed.TotalSeconds:F1} s");
    }
}
