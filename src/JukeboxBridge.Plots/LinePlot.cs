namespace JukeboxBridge.Plots;

/// <summary>One line of a plot: its points and colour.</summary>
public sealed record PlotSeries(string Name, IReadOnlyList<(double X, double Y)> Points, (byte R, byte G, byte B) Color);

/// <summary>
/// Draws line plots (e.g. training loss curves) to PNG: axes, grid, tick values in a built-in pixel font,
/// series names in their colours, optional log-scale y. No external imaging library.
/// </summary>
public sealed class LinePlot
{
    public int Width { get; init; } = 900;
    public int Height { get; init; } = 520;
    public string Title { get; init; } = "";
    public bool LogY { get; init; }

    private const int Left = 80, Right = 20, Top = 40, Bottom = 50;

    public byte[] RenderPng(IReadOnlyList<PlotSeries> series)
    {
        var c = new Canvas(Width, Height);
        var pts = series.SelectMany(s => s.Points).Where(p => double.IsFinite(p.Y) && (!LogY || p.Y > 0)).ToList();
        double x0 = pts.Count > 0 ? pts.Min(p => p.X) : 0, x1 = pts.Count > 0 ? pts.Max(p => p.X) : 1;
        double y0 = pts.Count > 0 ? pts.Min(p => Ty(p.Y)) : 0, y1 = pts.Count > 0 ? pts.Max(p => Ty(p.Y)) : 1;
        if (x1 <= x0) x1 = x0 + 1;
        if (y1 <= y0) { y1 = y0 + 1; y0 -= 1; }
        double pad = (y1 - y0) * 0.05; y0 -= pad; y1 += pad;
        int pw = Width - Left - Right, ph = Height - Top - Bottom;
        int Px(double x) => Left + (int)Math.Round((x - x0) / (x1 - x0) * (pw - 1));
        int Py(double y) => Top + ph - 1 - (int)Math.Round((Ty(y) - y0) / (y1 - y0) * (ph - 1));

        // grid and ticks
        for (int i = 0; i <= 5; i++)
        {
            int gy = Top + ph - 1 - i * (ph - 1) / 5;
            c.HLine(Left, Left + pw - 1, gy, (225, 225, 225));
            double v = y0 + (y1 - y0) * i / 5;
            c.Text(4, gy - 3, Format(LogY ? Math.Pow(10, v) : v), (60, 60, 60));
            int gx = Left + i * (pw - 1) / 5;
            c.VLine(gx, Top, Top + ph - 1, (225, 225, 225));
            c.Text(gx - 12, Top + ph + 8, Format(x0 + (x1 - x0) * i / 5), (60, 60, 60));
        }
        c.HLine(Left, Left + pw - 1, Top + ph - 1, (0, 0, 0));
        c.VLine(Left, Top, Top + ph - 1, (0, 0, 0));
        c.Text(Left, 12, Title, (0, 0, 0));

        int legendX = Left + 10;
        foreach (var s in series)
        {
            var ok = s.Points.Where(p => double.IsFinite(p.Y) && (!LogY || p.Y > 0)).ToList();
            for (int i = 1; i < ok.Count; i++) c.Line(Px(ok[i - 1].X), Py(ok[i - 1].Y), Px(ok[i].X), Py(ok[i].Y), s.Color);
            if (ok.Count == 1) c.Dot(Px(ok[0].X), Py(ok[0].Y), s.Color);
            c.Text(legendX, Top + ph + 30, s.Name, s.Color);
            legendX += 8 * (s.Name.Length + 2);
        }
        return PngWriter.Encode(Width, Height, c.Pixels);
    }

    private double Ty(double y) => LogY ? Math.Log10(y) : y;

    private static string Format(double v) =>
        v == 0 ? "0" : Math.Abs(v) >= 1e4 || Math.Abs(v) < 1e-2 ? v.ToString("0.0e0") : v.ToString(Math.Abs(v) >= 100 ? "0" : "0.###");
}
