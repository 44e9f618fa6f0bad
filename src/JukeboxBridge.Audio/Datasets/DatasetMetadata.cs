using JukeboxBridge.Errors;
using System.Text.Json;

namespace JukeboxBridge.Audio.Datasets;

/// <summary>One file of a labelled dataset, as listed in its metadata.json (path relative to the dataset folder).</summary>
public sealed record DatasetEntry(string File, string Split, int Seed, string Genre, string Artist, double Tempo, string Key, int Bars, int BeatsPerBar, double Seconds);

/// <summary>
/// metadata.json of a labelled audio dataset: every file with its split (train / heldout), genre, artist, tempo and key.
/// `jukebox dataset synth` writes one; producers can write their own for their catalogue.
/// </summary>
public sealed record DatasetMetadata(int SampleRate, IReadOnlyList<string> Genres, IReadOnlyList<string> Artists, IReadOnlyList<DatasetEntry> Pieces)
{
    public const string FileName = "metadata.json";
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, WriteIndented = true };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static DatasetMetadata Load(string dir)
    {
        string path = Path.Combine(dir, FileName);
        if (!File.Exists(path)) throw new FileNotFoundException($"{dir} has no {FileName} (make one with `jukebox dataset synth`)", path);
        return JsonSerializer.Deserialize<DatasetMetadata>(File.ReadAllText(path), Json) ?? throw new UserInputException(path, $"{path} is empty");
    }
}
