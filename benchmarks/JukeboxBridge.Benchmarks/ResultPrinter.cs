using System.Text.Json;

namespace JukeboxBridge.Benchmarks;

public static class ResultPrinter
{
    public static void Print(IReadOnlyList<Measurement> results, bool json)
    {
        if (json)
        {
            var opts = new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
            foreach (var r in results) Console.WriteLine(JsonSerializer.Serialize(r.Fields, opts));
            return;
        }
        var cols = results.SelectMany(r => r.Fields.Keys).Distinct().ToList();
        var rows = results.Select(r => cols.Select(c => r.Fields.TryGetValue(c, out var v) ? Format(v) : "").ToList()).ToList();
        var widths = cols.Select((c, i) => Math.Max(c.Length, rows.Select(r => r[i].Length).DefaultIfEmpty(0).Max())).ToList();
        Console.WriteLine(string.Join("  ", cols.Select((c, i) => c.PadRight(widths[i]))));
        Console.WriteLine(string.Join("  ", widths.Select(w => new string('-', w))));
        foreach (var r in rows) Console.WriteLine(string.Join("  ", r.Select((v, i) => v.PadRight(widths[i]))));
    }

    private static string Format(object v) => v switch
    {
        double d => d != 0 && Math.Abs(d) < 0.01 ? d.ToString("0.###e+0") : d.ToString("F3"),
        float f => f.ToString("F3"),
        _ => v.ToString() ?? "",
    };
}
