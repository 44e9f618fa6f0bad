using System.Text.Json;
using JukeboxBridge.Checkpoints;
using JukeboxBridge.Checkpoints.Safetensors;
using JukeboxBridge.Model.Vqvae;

namespace JukeboxBridge.Sampling.Jobs;

/// <summary>A job's lifecycle as written to job.json.</summary>
public sealed record JobStatus(string State, string? Error = null, DateTimeOffset? Updated = null)
{
    public const string Running = "running", Cancelled = "cancelled", Failed = "failed", Done = "done";
}

/// <summary>
/// A job's folder. Everything is written before it is reported and replaced atomically and durably (temporary file,
/// fsync, rename, fsync of the folder: Storage.AtomicFile),
/// so a crash at any point leaves a folder a job resumes from:
/// <code>
/// settings.json          what the job does (JobSettings)
/// job.json               running | cancelled | failed | done, with the error
/// codes.safetensors      codes/level_L [variations, tokens], labels, window plan and progress (JobState)
/// blocks/000000.safetensors …   streamed audio blocks: "audio" [variations, samples] float32, seq and offset
/// take-1.wav, take-1.png …     the finished takes (prompt + continuation) and their pictures
/// </code>
/// </summary>
public sealed class TakeStore
{
    public string Dir { get; }
    public string SettingsPath => Path.Combine(Dir, "settings.json");
    public string StatusPath => Path.Combine(Dir, "job.json");
    public string CodesPath => Path.Combine(Dir, "codes.safetensors");
    public string BlocksDir => Path.Combine(Dir, "blocks");
    public string TakeWav(int variation) => Path.Combine(Dir, $"take-{variation + 1}.wav");
    public string TakePng(int variation) => Path.Combine(Dir, $"take-{variation + 1}.png");
    public string BlockPath(int seq) => Path.Combine(BlocksDir, $"{seq:D6}.safetensors");

    private TakeStore(string dir) => Dir = Path.GetFullPath(dir);

    /// <summary>
    /// A new job folder. One that already holds a job is refused (resume it, or choose another folder) unless
    /// <paramref name="overwrite"/>: then that job's files (and only those) are deleted first.
    /// </summary>
    public static TakeStore Create(string dir, bool overwrite = false)
    {
        var store = new TakeStore(dir);
        if (File.Exists(store.SettingsPath) && overwrite) store.DeleteJobFiles();
        if (File.Exists(store.SettingsPath))
            throw new IOException($"{store.Dir} already holds a job: resume it with `jukebox resume {dir}`, choose another --out, or add --overwrite");
        if (File.Exists(store.Dir)) throw new IOException($"--out {dir} is a file; it must be a folder for the takes");
        Directory.CreateDirectory(store.BlocksDir);
        return store;
    }

    private void DeleteJobFiles()
    {
        foreach (var f in new[] { SettingsPath, StatusPath, CodesPath }) File.Delete(f);
        foreach (var f in Directory.GetFiles(Dir, "take-*.wav").Concat(Directory.GetFiles(Dir, "take-*.png"))) File.Delete(f);
        if (Directory.Exists(BlocksDir))
            foreach (var f in Directory.GetFiles(BlocksDir, "*.safetensors*")) File.Delete(f);
    }

    /// <summary>An existing job folder.</summary>
    public static TakeStore Open(string dir)
    {
        var store = new TakeStore(dir);
        if (!Directory.Exists(store.Dir)) throw new DirectoryNotFoundException($"no job folder at {dir}");
        if (!File.Exists(store.SettingsPath) || !File.Exists(store.CodesPath))
            throw new FileNotFoundException($"{dir} is not a job folder (settings.json and codes.safetensors are written when a job starts)", store.SettingsPath);
        Directory.CreateDirectory(store.BlocksDir);
        return store;
    }

    public void WriteSettings(JobSettings s) => WriteText(SettingsPath, s.ToJson());
    public JobSettings ReadSettings() => JobSettings.FromJson(File.ReadAllText(SettingsPath));

    public void WriteStatus(JobStatus s) => WriteStatus(Dir, s);
    public JobStatus? ReadStatus() => ReadStatus(Dir);

    /// <summary>job.json of a job folder, also one without settings or codes yet (a job cancelled or failed before it started).</summary>
    public static void WriteStatus(string dir, JobStatus s) =>
        WriteText(Path.Combine(dir, "job.json"), JsonSerializer.Serialize(s with { Updated = DateTimeOffset.UtcNow }, StatusJson));
    public static JobStatus? ReadStatus(string dir) =>
        File.Exists(Path.Combine(dir, "job.json")) ? JsonSerializer.Deserialize<JobStatus>(File.ReadAllText(Path.Combine(dir, "job.json")), StatusJson) : null;

    public void WriteCodes(CodesFile codes) => codes.SaveAtomic(CodesPath);
    public CodesFile ReadCodes() => CodesFile.Load(CodesPath);

    public void WriteBlock(DecodedBlock b)
    {
        int n = b.Audio.Length, len = b.Audio[0].Length;
        var bytes = new byte[(long)n * len * 4];
        for (int i = 0; i < n; i++) Buffer.BlockCopy(b.Audio[i], 0, bytes, i * len * 4, len * 4);
        var meta = new Dictionary<string, string>
        {
            ["jukebox.kind"] = "audio_block", ["seq"] = b.Seq.ToString(), ["sample_offset"] = b.SampleOffset.ToString(), ["sample_rate"] = b.SampleRate.ToString(),
        };
        SafetensorsWriter.Write(BlockPath(b.Seq), new[] { TensorToWrite.FromBytes("audio", DType.Float32, new long[] { n, len }, bytes) }, meta);
    }

    public DecodedBlock ReadBlock(int seq)
    {
        using var f = CheckpointFile.Open(BlockPath(seq));
        var t = f.Tensors.FirstOrDefault(x => x.Name == "audio") ?? throw new CheckpointFormatException($"block {seq} has no audio tensor");
        if (t.DType != DType.Float32 || t.Shape.Length != 2) throw new CheckpointFormatException($"block {seq}: audio must be float32 [variations, samples]");
        int n = (int)t.Shape[0], len = (int)t.Shape[1];
        var all = new float[(long)n * len];
        t.CopyTo(System.Runtime.InteropServices.MemoryMarshal.AsBytes(all.AsSpan()));
        var rows = new float[n][];
        for (int i = 0; i < n; i++) rows[i] = all.AsSpan(i * len, len).ToArray();
        long M(string k) => long.Parse(f.Metadata.Get(k) as string ?? throw new CheckpointFormatException($"block {seq} has no {k}"));
        return new DecodedBlock((int)M("seq"), M("sample_offset"), rows, (int)M("sample_rate"));
    }

    /// <summary>How many blocks exist in sequence from 0 (a gap ends the count: later blocks are decoded again).</summary>
    public int CountBlocks()
    {
        int n = 0;
        while (File.Exists(BlockPath(n))) n++;
        return n;
    }

    private static void WriteText(string path, string text) => JukeboxBridge.Storage.AtomicFile.WriteAllText(path, text);

    /// <summary>A take's picture, written like every other file of the folder.</summary>
    public void WriteTakePng(int variation, byte[] png) => JukeboxBridge.Storage.AtomicFile.WriteAllBytes(TakePng(variation), png);

    private static readonly JsonSerializerOptions StatusJson = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, WriteIndented = true };
}
