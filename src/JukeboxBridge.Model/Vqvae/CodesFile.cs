using JukeboxBridge.Checkpoints;
using JukeboxBridge.Checkpoints.Safetensors;
using JukeboxBridge.Model.Checkpoints;
using static TorchSharp.torch;

namespace JukeboxBridge.Model.Vqvae;

/// <summary>
/// VQ-VAE codes on disk: safetensors with <c>codes/level_L</c> (int64, [batch, tokens]) and metadata
/// naming the model, its hops and sample rate, and the audio length they came from. Sampling jobs add their
/// own metadata (<see cref="Extra"/>, e.g. settings and progress) and tensors (<see cref="ExtraTensors"/>, e.g. labels).
/// </summary>
public sealed record CodesFile(IReadOnlyDictionary<int, Tensor> Levels, string Model, int[] HopLengths, int SampleRate, long? AudioSamples) : IDisposable
{
    public static string Key(int level) => $"codes/level_{level}";

    /// <summary>The model the codes name, when it still exists there (null otherwise: the caller picks a default).</summary>
    public string? ExistingModel => Model.Length > 0 && (File.Exists(Model) || Directory.Exists(Model)) ? Model : null;

    /// <summary>Seconds at the start a sampling job was given rather than sampled (its prompt); 0 for plain encoded codes.</summary>
    public double PromptSeconds => Extra.TryGetValue("jukebox.job.prompt_samples", out var ps) && long.TryParse(ps, out long n) ? n / (double)SampleRate : 0;

    /// <summary>More metadata strings (keys other than the jukebox.* ones this record owns).</summary>
    public IReadOnlyDictionary<string, string> Extra { get; init; } = new Dictionary<string, string>();
    /// <summary>More tensors, stored under their names (which must not start with codes/).</summary>
    public IReadOnlyDictionary<string, Tensor> ExtraTensors { get; init; } = new Dictionary<string, Tensor>();

    private static readonly string[] OwnKeys = ["jukebox.kind", "jukebox.model", "jukebox.hop_lengths", "jukebox.sample_rate", "jukebox.levels", "jukebox.audio_samples"];

    public void Save(string path)
    {
        var meta = new Dictionary<string, string>(Extra)
        {
            ["jukebox.kind"] = "vqvae_codes",
            ["jukebox.model"] = Model,
            ["jukebox.hop_lengths"] = string.Join(",", HopLengths),
            ["jukebox.sample_rate"] = SampleRate.ToString(),
            ["jukebox.levels"] = string.Join(",", Levels.Keys.OrderBy(l => l)),
        };
        if (AudioSamples is long n) meta["jukebox.audio_samples"] = n.ToString();
        var codes = Levels.OrderBy(kv => kv.Key).Select(kv => TorchTensors.ToWrite(Key(kv.Key), kv.Value.to_type(ScalarType.Int64)));
        var extra = ExtraTensors.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => TorchTensors.ToWrite(kv.Key, kv.Value));
        SafetensorsWriter.Write(path, codes.Concat(extra), meta);
    }

    /// <summary>Saves durably and atomically (SafetensorsWriter writes a temporary file, fsyncs it and renames it over).</summary>
    public void SaveAtomic(string path) => Save(path);

    public static CodesFile Load(string path)
    {
        using var f = CheckpointFile.Open(path);
        var levels = new Dictionary<int, Tensor>();
        var extraTensors = new Dictionary<string, Tensor>();
        foreach (var t in f.Tensors)
        {
            if (!t.Name.StartsWith("codes/"))
            {
                extraTensors[t.Name] = t.ToTorch();
                continue;
            }
            if (!t.Name.StartsWith("codes/level_") || !int.TryParse(t.Name["codes/level_".Length..], out int l)) continue;
            if (t.Shape.Length != 2) throw new CheckpointFormatException($"{Path.GetFileName(path)}: {t.Name} must be [batch, tokens], is [{string.Join(", ", t.Shape)}]");
            levels[l] = t.ToTorch(ScalarType.Int64);
        }
        if (levels.Count == 0)
        {
            foreach (var t in extraTensors.Values) t.Dispose();
            throw new CheckpointFormatException($"{Path.GetFileName(path)}: no codes/level_N tensors (not a codes file)");
        }
        string? Meta(string k) => f.Metadata.Get(k) as string;
        int[] hops = Meta("jukebox.hop_lengths")?.Split(',').Select(int.Parse).ToArray() ?? Array.Empty<int>();
        var extra = f.Metadata.Items.Where(kv => kv.Key is string k && !OwnKeys.Contains(k) && kv.Value is string)
                                    .ToDictionary(kv => (string)kv.Key, kv => (string)kv.Value!);
        return new CodesFile(levels, Meta("jukebox.model") ?? "", hops,
            int.TryParse(Meta("jukebox.sample_rate"), out var sr) ? sr : 44100,
            long.TryParse(Meta("jukebox.audio_samples"), out var n) ? n : null)
        { Extra = extra, ExtraTensors = extraTensors };
    }

    public void Dispose()
    {
        foreach (var t in Levels.Values) t.Dispose();
        foreach (var t in ExtraTensors.Values) t.Dispose();
    }
}
