using System.Globalization;
using System.Text;
using JukeboxBridge.Model.Lyrics;

namespace JukeboxBridge.Model.Tests;

/// <summary>
/// Separators and format characters come out as the reference's unidecode (1.3.6) writes them, before the vocabulary
/// filter. Expected values were read off unidecode for every Zs, Zl, Zp and Cf code point of Unicode 14; the
/// non-empty ones are listed here, every other format character gives "" and every space separator " ".
/// </summary>
[Trait("Category", "Parity")]
[Trait("Area", "Prior")]
public class TransliterationSeparatorTests
{
    private static readonly Dictionary<int, string> NonEmptyFormat = new()
    {
        [0x200B] = " ", [0x06DD] = "@", [0xFFF9] = "{", [0xFFFA] = "|", [0xFFFB] = "}",
    };

    [Fact]
    public void Every_space_separator_and_format_character_matches_unidecode()
    {
        int checkedCount = 0;
        for (int cp = 0x80; cp <= 0x10FFFF; cp++)
        {
            if (cp is >= 0xD800 and <= 0xDFFF) continue;
            var rune = new Rune(cp);
            string? want = Rune.GetUnicodeCategory(rune) switch
            {
                UnicodeCategory.SpaceSeparator => " ",
                UnicodeCategory.LineSeparator => "\n",
                UnicodeCategory.ParagraphSeparator => "\n\n",
                UnicodeCategory.Format => NonEmptyFormat.GetValueOrDefault(cp, ""),
                _ => null,
            };
            if (want is null) continue;
            Assert.True(want == AsciiTransliteration.ToAscii(rune.ToString()), $"U+{cp:X4}: got '{Escape(AsciiTransliteration.ToAscii(rune.ToString()))}', unidecode gives '{Escape(want)}'");
            checkedCount++;
        }
        Assert.True(checkedCount >= 170, $"only {checkedCount} separator/format code points seen");
    }

    [Theory]
    [InlineData("zero\u200bwidth", "zero width")]
    [InlineData("and\u00a0no-break", "and no-break")]
    [InlineData("line\u2028next", "line\nnext")]
    [InlineData("para\u2029next", "para\n\nnext")]
    [InlineData("\ufeffbom", "bom")]
    [InlineData("soft\u00adhyphen", "softhyphen")]
    [InlineData("ogham\u1680space", "ogham space")]
    [InlineData("ideo\u3000graphic", "ideo graphic")]
    [InlineData("join\u200dner\u200c", "joinner")]
    [InlineData("narrow\u202fnbsp", "narrow nbsp")]
    public void Lyrics_clean_like_the_reference(string text, string ascii)
    {
        Assert.Equal(ascii, AsciiTransliteration.ToAscii(text));
        // The v3 vocabulary keeps spaces and newlines: what reaches the tokeniser.
        Assert.Equal(ascii, new LyricsVocabulary("v3").Clean(text));
    }

    private static string Escape(string s) => s.Replace("\n", "\\n");
}
