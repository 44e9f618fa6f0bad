using JukeboxBridge.Errors;
using JukeboxBridge.Model.Labels;
using JukeboxBridge.Model.Lyrics;
using static TorchSharp.torch;

namespace JukeboxBridge.Sampling.Conditioning;

/// <summary>
/// The label rows (artist, genre, timing, lyric window) of each labelled prior in a bundle, for a song of a given
/// length, repeated for every variation; and the full lyric tokens the sampler re-windows per window.
/// </summary>
public static class StyleLabels
{
    /// <summary>The id tables a labelled prior reads: 1b_lyrics (79-letter vocabulary, v3 artists) the v3 ones; 5b and 5b_lyrics (and ours) v2.</summary>
    public static string TableVersion(JukeboxBridge.Model.Prior.PriorOptions o) =>
        o.UseTokens && o.NVocab == 79 ? "v3" : o.GenreArtistBins.Artists > 5000 ? "v3" : "v2";

    public sealed record Result(Tensor?[] Labels, IReadOnlyList<long[]>?[] Lyrics, IReadOnlyList<string> Warnings);

    /// <param name="idsDir">Folder with OpenAI's id tables (ids/v2, ids/v3 …), needed when any prior is labelled.</param>
    public static Result Build(ModelBundle bundle, string? artist, string? genre, string? lyricsText, long songSamples, long offsetSamples,
                               int variations, string? idsDir) =>
        Build(bundle, Enumerable.Repeat((artist, genre), variations).ToList(), lyricsText, songSamples, offsetSamples, idsDir);

    /// <summary>Label rows with an artist and genre per row (e.g. an evaluation batching several prompts and styles).</summary>
    public static Result Build(ModelBundle bundle, IReadOnlyList<(string? Artist, string? Genre)> rows, string? lyricsText, long songSamples,
                               long offsetSamples, string? idsDir)
    {
        int variations = rows.Count;
        int levels = bundle.Priors.Length;
        var labels = new Tensor?[levels];
        var lyrics = new IReadOnlyList<long[]>?[levels];
        var warnings = new List<string>();
        if (!bundle.Priors.Any(p => p.Options.Labels)) return new Result(labels, lyrics, warnings);
        if (rows.Any(r => string.IsNullOrWhiteSpace(r.Artist) || string.IsNullOrWhiteSpace(r.Genre)))
            throw new UserInputException("--artist", "this model is conditioned on artist and genre: give --artist and --genre (see `jukebox styles search`)");
        if (string.IsNullOrWhiteSpace(idsDir) || !Directory.Exists(idsDir))
            throw new UserInputException("--ids", $"this model needs OpenAI's artist/genre id tables: pass --ids FOLDER or set JUKEBOX_IDS{(idsDir is null ? "" : $" ({idsDir} does not exist)")}");
        string text = lyricsText ?? "";
        foreach (var prior in bundle.Priors)
        {
            var o = prior.Options;
            if (!o.Labels) continue;
            double songSeconds = songSamples / (double)o.SampleRate;
            if (o.MinDuration is double lo && o.MaxDuration is double hi && (songSeconds < lo || songSeconds > hi))
                throw new UserInputException("--song-seconds", $"song length {songSeconds:F1} s is outside the level-{o.Level} prior's timing range [{lo:G}, {hi:G}] s: pass --song-seconds");
            if (offsetSamples >= songSamples) throw new UserInputException("--offset-seconds", $"the offset ({offsetSamples / (double)o.SampleRate:F1} s) must be inside the song ({songSeconds:F1} s)");
            string version = TableVersion(o);
            var vocab = o.UseTokens ? new LyricsVocabulary(version) : null;
            var labeller = new Labeller(StyleTable.Load(idsDir, version), o.MaxBowGenreSize ?? 1, o.UseTokens ? o.NTokens : 0, o.SampleLength, vocab);
            var table = rows.SelectMany(r => labeller.Label(r.Artist!, r.Genre!, text, songSamples, offsetSamples, strict: true)).ToArray();
            labels[o.Level] = tensor(table).view(variations, -1);
            if (vocab is null) continue;
            var unsupported = AsciiTransliteration.Unsupported(text);
            if (unsupported.Count > 0) warnings.Add($"lyric characters dropped (no transliteration): {string.Join("", unsupported.Take(20))}");
            lyrics[o.Level] = Enumerable.Repeat(vocab.Encode(text), variations).ToList();
        }
        return new Result(labels, lyrics, warnings.Distinct().ToList());
    }
}
