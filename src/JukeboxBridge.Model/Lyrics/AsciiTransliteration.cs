using System.Globalization;
using System.Text;

namespace JukeboxBridge.Model.Lyrics;

/// <summary>
/// Text to ASCII, following the conventions of the unidecode package the reference uses for lyrics: accents
/// dropped (é → e), Latin ligatures and letters spelled out (Æ → AE, ß → ss, ø → o), Greek and Cyrillic
/// romanised letter by letter, typographic punctuation to ASCII (— → --, “ → ", … → ...). Scripts without a
/// table here (Chinese, Japanese, Korean, ...) go character by character through the system's ICU; like unidecode,
/// a Han character becomes its capitalised reading and a space ("世界" → "Shi Jie "). Without ICU they are
/// dropped and <see cref="Unsupported"/> lists them so callers can warn. (unidecode's GPL tables are not bundled;
/// readings of rare characters may differ from it.)
/// </summary>
public static class AsciiTransliteration
{
    private static readonly Dictionary<char, string> Table = Build();

    private static Dictionary<char, string> Build()
    {
        var t = new Dictionary<char, string>
        {
            ['Æ'] = "AE", ['æ'] = "ae", ['Ø'] = "O", ['ø'] = "o", ['ß'] = "ss", ['Œ'] = "OE", ['œ'] = "oe",
            ['Ł'] = "L", ['ł'] = "l", ['Đ'] = "D", ['đ'] = "d", ['Þ'] = "Th", ['þ'] = "th", ['Ð'] = "D", ['ð'] = "d",
            ['ı'] = "i", ['Ħ'] = "H", ['ħ'] = "h", ['ĸ'] = "q", ['Ŋ'] = "NG", ['ŋ'] = "ng",
            ['—'] = "--", ['–'] = "-", ['‐'] = "-", ['‑'] = "-", ['‒'] = "-", ['―'] = "--", ['−'] = "-",
            ['‘'] = "'", ['’'] = "'", ['‚'] = ",", ['‛'] = "'", ['“'] = "\"", ['”'] = "\"", ['„'] = ",,", ['‟'] = "\"",
            ['′'] = "'", ['″'] = "\"", ['…'] = "...", ['«'] = "<<", ['»'] = ">>", ['‹'] = "<", ['›'] = ">",
            ['•'] = "*", ['·'] = "*", ['©'] = "(c)", ['®'] = "(r)", ['™'] = "(tm)", ['°'] = " deg ",
            ['½'] = " 1/2", ['¼'] = " 1/4", ['¾'] = " 3/4", ['¹'] = "1", ['²'] = "2", ['³'] = "3",
            ['¡'] = "!", ['¿'] = "?", ['×'] = "x", ['÷'] = "/", ['\u00a0'] = " ", ['\u2009'] = " ",
        };
        // Greek (monotonic and basic polytonic letters after accent removal).
        AddPairs(t, "ΑA ΒB ΓG ΔD ΕE ΖZ ΗE ΙI ΚK ΛL ΜM ΝN ΟO ΠP ΡR ΣS ΤT ΥU ΩO αa βb γg δd εe ζz ηe ιi κk λl μm νn οo πp ρr σs ςs τt υu ωo");
        t['Θ'] = "Th"; t['θ'] = "th"; t['Φ'] = "Ph"; t['φ'] = "ph"; t['Χ'] = "Kh"; t['χ'] = "kh"; t['Ψ'] = "Ps"; t['ψ'] = "ps"; t['Ξ'] = "X"; t['ξ'] = "x";
        // Cyrillic (Russian, Ukrainian, Belarusian basics).
        AddPairs(t, "АA БB ВV ГG ДD ЕE ЗZ ИI ЙI КK ЛL МM НN ОO ПP РR СS ТT УU ФF ЫY ЭE аa бb вv гg дd еe зz иi йi кk лl мm нn оo пp рr сs тt уu фf ыy эe ІI іi ЇI їi ҐG ґg ЎU ўu");
        foreach (var (c, s) in new[] { ('Ё', "Io"), ('ё', "io"), ('Ж', "Zh"), ('ж', "zh"), ('Х', "Kh"), ('х', "kh"), ('Ц', "Ts"), ('ц', "ts"),
                     ('Ч', "Ch"), ('ч', "ch"), ('Ш', "Sh"), ('ш', "sh"), ('Щ', "Shch"), ('щ', "shch"), ('Ъ', "'"), ('ъ', "'"), ('Ь', "'"), ('ь', "'"),
                     ('Ю', "Iu"), ('ю', "iu"), ('Я', "Ia"), ('я', "ia"), ('Є', "Ie"), ('є', "ie") })
            t[c] = s;
        return t;
    }

    private static void AddPairs(Dictionary<char, string> t, string pairs)
    {
        foreach (var p in pairs.Split(' ', StringSplitOptions.RemoveEmptyEntries)) t[p[0]] = p[1..];
    }

    public static string ToAscii(string text)
    {
        var sb = new StringBuilder(text.Length);
        foreach (var rune in text.EnumerateRunes())
        {
            if (rune.IsAscii) { sb.Append((char)rune.Value); continue; }
            if (SpaceOrFormat(rune) is { } sf) { sb.Append(sf); continue; }
            if (rune.IsBmp && Table.TryGetValue((char)rune.Value, out var mapped)) { sb.Append(mapped); continue; }
            // Decompose (é → e + ◌́, ǆ → dž) and keep what is then ASCII or in the table.
            int before = sb.Length;
            bool dropped = false;
            foreach (char c in rune.ToString().Normalize(NormalizationForm.FormKD))
            {
                if (c < 128) sb.Append(c);
                else if (Table.TryGetValue(c, out var m)) sb.Append(m);
                else dropped = true;
            }
            if (sb.Length == before && dropped && Rune.IsLetterOrDigit(rune) && IcuTransliterator.Transliterate(rune.ToString()) is { Length: > 0 } icu)
            {
                var ascii = new string(icu.Where(ch => ch < 128).ToArray());
                sb.Append(IsHan(rune) && ascii.Length > 0 ? char.ToUpperInvariant(ascii[0]) + ascii[1..] + " " : ascii);
            }
        }
        return sb.ToString();
    }

    /// <summary>
    /// Separators and format characters as unidecode writes them: every space separator (Zs) is a space, the line
    /// separator a newline and the paragraph separator two; format characters (Cf: soft hyphen, joiners,
    /// direction marks, BOM, ...) vanish, except U+200B ZERO WIDTH SPACE (a space), U+06DD (@) and the interlinear
    /// annotation marks U+FFF9..U+FFFB ({ | }). Null for any other character.
    /// </summary>
    private static string? SpaceOrFormat(Rune r) => r.Value switch
    {
        0x200B => " ",
        0x06DD => "@",
        0xFFF9 => "{", 0xFFFA => "|", 0xFFFB => "}",
        _ => Rune.GetUnicodeCategory(r) switch
        {
            UnicodeCategory.SpaceSeparator => " ",
            UnicodeCategory.LineSeparator => "\n",
            UnicodeCategory.ParagraphSeparator => "\n\n",
            UnicodeCategory.Format => "",
            _ => null,
        },
    };

    private static bool IsHan(Rune r) => r.Value is (>= 0x4E00 and <= 0x9FFF) or (>= 0x3400 and <= 0x4DBF) or (>= 0x20000 and <= 0x2FA1F) or (>= 0xF900 and <= 0xFAFF);

    /// <summary>Characters this transliteration drops although they are letters or digits (other scripts, or no ICU).</summary>
    public static IReadOnlyList<string> Unsupported(string text) =>
        text.EnumerateRunes()
            .Where(r => !r.IsAscii && Rune.IsLetterOrDigit(r) && ToAscii(r.ToString()).Length == 0)
            .Select(r => r.ToString()).Distinct().ToList();
}
