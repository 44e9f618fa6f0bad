using JukeboxBridge.Sampling.Jobs;

namespace JukeboxBridge.Cli;

/// <summary>
/// One live progress bar per level (top level first) for a sampling job, redrawn in place on a terminal; when stderr
/// is redirected, a plain line per level every few seconds and when a level completes, so logs stay readable.
/// </summary>
public sealed class LevelProgress
{
    private readonly TextWriter _w;
    private readonly bool _interactive;
    private readonly JobProgress?[] _last;
    private bool _drawn;
    private DateTime _lastLine = DateTime.MinValue;
    private readonly bool[] _announcedDone;

    public LevelProgress(TextWriter w, int levels, bool? interactive = null)
    {
        _w = w;
        _interactive = interactive ?? (ReferenceEquals(w, Console.Error) && !Console.IsErrorRedirected);
        _last = new JobProgress?[levels];
        _announcedDone = new bool[levels];
    }

    public void Update(JobProgress p)
    {
        _last[p.Level] = p;
        if (_interactive)
        {
            if (_drawn) _w.Write($"\x1b[{_last.Length}A");
            for (int l = _last.Length - 1; l >= 0; l--) _w.WriteLine("\r" + Line(l, p).PadRight(100));
            _drawn = true;
            return;
        }
        bool levelDone = p.WindowsTotal > 0 && p.WindowsDone == p.WindowsTotal && !_announcedDone[p.Level];
        if (levelDone) _announcedDone[p.Level] = true;
        if (levelDone || (DateTime.UtcNow - _lastLine).TotalSeconds >= 5)
        {
            _w.WriteLine(Line(p.Level, p));
            _lastLine = DateTime.UtcNow;
        }
    }

    /// <summary>Prints a message below the bars.</summary>
    public void Message(string text)
    {
        _w.WriteLine(text);
        _drawn = false;
    }

    private string Line(int level, JobProgress job)
    {
        var p = _last[level];
        string name = level == _last.Length - 1 ? "top    " : $"level {level}";
        if (p is null || p.WindowsTotal == 0) return $"{name} {(p is null ? "waiting" : "kept (not sampled)")}";
        double frac = p.TokensTotal > 0 ? Math.Clamp((double)p.TokensDone / p.TokensTotal, 0, 1) : 1;
        const int width = 30;
        int filled = (int)(frac * width);
        string eta = job.EtaSeconds is double e ? Format(e) : "?";
        return $"{name} [{new string('#', filled)}{new string('.', width - filled)}] {frac * 100,3:F0}%  window {p.WindowsDone}/{p.WindowsTotal}  " +
               $"{p.TokensDone}/{p.TokensTotal} codes  elapsed {Format(job.ElapsedSeconds)}  ETA {eta}";
    }

    private static string Format(double s)
    {
        var t = TimeSpan.FromSeconds(Math.Max(0, s));
        return t.TotalHours >= 1 ? $"{(int)t.TotalHours}h{t.Minutes:00}m" : t.TotalMinutes >= 1 ? $"{t.Minutes}m{t.Seconds:00}s" : $"{t.Seconds}s";
    }
}
