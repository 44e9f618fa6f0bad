using JukeboxBridge.Errors;
namespace JukeboxBridge.Model.Lyrics;

/// <summary>
/// The lyric vocabularies (reference TextProcessor): id = position + 1, 0 = unknown/padding.
/// v2 (5b_lyrics, 80 ids) has '+'; v3 (1b_lyrics, 79 ids) does not.
/// </summary>
public sealed class LyricsVocabulary
{
    private const string Letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789.,:;!?-";
    private readonly Dictionary<char, long> _ids = new();

    public string Version { get; }
    public string Characters { get; }
    /// <summary>Number of ids including 0.</summary>
    public int Size => Characters.Length + 1;

    public LyricsVocabulary(string version)
    {
        Version = version;
        Characters = version switch
        {
            "v2" => Letters + "+'\"()[] \t\n",
            "v3" => Letters + "'\"()[] \t\n",
            _ => throw new ModelInputException("lyrics", $"unknown lyrics vocabulary '{version}' (v2: 5b_lyrics, v3: 1b_lyrics)"),
        };
        for (int i = 0; i < Characters.Length; i++) _ids[Characters[i]] = i + 1;
    }

    /// <summary>ASCII transliteration, backslashes become newlines, characters outside the vocabulary are removed.</summary>
    public string Clean(string text)
    {
        var ascii = AsciiTransliteration.ToAscii(text).Replace('\\', '\n');
        return new string(ascii.Where(_ids.ContainsKey).ToArray());
    }

    public long[] Tokenise(string cleaned) => cleaned.Select(c => _ids.TryGetValue(c, out var id) ? id : 0L).ToArray();

    public long[] Encode(string text) => Tokenise(Clean(text));
}
