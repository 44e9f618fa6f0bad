using System.Diagnostics;
using JukeboxBridge.Model.Prior;
using JukeboxBridge.Sampling.Jobs;

namespace JukeboxBridge.Sampling.Generation;

/// <summary>
/// Token accounting for a job's progress events: new tokens per planned window over all variations, what each level
/// has done, the window running now and how far into it, and an ETA from each level's measured rate. Events within a
/// window are throttled to one per 200 ms; window ends are always reported.
/// </summary>
internal sealed class ProgressMeter
{
    private readonly JobState _state;
    private readonly IProgress<JobProgress>? _sink;
    private readonly long _variations;
    private readonly long[] _levelTotal, _levelDone, _tokensRun;
    private readonly double[] _levelSeconds;
    private readonly long _jobTotal;
    private readonly Stopwatch _clock = Stopwatch.StartNew(), _windowClock = new();
    private int _current = -1;
    private long _inWindow;
    private double _lastEvent = -1;

    public ProgressMeter(IReadOnlyList<SimplePrior> priors, JobState state, IProgress<JobProgress>? sink)
    {
        _state = state; _sink = sink;
        int levels = priors.Count;
        _variations = state.Variations;
        var perWindow = Enumerable.Range(0, levels).Select(l => LevelSampling.NewTokens(priors[l].Options, state.Plans[l], state.InitialTokens[l])).ToArray();
        _levelTotal = perWindow.Select(w => w.Sum() * _variations).ToArray();
        _levelDone = Enumerable.Range(0, levels).Select(l => perWindow[l].Take(state.WindowsDone[l]).Sum() * _variations).ToArray();
        _jobTotal = _levelTotal.Sum();
        _levelSeconds = new double[levels];
        _tokensRun = new long[levels];
    }

    /// <summary>An event per level (the job's starting point).</summary>
    public void ReportAll()
    {
        for (int l = 0; l < _levelTotal.Length; l++) Report(l, force: true);
    }

    public void WindowStarted(int level)
    {
        _current = level;
        _inWindow = 0;
        _windowClock.Restart();
    }

    /// <summary>Tokens sampled so far in the running window (over the batch).</summary>
    public void Tokens(int level, long inWindow)
    {
        _inWindow = inWindow;
        Report(level, force: false);
    }

    public void WindowDone(WindowReport w)
    {
        _windowClock.Stop();
        _levelSeconds[w.Level] += _windowClock.Elapsed.TotalSeconds;
        _tokensRun[w.Level] += w.NewTokens * _variations;
        _levelDone[w.Level] += w.NewTokens * _variations;
        _current = -1;
        _inWindow = 0;
    }

    public void Report(int level, bool force)
    {
        if (_sink is null || (!force && _clock.Elapsed.TotalSeconds - _lastEvent < 0.2)) return;
        _lastEvent = _clock.Elapsed.TotalSeconds;
        long done = _levelDone[level] + (level == _current ? _inWindow : 0);
        _sink.Report(new JobProgress(level, _state.WindowsDone[level], _state.Plans[level].Count, done, _levelTotal[level],
            _levelDone.Sum() + (_current >= 0 ? _inWindow : 0), _jobTotal, _clock.Elapsed.TotalSeconds, Eta()));
    }

    private double? Eta()
    {
        int levels = _levelTotal.Length;
        var rates = Enumerable.Range(0, levels).Where(l => _tokensRun[l] > 0).Select(l => _levelSeconds[l] / _tokensRun[l]).ToList();
        if (rates.Count == 0) return null;
        double fallback = rates.Average();
        return Enumerable.Range(0, levels).Sum(l =>
            Math.Max(0, _levelTotal[l] - _levelDone[l] - (l == _current ? _inWindow : 0)) * (_tokensRun[l] > 0 ? _levelSeconds[l] / _tokensRun[l] : fallback));
    }
}
