using JukeboxBridge.Errors;
using System.Text;
using System.Text.RegularExpressions;

namespace JukeboxBridge.Model.Labels;

/// <summary>An artist or genre name the table does not know; the message offers the closest known names.</summary>
public sealed class UnknownStyleException(string field, string message, IReadOnlyList<string> suggestions) : UserInputException(field, message)
{
    public IReadOnlyList<string> Suggestions { get; } = suggestions;
}

/// <summary>
/// OpenAI's artist and genre id tables (files <c>{v2|v3}_artist_ids.txt</c>, <c>{v2|v3}_genre_ids.txt</c>,
/// lines <c>name;id</c>, read from a folder the user provides; they are not bundled). Look-ups as the
/// reference: v2 normalises names (lower case, every character outside a–z0–9 becomes '_', runs collapsed,
/// ends stripped; genres are the '_'-separated words, a bag of up to max_bow_genre_size); v3 looks up the
/// lower-cased name as is (one genre). Unknown names are id 0 in the reference; <see cref="ResolveArtist"/>
/// and <see cref="ResolveGenres"/> refuse them instead, naming close matches.
/// </summary>
public sealed partial class StyleTable
{
    public string Version { get; }
    public IReadOnlyDictionary<string, int> Artists { get; }
    public IReadOnlyDictionary<string, int> Genres { get; }

    private StyleTable(string version, Dictionary<string, int> artists, Dictionary<string, int> genres)
    {
        Version = version; Artists = artists; Genres = genres;
    }

    public static StyleTable Load(string folder, string version)
    {
        if (version is not ("v2" or "v3")) throw new ModelInputException("ids", $"unknown id table version '{version}' (v2: 5b and 5b_lyrics; v3: 1b_lyrics)");
        return new StyleTable(version, Read(Path.Combine(folder, $"{version}_artist_ids.txt")), Read(Path.Combine(folder, $"{version}_genre_ids.txt")));
    }

    private static Dictionary<string, int> Read(string path)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"id table not found: {path} (point --ids at the folder holding OpenAI's v2_/v3_ artist and genre id tables)", path);
        var d = new Dictionary<string, int>(StringComparer.Ordinal);
        int lineNo = 0;
        foreach (var line in File.ReadLines(path, Encoding.UTF8))
        {
            lineNo++;
            if (line.Length == 0) continue;
            int semi = line.LastIndexOf(';');
            if (semi < 0 || !int.TryParse(line.AsSpan(semi + 1), out int id))
                throw new ModelInputException("ids", $"{path}:{lineNo}: expected 'name;id', got '{line}'");
            d[line[..semi].ToLowerInvariant()] = id;
        }
        return d;
    }

    [GeneratedRegex("[^a-z0-9]")] private static partial Regex NonAlnum();
    [GeneratedRegex("_+")] private static partial Regex Underscores();

    /// <summary>The v2 key of a name: "Céline Dion" → "c_line_dion", "AC/DC" → "ac_dc".</summary>
    public static string NormaliseV2(string name) =>
        Underscores().Replace(NonAlnum().Replace(name.ToLowerInvariant(), "_"), "_").Trim('_');

    private string Key(string name) => Version == "v2" ? NormaliseV2(name) : name.ToLowerInvariant();

    /// <summary>The reference's artist id (0 when unknown).</summary>
    public int ArtistId(string name) => Artists.TryGetValue(Key(name), out var id) ? id : 0;

    /// <summary>The reference's genre ids: v2 one per word (0 when unknown), v3 a single id.</summary>
    public int[] GenreIds(string genre) => Version == "v2"
        ? NormaliseV2(genre).Split('_').Select(w => Genres.TryGetValue(w, out var id) ? id : 0).ToArray()
        : new[] { Genres.TryGetValue(genre.ToLowerInvariant(), out var g) ? g : 0 };

    public int ResolveArtist(string name) =>
        Artists.TryGetValue(Key(name), out var id) ? id : throw Unknown("artist", name, Artists.Keys);

    public int[] ResolveGenres(string genre)
    {
        var words = Version == "v2" ? NormaliseV2(genre).Split('_') : new[] { genre.ToLowerInvariant() };
        foreach (var w in words)
            if (!Genres.ContainsKey(w)) throw Unknown("genre", Version == "v2" ? w : genre, Genres.Keys);
        return GenreIds(genre);
    }

    /// <summary>Names containing the query (normalised the table's way), then the closest by edit distance.</summary>
    public IReadOnlyList<string> Search(string query, bool artists, int max = 10)
    {
        var keys = artists ? Artists.Keys : Genres.Keys;
        string q = Key(query);
        return keys.Where(k => k.Length > 0)
            .Select(k => (k, score: k.Contains(q, StringComparison.Ordinal) ? 0 : 1, dist: EditDistance(q, k)))
            .OrderBy(t => t.score).ThenBy(t => t.dist).ThenBy(t => t.k, StringComparer.Ordinal)
            .Take(max).Select(t => t.k).ToList();
    }

    private UnknownStyleException Unknown(string what, string name, IEnumerable<string> keys)
    {
        var close = Search(name, what == "artist", 5);
        return new UnknownStyleException(what,
            $"unknown {what} '{name}' in the {Version} table" + (close.Count > 0 ? $"; closest: {string.Join(", ", close)}" : ""), close);
    }

    private static int EditDistance(string a, string b)
    {
        var prev = new int[b.Length + 1];
        var cur = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++) prev[j] = j;
        for (int i = 1; i <= a.Length; i++)
        {
            cur[0] = i;
            for (int j = 1; j <= b.Length; j++)
                cur[j] = Math.Min(Math.Min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            (prev, cur) = (cur, prev);
        }
        return prev[b.Length];
    }
}
