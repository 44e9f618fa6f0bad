using System.Globalization;
using JukeboxBridge.Plots;

namespace JukeboxBridge.Training;

/// <summary>losses.csv (step + named values, appended across resumes) and its loss-curve PNG.</summary>
public sealed class LossLog
{
    private readonly string _csv;
    private readonly string[] _columns;

    public LossLog(string outDir, IEnumerable<string> columns)
    {
        _csv = Path.Combine(outDir, "losses.csv");
        _columns = columns.ToArray();
        if (!File.Exists(_csv)) File.WriteAllText(_csv, "step," + string.Join(",", _columns) + "\n");
    }

    public void Append(long step, IReadOnlyDictionary<string, double> values) =>
        File.AppendAllText(_csv, step.ToString(CultureInfo.InvariantCulture) + "," +
            string.Join(",", _columns.Select(c => values.TryGetValue(c, out var v) ? v.ToString("R", CultureInfo.InvariantCulture) : "")) + "\n");

    /// <summary>Rows up to and including <paramref name="step"/> (drops rows a crash left beyond the checkpoint).</summary>
    public void TruncateAfter(long step)
    {
        var lines = File.ReadAllLines(_csv);
        var keep = lines.Take(1).Concat(lines.Skip(1).Where(l => long.TryParse(l.Split(',')[0], out var s) && s <= step));
        File.WriteAllLines(_csv, keep);
    }

    public void Plot(string pngPath, string title, params string[] columns)
    {
        var lines = File.ReadAllLines(_csv);
        var header = lines[0].Split(',');
        var palette = new (byte, byte, byte)[] { (31, 119, 180), (214, 39, 40), (44, 160, 44), (148, 103, 189), (255, 127, 14), (23, 190, 207) };
        var series = new List<PlotSeries>();
        foreach (var (col, i) in columns.Select((c, i) => (c, i)))
        {
            int idx = Array.IndexOf(header, col);
            if (idx < 0) continue;
            var pts = lines.Skip(1).Select(l => l.Split(','))
                .Where(p => p.Length > idx && double.TryParse(p[idx], NumberStyles.Float, CultureInfo.InvariantCulture, out _))
                .Select(p => (double.Parse(p[0], CultureInfo.InvariantCulture), double.Parse(p[idx], CultureInfo.InvariantCulture))).ToList();
            series.Add(new PlotSeries(col, pts, palette[i % palette.Length]));
        }
        var png = new LinePlot { Title = title, LogY = true }.RenderPng(series);
        JukeboxBridge.Storage.AtomicFile.WriteAllBytes(pngPath, png);
    }
}
