using JukeboxBridge.Checkpoints;
using JukeboxBridge.Checkpoints.Safetensors;
using JukeboxBridge.Model.Checkpoints;
using static TorchSharp.torch;

namespace JukeboxBridge.Model.Vqvae;

/// <summary>
/// VQ-VAE codes on disk: safetensors with <c>codes/level_L</c> (int64, [batch, tokens]) and metadata
/// naming the model, its hops and sample rate, and the audio length they came from.
/// </summary>
public sealed record CodesFile(IReadOnlyDictionary<int, Tensor> Levels, string Model, int[] HopLengths, int SampleRate, long? AudioSamples) : IDisposable
{
    public static string Key(int level) => $"codes/level_{level}";

    public void Save(string path)
    {
        var meta = new Dictionary<string, string>
        {
            ["jukebox.kind"] = "vqvae_codes",
            ["jukebox.model"] = Model,
            ["jukebox.hop_lengths"] = string.Join(",", HopLengths),
            ["jukebox.sample_rate"] = SampleRate.ToString(),
            ["jukebox.levels"] = string.Join(",", Levels.Keys.OrderBy(l => l)),
        };
        if (AudioSamples is long n) meta["jukebox.audio_samples"] = n.ToString();
        SafetensorsWriter.Write(path, Levels.OrderBy(kv => kv.Key).Select(kv => TorchTensors.ToWrite(Key(kv.Key), kv.Value.to_type(ScalarType.Int64))), meta);
    }

    public static CodesFile Load(string path)
    {
        using var f = CheckpointFile.Open(path);
        var levels = new Dictionary<int, Tensor>();
        foreach (var t in f.Tensors)
        {
            if (!t.Name.StartsWith("codes/level_") || !int.TryParse(t.Name["codes/level_".Length..], out int l)) continue;
            if (t.Shape.Length != 2) throw new CheckpointFormatException($"{Path.GetFileName(path)}: {t.Name} must be [batch, tokens], is [{string.Join(", ", t.Shape)}]");
            levels[l] = t.ToTorch(ScalarType.Int64);
        }
        if (levels.Count == 0) throw new CheckpointFormatException($"{Path.GetFileName(path)}: no codes/level_N tensors (not a codes file)");
        string? Meta(string k) => f.Metadata.Get(k) as string;
        int[] hops = Meta("jukebox.hop_lengths")?.Split(',').Select(int.Parse).ToArray() ?? Array.Empty<int>();
        return new CodesFile(levels, Meta("jukebox.model") ?? "", hops,
            int.TryParse(Meta("jukebox.sample_rate"), out var sr) ? sr : 44100,
            long.TryParse(Meta("jukebox.audio_samples"), out var n) ? n : null);
    }

    public void Dispose()
    {
        foreach (var t in Levels.Values) t.Dispose();
    }
}
