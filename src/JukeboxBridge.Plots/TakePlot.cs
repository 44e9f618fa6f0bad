using JukeboxBridge.Audio;
using JukeboxBridge.Audio.Analysis;

namespace JukeboxBridge.Plots;

/// <summary>
/// A picture of one take: the waveform (min/max per pixel column) above a log-frequency spectrogram, sharing a time
/// axis in seconds, with the prompt/continuation boundary drawn across both and the two parts labelled.
/// </summary>
public sealed class TakePlot
{
    public int Width { get; init; } = 1000;
    public int Height { get; init; } = 560;
    public string Title { get; init; } = "";
    /// <summary>Lowest frequency shown (Hz); the top is the Nyquist frequency.</summary>
    public double MinHz { get; init; } = 40;
    /// <summary>Dynamic range of the spectrogram colours (dB below the loudest bin).</summary>
    public double RangeDb { get; init; } = 80;

    public const int Left = 70, Right = 20, Top = 36, Gap = 24, Bottom = 40;
    public static readonly (byte R, byte G, byte B) BoundaryColor = (230, 40, 40);
    private static readonly (byte, byte, byte) Wave = (30, 90, 170), PromptWave = (120, 120, 120), Ink = (50, 50, 50);

    /// <summary>Pixel column of time <paramref name="seconds"/> in a take of <paramref name="totalSeconds"/>.</summary>
    public int ColumnOf(double seconds, double totalSeconds) =>
        Left + (int)Math.Round(Math.Clamp(seconds / Math.Max(totalSeconds, 1e-9), 0, 1) * (Width - Left - Right - 1));

    /// <summary>Panels: waveform from Top to Top+waveHeight, spectrogram below it.</summary>
    public (int WaveTop, int WaveBottom, int SpecTop, int SpecBottom) Panels
    {
        get
        {
            int plotH = Height - Top - Bottom - Gap;
            int waveH = plotH / 3;
            return (Top, Top + waveH - 1, Top + waveH + Gap, Height - Bottom - 1);
        }
    }

    public byte[] RenderPng(AudioClip take, double promptSeconds) => Render(take, promptSeconds).ToPng();

    public Canvas Render(AudioClip take, double promptSeconds)
    {
        var c = new Canvas(Width, Height);
        var x = take.ToMono().Channels[0];
        int rate = take.SampleRate, pw = Width - Left - Right;
        double total = Math.Max(x.Length, 1) / (double)rate;
        var (wTop, wBot, sTop, sBot) = Panels;
        int boundary = promptSeconds > 0 ? ColumnOf(promptSeconds, total) : -1;

        // Waveform: min/max of the samples under each column.
        int mid = (wTop + wBot) / 2, half = (wBot - wTop) / 2;
        c.HLine(Left, Left + pw - 1, mid, (220, 220, 220));
        for (int col = 0; col < pw; col++)
        {
            long a = (long)col * x.Length / pw, b = Math.Max(a + 1, (long)(col + 1) * x.Length / pw);
            float lo = 0, hi = 0;
            for (long i = a; i < b && i < x.Length; i++) { lo = Math.Min(lo, x[i]); hi = Math.Max(hi, x[i]); }
            int y0 = mid - (int)Math.Round(Math.Clamp(hi, -1, 1) * half), y1 = mid - (int)Math.Round(Math.Clamp(lo, -1, 1) * half);
            c.VLine(Left + col, y0, y1, Left + col < boundary ? PromptWave : Wave);
        }

        // Spectrogram: dB relative to the loudest bin, log-frequency rows.
        int fft = 2048, hop = Math.Max(64, x.Length / Math.Max(pw, 1) / 64 * 64);
        var spec = Spectrogram.Compute(x, rate, fft, Math.Min(hop, 512));
        double peak = spec.Magnitudes.Max(r => r.Max());
        double nyq = rate / 2.0, lf0 = Math.Log(MinHz), lf1 = Math.Log(nyq);
        int sh = sBot - sTop + 1;
        for (int col = 0; col < pw; col++)
        {
            double t = (col + 0.5) / pw * total;
            int frame = Math.Clamp((int)Math.Round((t * rate - fft / 2.0) / spec.Hop), 0, spec.Magnitudes.Length - 1);
            var row = spec.Magnitudes[frame];
            for (int py = 0; py < sh; py++)
            {
                double hz = Math.Exp(lf1 - (py + 0.5) / sh * (lf1 - lf0));
                int bin = Math.Clamp((int)Math.Round(hz / spec.BinHz), 0, row.Length - 1);
                double db = 20 * Math.Log10(Math.Max(row[bin], 1e-12) / Math.Max(peak, 1e-12));
                c.Set(Left + col, sTop + py, Colormap(Math.Clamp(1 + db / RangeDb, 0, 1)));
            }
        }

        // Frames, ticks and labels.
        foreach (var (t0, t1) in new[] { (wTop, wBot), (sTop, sBot) })
        {
            c.HLine(Left, Left + pw - 1, t1, Ink); c.VLine(Left - 1, t0, t1, Ink);
        }
        for (int i = 0; i <= 8; i++)
        {
            double t = total * i / 8;
            int gx = ColumnOf(t, total);
            c.VLine(gx, sBot + 1, sBot + 4, Ink);
            c.Text(gx - 10, sBot + 8, t.ToString(total >= 20 ? "0" : "0.0") + "S", Ink);
        }
        foreach (double hz in new[] { 100.0, 1000, 10000 })
        {
            if (hz < MinHz || hz > nyq) continue;
            int py = sTop + (int)Math.Round((lf1 - Math.Log(hz)) / (lf1 - lf0) * sh);
            c.HLine(Left - 5, Left - 2, py, Ink);
            c.Text(4, py - 3, hz >= 1000 ? $"{hz / 1000:0}K HZ" : $"{hz:0} HZ", Ink);
        }
        c.Text(4, mid - 3, "WAVE", Ink);
        c.Text(Left, 10, Title, (0, 0, 0));
        if (boundary >= 0)
        {
            for (int y = wTop; y <= sBot; y++) { c.Set(boundary, y, BoundaryColor); c.Set(boundary + 1, y, BoundaryColor); }
            c.Text(Math.Max(Left, boundary - 7 * 7 - 4), Top - 12, "PROMPT", BoundaryColor);
            c.Text(boundary + 6, Top - 12, "CONTINUATION", BoundaryColor);
        }
        return c;
    }

    private static readonly double[] Stops = [0, 0, 4, 80, 18, 123, 190, 55, 85, 250, 140, 40, 252, 253, 191];

    /// <summary>Black → purple → orange → pale yellow (a magma-like ramp), for v in [0, 1].</summary>
    public static (byte R, byte G, byte B) Colormap(double v)
    {
        double p = Math.Clamp(v, 0, 1) * 4;
        int i = Math.Min(3, (int)p);
        double f = p - i;
        byte Ch(int k) => (byte)Math.Round(Stops[i * 3 + k] + (Stops[(i + 1) * 3 + k] - Stops[i * 3 + k]) * f);
        return (Ch(0), Ch(1), Ch(2));
    }
}
