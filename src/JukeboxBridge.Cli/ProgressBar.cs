namespace JukeboxBridge.Cli;

/// <summary>
/// A one-line progress bar on stderr (redrawn in place on a terminal; a plain line every few seconds
/// when redirected, so logs stay readable).
/// </summary>
public sealed class ProgressBar
{
    private readonly TextWriter _w;
    private readonly bool _interactive;
    private DateTime _lastLine = DateTime.MinValue;

    public ProgressBar(TextWriter w, bool? interactive = null)
    {
        _w = w;
        _interactive = interactive ?? (ReferenceEquals(w, Console.Error) && !Console.IsErrorRedirected);
    }

    public void Update(long done, long total, string status, double secondsPerItem)
    {
        double frac = total > 0 ? Math.Clamp((double)done / total, 0, 1) : 0;
        const int width = 30;
        int filled = (int)(frac * width);
        string eta = secondsPerItem > 0 ? Format(TimeSpan.FromSeconds(secondsPerItem * (total - done))) : "?";
        string line = $"[{new string('#', filled)}{new string('.', width - filled)}] {done}/{total} {status} ({secondsPerItem:F2} s each, ETA {eta})";
        if (_interactive)
        {
            _w.Write("\r" + line.PadRight(Console.BufferWidth > 0 ? Math.Min(Console.BufferWidth - 1, 160) : 120));
            if (done >= total) _w.WriteLine();
        }
        else if (done >= total || (DateTime.UtcNow - _lastLine).TotalSeconds >= 5)
        {
            _w.WriteLine(line);
            _lastLine = DateTime.UtcNow;
        }
    }

    /// <summary>Prints a message above the bar.</summary>
    public void Message(string text)
    {
        if (_interactive) _w.Write("\r" + new string(' ', 120) + "\r");
        _w.WriteLine(text);
    }

    private static string Format(TimeSpan t) => t.TotalHours >= 1 ? $"{(int)t.TotalHours}h{t.Minutes:00}m" : t.TotalMinutes >= 1 ? $"{t.Minutes}m{t.Seconds:00}s" : $"{t.Seconds}s";
}
