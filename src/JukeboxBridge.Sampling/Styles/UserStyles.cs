using System.Text.Json;
using System.Text.Json.Serialization;
using JukeboxBridge.Errors;
using JukeboxBridge.Model.Labels;
using JukeboxBridge.Sampling.Conditioning;

namespace JukeboxBridge.Sampling.Styles;

/// <summary>
/// A named style: an artist, genres and optionally the whole song's lyrics (a job's offset in the song picks the
/// lyric window, as the reference does). Same JSON as the plugin's presets (presets/styles/*.json).
/// </summary>
public sealed record UserStyle
{
    public string Name { get; init; } = "";
    public string Artist { get; init; } = "";
    public string[] Genres { get; init; } = [];
    public string Lyrics { get; init; } = "";
    /// <summary>The model it was checked against at add time (its --model spec); informational.</summary>
    public string? Model { get; init; }

    /// <summary>The genres as one --genre value (several are joined by spaces, as the reference's v2 tables read them).</summary>
    public string Genre => string.Join(" ", Genres);

    public const int MaxNameChars = 64, MaxLyricsChars = 64 << 10;

    internal static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };
}

/// <summary>
/// The user's styles, one JSON file per style in the per-user config folder (Linux:
/// ~/.config/jukeboxbridge/styles; $JUKEBOX_STYLES overrides it). Names are unique, case-insensitively.
/// </summary>
public sealed class UserStyleStore(string dir)
{
    public string Dir { get; } = Path.GetFullPath(dir);

    /// <summary>$JUKEBOX_STYLES, else styles/ in the per-user config folder.</summary>
    public static UserStyleStore Default() =>
        new(Environment.GetEnvironmentVariable("JUKEBOX_STYLES") is { Length: > 0 } d ? d : Path.Combine(JukeboxBridge.Storage.UserFolders.ConfigDir(), "styles"));

    /// <summary>Every style, by name; files that do not read as a style are skipped (and named in <paramref name="skipped"/>).</summary>
    public IReadOnlyList<UserStyle> List(List<string>? skipped = null)
    {
        if (!Directory.Exists(Dir)) return [];
        var styles = new List<UserStyle>();
        foreach (var f in Directory.GetFiles(Dir, "*.json").Order(StringComparer.Ordinal))
        {
            try
            {
                if (JsonSerializer.Deserialize<UserStyle>(File.ReadAllText(f), UserStyle.Json) is { Name.Length: > 0 } s) styles.Add(s);
                else skipped?.Add(f);
            }
            catch (Exception e) when (e is JsonException or IOException) { skipped?.Add(f); }
        }
        return styles.OrderBy(s => s.Name, StringComparer.OrdinalIgnoreCase).ToList();
    }

    public UserStyle? Find(string name) => List().FirstOrDefault(s => string.Equals(s.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>Writes a style (replacing one of the same name only with <paramref name="replace"/>).</summary>
    public string Add(UserStyle style, bool replace = false)
    {
        CheckName(style.Name);
        if (!replace && Find(style.Name) is { } old)
            throw new UserInputException("name", $"a style named '{old.Name}' exists already: `jukebox styles remove \"{old.Name}\"` first, or add --replace");
        Directory.CreateDirectory(Dir);
        string path = PathOf(style.Name);
        JukeboxBridge.Storage.AtomicFile.WriteAllText(path, JsonSerializer.Serialize(style, UserStyle.Json));
        return path;
    }

    /// <summary>Deletes a style; false when there is none of that name.</summary>
    public bool Remove(string name)
    {
        var style = Find(name);
        if (style is null) return false;
        File.Delete(PathOf(style.Name));
        return true;
    }

    private string PathOf(string name) => Path.Combine(Dir, Slug(name) + ".json");

    /// <summary>A file name for a style name: lower-case letters and digits, '-' for the rest.</summary>
    public static string Slug(string name)
    {
        var chars = name.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '-').ToArray();
        var slug = string.Join("-", new string(chars).Split('-', StringSplitOptions.RemoveEmptyEntries));
        return slug.Length > 0 ? slug : "style";
    }

    private static void CheckName(string name)
    {
        if (string.IsNullOrWhiteSpace(name) || name.Length > UserStyle.MaxNameChars || name.Any(char.IsControl))
            throw new UserInputException("name", $"a style name is 1 to {UserStyle.MaxNameChars} printable characters, got '{name}'");
    }
}

/// <summary>Whether a model can take a style: its labelled priors know the artist and every genre, and it has lyrics conditioning if the style has lyrics.</summary>
public static class StyleCheck
{
    /// <summary>Throws <see cref="UnknownStyleException"/> (with the closest names) or <see cref="UserInputException"/> naming the field.</summary>
    public static void Validate(ModelBundle bundle, UserStyle style, string? idsDir)
    {
        var labelled = bundle.Priors.Where(p => p.Options.Labels).ToList();
        string model = Path.GetFileNameWithoutExtension(bundle.Source);
        if (labelled.Count == 0)
            throw new UserInputException("--model", $"model {model} is not conditioned on artist or genre: a style means nothing to it");
        if (string.IsNullOrWhiteSpace(style.Artist)) throw new UserInputException("--artist", "a style needs --artist");
        if (style.Genres.Length == 0 || style.Genres.Any(string.IsNullOrWhiteSpace)) throw new UserInputException("--genre", "a style needs --genre");
        if (style.Lyrics.Length > UserStyle.MaxLyricsChars)
            throw new UserInputException("--lyrics", $"the lyrics are {style.Lyrics.Length} characters; at most {UserStyle.MaxLyricsChars}");
        if (style.Lyrics.Trim().Length > 0 && !labelled.Any(p => p.Options.UseTokens))
            throw new UserInputException("--lyrics", $"model {model} has no lyrics conditioning: add the style without --lyrics, or check it against a lyrics model (--model)");
        if (string.IsNullOrWhiteSpace(idsDir) || !Directory.Exists(idsDir))
            throw new UserInputException("--ids", $"checking a style against {model} needs its artist/genre id tables: pass --ids FOLDER or set JUKEBOX_IDS");
        foreach (var version in labelled.Select(p => StyleLabels.TableVersion(p.Options)).Distinct())
        {
            var table = StyleTable.Load(idsDir, version);
            table.ResolveArtist(style.Artist);
            foreach (var g in style.Genres) table.ResolveGenres(g);
        }
    }
}
