using JukeboxBridge.Errors;
using JukeboxBridge.Audio.Datasets;
using JukeboxBridge.Audio.Wav;
using JukeboxBridge.Synth.Music;

namespace JukeboxBridge.Synth;

/// <summary>
/// Writes a synthetic music dataset: pieces of <c>pieceSeconds</c> until <c>hours</c> are reached, genres and artists
/// taken in turn so every combination is equally common, keys and tempi drawn from each piece's seed; every
/// <c>heldoutEvery</c>-th piece is held out for evaluation. WAVs (16-bit, 44.1 kHz mono) + metadata.json.
/// </summary>
public static class SynthDataset
{
    /// <param name="onlySplit">Write only the pieces of this split (e.g. "heldout" to evaluate a model without its training data).</param>
    public static DatasetMetadata Write(string dir, double hours, double pieceSeconds = 30, int seed = 0, int heldoutEvery = 10,
                                        IProgress<(int Done, int Total)>? progress = null, string? onlySplit = null)
    {
        if (hours <= 0 || pieceSeconds <= 0) throw new UserInputException("--hours", "hours and piece seconds must be positive");
        int count = Math.Max(1, (int)Math.Ceiling(hours * 3600 / pieceSeconds));
        Directory.CreateDirectory(dir);
        DatasetEntry[] entries;
        int done = 0;
        // One piece in every heldoutEvery, on a diagonal (the r-th run of heldoutEvery pieces gives up its (r mod
        // heldoutEvery)-th), so that held-out pieces cycle through the genres (i mod 5) and artists instead of always
        // landing on the same ones; "every 10th piece" held out only waltzes.
        string SplitOf(int i) => heldoutEvery > 0 && i % heldoutEvery == i / heldoutEvery % heldoutEvery ? "heldout" : "train";
        var chosen = Enumerable.Range(0, count).Where(i => onlySplit is null || SplitOf(i) == onlySplit).ToArray();
        entries = new DatasetEntry[chosen.Length];
        Parallel.For(0, chosen.Length, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, c =>
        {
            int i = chosen[c];
            var genre = GenreStyle.All[i % GenreStyle.All.Count];
            var artist = Artist.All[i / GenreStyle.All.Count % Artist.All.Count];
            int pieceSeed = seed * 1_000_003 + i;
            var (audio, info) = PieceGenerator.Generate(pieceSeed, pieceSeconds, genre.Name, artist.Name);
            string split = SplitOf(i);
            string file = Path.Combine(split, $"{i:D5}_{genre.Name}_{artist.Name}.wav");
            Directory.CreateDirectory(Path.Combine(dir, split));
            WavWriter.Write(Path.Combine(dir, file), audio, WavSampleFormat.Pcm16);
            entries[c] = new DatasetEntry(file.Replace('\\', '/'), split, info.Seed, info.Genre, info.Artist, info.Tempo, info.Key, info.Bars, info.BeatsPerBar, info.Seconds);
            progress?.Report((Interlocked.Increment(ref done), chosen.Length));
        });
        var meta = new DatasetMetadata(PieceGenerator.SampleRate, GenreStyle.All.Select(g => g.Name).ToList(), Artist.All.Select(a => a.Name).ToList(), entries);
        File.WriteAllText(Path.Combine(dir, DatasetMetadata.FileName), meta.ToJson());
        return meta;
    }
}
