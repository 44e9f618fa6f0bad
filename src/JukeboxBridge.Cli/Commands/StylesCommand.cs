using JukeboxBridge.Errors;
using System.CommandLine;
using JukeboxBridge.Model.Labels;

namespace JukeboxBridge.Cli.Commands;

/// <summary>jukebox styles list|search: the artists and genres a model's id tables know.</summary>
public static class StylesCommand
{
    public static Command Create(CliContext ctx)
    {
        var styles = new Command("styles", "Artists and genres of OpenAI's id tables (v2: 5b, 5b_lyrics; v3: 1b_lyrics)");
        Option<string> Ids() => new("--ids")
        {
            Description = "folder with v2_/v3_ artist and genre id tables (not bundled: OpenAI's noncommercial licence); default $JUKEBOX_IDS",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable("JUKEBOX_IDS") ?? "",
        };
        Option<string> Version() => new("--version") { Description = "table version: v2 or v3", DefaultValueFactory = _ => "v2" };

        var ids = Ids(); var version = Version();
        var kind = new Option<string>("--kind") { Description = "artists or genres", DefaultValueFactory = _ => "genres" };
        kind.AcceptOnlyFromAmong("artists", "genres");
        var list = new Command("list", "List every name with its id") { ids, version, kind };
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
        styles.Subcommands.Add(list);
        styles.Subcommands.Add(search);
        return styles;
    }

    private static StyleTable Load(string folder, string version)
    {
        if (string.IsNullOrWhiteSpace(folder)) throw new UserInputException("--ids", "--ids: give the folder holding OpenAI's id tables (or set JUKEBOX_IDS)");
        return StyleTable.Load(folder, version);
    }
}
