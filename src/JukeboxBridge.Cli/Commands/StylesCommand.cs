using JukeboxBridge.Errors;
using System.CommandLine;
using JukeboxBridge.Model.Labels;
using JukeboxBridge.Sampling;
using JukeboxBridge.Sampling.Styles;

namespace JukeboxBridge.Cli.Commands;

/// <summary>
/// jukebox styles add|list|remove: the user's own styles (artist, genre, lyrics), checked against a model when
/// added; names|search: the artists and genres of OpenAI's id tables.
/// </summary>
public static class StylesCommand
{
    public static Command Create(CliContext ctx)
    {
        var styles = new Command("styles", "Styles of your own (add, list, remove; the daemon offers them to the plugin), and the artists and genres a model's id tables know (names, search)");
        Option<string> Ids() => new("--ids")
        {
            Description = "folder with v2_/v3_ artist and genre id tables (not bundled: OpenAI's noncommercial licence); default $JUKEBOX_IDS",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable("JUKEBOX_IDS") ?? "",
        };
        Option<string> Version() => new("--version") { Description = "table version: v2 or v3", DefaultValueFactory = _ => "v2" };

        var ids = Ids(); var version = Version();
        var kind = new Option<string>("--kind") { Description = "artists or genres", DefaultValueFactory = _ => "genres" };
        kind.AcceptOnlyFromAmong("artists", "genres");
        var list = new Command("names", "List every artist or genre of an id table with its id") { ids, version, kind };
        list.SetAction(r => ctx.Guard(() =>
        {
            var t = Load(r.GetValue(ids)!, r.GetValue(version)!);
            var table = r.GetValue(kind) == "artists" ? t.Artists : t.Genres;
            foreach (var (name, id) in table.Where(kv => kv.Key.Length > 0).OrderBy(kv => kv.Key, StringComparer.Ordinal))
                ctx.Out.WriteLine($"{id,6}  {name}");
            return 0;
        }));

        var ids2 = Ids(); var version2 = Version();
        var query = new Argument<string>("query") { Description = "a name or part of one" };
        var search = new Command("search", "Find artists and genres by name (closest matches first)") { query, ids2, version2 };
        search.SetAction(r => ctx.Guard(() =>
        {
            var t = Load(r.GetValue(ids2)!, r.GetValue(version2)!);
            string q = r.GetValue(query)!;
            foreach (var (label, artists) in new[] { ("artists", true), ("genres", false) })
            {
                ctx.Out.WriteLine($"{label}:");
                var table = artists ? t.Artists : t.Genres;
                foreach (var name in t.Search(q, artists, 8)) ctx.Out.WriteLine($"  {table[name],6}  {name}");
            }
            return 0;
        }));
        styles.Subcommands.Add(Add(ctx));
        styles.Subcommands.Add(List(ctx));
        styles.Subcommands.Add(Remove(ctx));
        styles.Subcommands.Add(list);
        styles.Subcommands.Add(search);
        return styles;
    }

    private static Option<string?> StylesDir() => new("--styles-dir") { Description = "where your styles are kept (default: styles/ in the per-user config folder, or $JUKEBOX_STYLES)" };
    private static UserStyleStore Store(ParseResult r, Option<string?> dir) => r.GetValue(dir) is { Length: > 0 } d ? new UserStyleStore(d) : UserStyleStore.Default();

    private static Command Add(CliContext ctx)
    {
        var name = new Argument<string>("name") { Description = "the style's name, as the plugin's Style parameter shows it" };
        var artist = new Option<string>("--artist") { Description = "the artist, as the model names it (see `jukebox styles search`)", Required = true };
        var genre = new Option<string>("--genre") { Description = "the genre, or several joined by spaces", Required = true };
        var lyrics = new Option<string?>("--lyrics") { Description = "text file with the whole song's lyrics (lyrics models; a job's offset in the song picks the window)" };
        var model = new Option<string?>("--model") { Description = "the model to check it against (default: the embedded default model)" };
        var ids = new Option<string?>("--ids") { Description = "folder with the model's id tables (default: the bundle's, or $JUKEBOX_IDS)" };
        var replace = new Option<bool>("--replace") { Description = "replace a style of the same name" };
        var dir = StylesDir();
        var cmd = new Command("add", "Add a style of your own, checked against the model: unknown names are refused with the closest ones") { name, artist, genre, lyrics, model, ids, replace, dir };
        cmd.SetAction(r => ctx.Guard(() =>
        {
            string spec = ModelBundle.ResolveSpec(r.GetValue(model));
            string? lyricsFile = r.GetValue(lyrics);
            var style = new UserStyle
            {
                Name = r.GetValue(name)!.Trim(), Artist = r.GetValue(artist)!.Trim(), Genres = [r.GetValue(genre)!.Trim()],
                Lyrics = lyricsFile is null ? "" : ReadLyrics(lyricsFile), Model = spec,
            };
            using (var bundle = ModelBundle.Load(spec))
                StyleCheck.Validate(bundle, style, r.GetValue(ids) ?? bundle.IdsDir ?? Environment.GetEnvironmentVariable("JUKEBOX_IDS"));
            string path = Store(r, dir).Add(style, r.GetValue(replace));
            ctx.Err.WriteLine($"style '{style.Name}': {style.Artist}, {style.Genre}{(style.Lyrics.Length > 0 ? $", {style.Lyrics.Length} characters of lyrics" : "")} (checked against {Path.GetFileNameWithoutExtension(spec)})");
            ctx.Out.WriteLine(path);
            return 0;
        }));
        return cmd;
    }

    private static string ReadLyrics(string path)
    {
        if (!File.Exists(path)) throw new UserInputException("--lyrics", $"no lyrics file at {path}");
        return File.ReadAllText(path);
    }

    private static Command List(CliContext ctx)
    {
        var dir = StylesDir();
        var cmd = new Command("list", "List your styles (name, artist, genre, lyrics, the model they were checked against)") { dir };
        cmd.SetAction(r => ctx.Guard(() =>
        {
            var store = Store(r, dir);
            var skipped = new List<string>();
            var all = store.List(skipped);
            foreach (var f in skipped) ctx.Err.WriteLine($"warning: {f} is not a style file; skipped");
            if (all.Count == 0) ctx.Err.WriteLine($"no styles of your own in {store.Dir}: `jukebox styles add NAME --artist A --genre G`");
            foreach (var s in all)
                ctx.Out.WriteLine($"{s.Name}\t{s.Artist}\t{s.Genre}\t{(s.Lyrics.Length > 0 ? $"lyrics ({s.Lyrics.Length} chars)" : "no lyrics")}\t{s.Model}");
            return 0;
        }));
        return cmd;
    }

    private static Command Remove(CliContext ctx)
    {
        var name = new Argument<string>("name") { Description = "the style's name" };
        var dir = StylesDir();
        var cmd = new Command("remove", "Remove one of your styles") { name, dir };
        cmd.SetAction(r => ctx.Guard(() =>
        {
            if (!Store(r, dir).Remove(r.GetValue(name)!))
                throw new UserInputException("name", $"no style named '{r.GetValue(name)}' (see `jukebox styles list`)");
            ctx.Err.WriteLine($"removed style '{r.GetValue(name)}'");
            return 0;
        }));
        return cmd;
    }

    private static StyleTable Load(string folder, string version)
    {
        if (string.IsNullOrWhiteSpace(folder)) throw new UserInputException("--ids", "--ids: give the folder holding OpenAI's id tables (or set JUKEBOX_IDS)");
        return StyleTable.Load(folder, version);
    }
}
