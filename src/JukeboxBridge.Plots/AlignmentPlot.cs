namespace JukeboxBridge.Plots;

/// <summary>
/// A picture of a lyric alignment: time (seconds of the take) across, the lyric's characters down, darker where the
/// music attends to a character more (scaled to the strongest cell); a red dot where each word peaks, its text beside.
/// </summary>
public sealed class AlignmentPlot
{
    public int Width { get; init; } = 1000;
    public int Height { get; init; } = 560;
    public string Title { get; init; } = "";
    public const int Left = 70, Right = 20, Top = 36, Bottom = 40;
    private static readonly (byte, byte, byte) Ink = (50, 50, 50), WordColor = (220, 40, 40);

    /// <param name="alignment">codes × characters, row-major</param>
    /// <param name="words">(first character, seconds, text) of each word</param>
    public Canvas Render(float[] alignment, int codes, int chars, double secondsPerCode, IReadOnlyList<(int FirstChar, double Seconds, string Text)> words)
    {
        var c = new Canvas(Width, Height);
        int pw = Width - Left - Right, ph = Height - Top - Bottom;
        float max = 1e-12f;
        foreach (var v in alignment) max = Math.Max(max, v);
        for (int px = 0; px < pw; px++)
        {
            int t0 = (int)((long)px * codes / pw), t1 = Math.Max(t0 + 1, (int)((long)(px + 1) * codes / pw));
            for (int py = 0; py < ph; py++)
            {
                int k0 = (int)((long)py * chars / ph), k1 = Math.Max(k0 + 1, (int)((long)(py + 1) * chars / ph));
                float v = 0;
                for (int t = t0; t < Math.Min(t1, codes); t++)
                    for (int k = k0; k < Math.Min(k1, chars); k++) v = Math.Max(v, alignment[(long)t * chars + k]);
                byte g = (byte)(255 - Math.Clamp(v / max, 0, 1) * 225);
                c.Set(Left + px, Top + py, (g, g, (byte)Math.Min(255, g + 20)));
            }
        }
        double total = codes * secondsPerCode;
        foreach (var (first, seconds, text) in words)
        {
            int x = Left + (int)Math.Round(Math.Clamp(seconds / Math.Max(total, 1e-9), 0, 1) * (pw - 1));
            int y = Top + (int)((first + 0.5) * ph / Math.Max(chars, 1));
            c.Dot(x, y, WordColor);
            if (x + 5 + 7 * text.Length < Width) c.Text(x + 5, y - 3, text, WordColor);
        }
        c.HLine(Left, Left + pw - 1, Top + ph, Ink);
        c.VLine(Left - 1, Top, Top + ph, Ink);
        double step = new[] { 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 30, 60, 120 }.FirstOrDefault(v => total / v <= 10, 300);
        for (int i = 0; i * step <= total + 1e-9; i++)
        {
            double s = i * step;
            int x = Left + (int)Math.Round(s / Math.Max(total, 1e-9) * (pw - 1));
            c.VLine(x, Top + ph, Top + ph + 4, Ink);
            c.Text(x - 3, Top + ph + 8, s.ToString(step < 1 ? "0.0#" : "0", System.Globalization.CultureInfo.InvariantCulture), Ink);
        }
        c.Text(Left, Height - 14, "TIME (S)", Ink);
        c.Text(4, Top, "LYRICS", Ink);
        if (Title.Length > 0) c.Text(Left, 12, Title, Ink);
        return c;
    }
}
