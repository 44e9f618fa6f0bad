using JukeboxBridge.Checkpoints;
using JukeboxBridge.Model.Lyrics;
using JukeboxBridge.TestSupport;

namespace JukeboxBridge.Model.Tests;

/// <summary>Lyric cleaning and tokens of every lyrics_labels text (other scripts through the system's ICU).</summary>
[Trait("Category", "Parity")]
[Trait("Area", "Prior")]
public class LyricsTextParityTests
{
    public static IEnumerable<object[]> Cases() => FixtureCases.Rows("prior", "lyrics_labels");

    [Theory]
    [MemberData(nameof(Cases))]
    public void Vocabulary_cleaning_and_tokens_match(string name)
    {
        var c = FixtureCases.Get("prior", "lyrics_labels", name);
        using var f = CheckpointFile.Open(c.TensorPath);
        var vocab = new LyricsVocabulary(c.Json.GetProperty("version").GetString()!);
        Assert.Equal(c.Json.GetProperty("n_vocab").GetInt32(), vocab.Size);
        int checkedTexts = 0;
        foreach (var t in c.Json.GetProperty("texts").EnumerateArray())
        {
            string raw = t.GetProperty("raw").GetString()!, want = t.GetProperty("cleaned").GetString()!;
            Assert.Empty(AsciiTransliteration.Unsupported(raw));
            Assert.Equal(want, vocab.Clean(raw));
            Assert.Equal(f[t.GetProperty("tokens").GetString()!].ToDoubles().Select(d => (long)d), vocab.Encode(raw));
            checkedTexts++;
        }
        Assert.True(checkedTexts > 0);
    }
}

/// <summary>Full label rows (artist, genres, timing, lyric window) of every lyrics_labels case.</summary>
[Trait("Category", "Parity")]
[Trait("Area", "Prior")]
public class LabellerParityTests
{
    public static IEnumerable<object[]> Cases() => FixtureCases.Rows("prior", "lyrics_labels");

    [Theory]
    [MemberData(nameof(Cases))]
    public void Label_rows_match(string name)
    {
        var c = FixtureCases.Get("prior", "lyrics_labels", name);
        using var f = CheckpointFile.Open(c.TensorPath);
        string version = c.Json.GetProperty("version").GetString()!;
        var lab = c.Json.GetProperty("labeller");
        var labeller = new JukeboxBridge.Model.Labels.Labeller(JukeboxBridge.Model.Labels.StyleTable.Load(Fixtures.Dir("ids"), version),
            lab.GetProperty("max_genre_words").GetInt32(), lab.GetProperty("n_tokens").GetInt32(), lab.GetProperty("sample_length").GetInt64(),
            new LyricsVocabulary(version));
        var texts = c.Json.GetProperty("texts").EnumerateArray().Select(t => t.GetProperty("raw").GetString()!).ToList();
        int n = 0;
        foreach (var m in c.Json.GetProperty("metas").EnumerateArray())
        {
            var row = labeller.Label(m.GetProperty("artist").GetString()!, m.GetProperty("genre").GetString()!, texts[m.GetProperty("text").GetInt32()],
                m.GetProperty("total_length").GetInt64(), m.GetProperty("offset").GetInt64());
            Assert.Equal(f[m.GetProperty("y").GetString()!].ToDoubles().Select(d => (long)d), row);
            n++;
        }
        Assert.True(n > 0);
    }
}
