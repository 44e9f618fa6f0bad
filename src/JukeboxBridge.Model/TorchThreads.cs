using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using JukeboxBridge.Errors;
using static TorchSharp.torch;

namespace JukeboxBridge.Model;

/// <summary>How many intra-op threads Torch may use: a fixed number, or Auto (the cores other processes leave free).</summary>
public readonly record struct ThreadSetting(int Fixed)
{
    public static readonly ThreadSetting Auto = new(0);
    public bool IsAuto => Fixed <= 0;
    public override string ToString() => IsAuto ? "auto" : Fixed.ToString(CultureInfo.InvariantCulture);

    /// <summary>"auto" or a thread count 1..1024 (the --threads option, JUKEBOX_THREADS).</summary>
    public static ThreadSetting Parse(string text, string field = "--threads")
    {
        var s = text.Trim();
        if (s.Equals("auto", StringComparison.OrdinalIgnoreCase)) return Auto;
        if (int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n is >= 1 and <= 1024) return new(n);
        throw new UserInputException(field, $"{field} must be 'auto' or a thread count from 1 to 1024, not '{text}'");
    }
}

/// <summary>
/// Torch's intra-op threads in a process that shares the machine (a DAW, a build, another job). Measured on the
/// 2-core CI machine with one busy process beside the prior-sampling benchmark: 2 OpenMP threads spin-wait for a core
/// the other process holds and run at 44 tokens/s, 1 thread runs at 94 (quiet: 2 threads 122, 1 thread 90). A
/// passive OpenMP wait policy instead costs a third of the quiet speed (78 tokens/s): ~600 parallel regions per token
/// each pay a futex wake-up. So the wait policy stays, and the thread count follows the free cores: Auto measures
/// what other processes used of the machine's cores since the last look (Linux: /proc/stat minus this process's
/// /proc/self/stat) and re-checks while sampling, at most every <see cref="RecheckInterval"/>. Elsewhere Auto means
/// every core. The thread count is process-wide in libtorch: <see cref="Tick"/> runs on the sampling thread between
/// tokens.
/// </summary>
public static class TorchThreads
{
    public static readonly TimeSpan RecheckInterval = TimeSpan.FromSeconds(1);
    private static ThreadSetting? _setting;                   // null: not configured (Torch's own default; Tick does nothing)
    private static CpuSample? _last;
    private static readonly Stopwatch Clock = Stopwatch.StartNew();
    private static TimeSpan _lastCheck;
    private static readonly object Gate = new();

    public static ThreadSetting? Setting => _setting;
    private static ThreadSetting? _requested;
    public static ThreadSetting? Requested => _requested;

    /// <summary>
    /// What the process asked for (the CLI's and the daemon's --threads, JUKEBOX_THREADS), applied when sampling starts
    /// (<see cref="Begin"/>), so that commands that never sample never load Torch for it. Libraries and tests that do
    /// not call this keep Torch's default.
    /// </summary>
    public static void Request(ThreadSetting setting) => _requested = setting;

    /// <summary>Called as sampling starts: applies the requested setting (auto: looks at the machine now).</summary>
    public static void Begin()
    {
        if (_requested is { } r) Use(r);
    }

    /// <summary>The setting the process asked for: the --threads value when given, else JUKEBOX_THREADS, else auto.</summary>
    public static ThreadSetting FromEnvironment(string? option)
    {
        if (!string.IsNullOrWhiteSpace(option)) return ThreadSetting.Parse(option);
        var env = Environment.GetEnvironmentVariable("JUKEBOX_THREADS");
        return string.IsNullOrWhiteSpace(env) ? ThreadSetting.Auto : ThreadSetting.Parse(env, "JUKEBOX_THREADS");
    }

    /// <summary>Applies a setting now (Auto: a 100 ms look at the machine); returns the thread count.</summary>
    public static int Use(ThreadSetting setting)
    {
        lock (Gate)
        {
            _setting = setting;
            _last = null;                                                         // a fresh look, not the time since an old one
            int n = setting.IsAuto ? FreeCores(TimeSpan.FromMilliseconds(100)) : setting.Fixed;
            if (get_num_threads() != n) set_num_threads(n);
            _lastCheck = Clock.Elapsed;
            return n;
        }
    }

    /// <summary>Called between tokens: with Auto, follows the free cores (cheap when not due).</summary>
    public static void Tick()
    {
        if (_setting is not { IsAuto: true } || Clock.Elapsed - _lastCheck < RecheckInterval) return;
        lock (Gate)
        {
            if (Clock.Elapsed - _lastCheck < RecheckInterval) return;
            _lastCheck = Clock.Elapsed;
            int n = FreeCores(TimeSpan.Zero);
            if (get_num_threads() != n) set_num_threads(n);
        }
    }

    /// <summary>Cores not used by other processes since the previous sample (or over <paramref name="window"/> when none is recent).</summary>
    public static int FreeCores(TimeSpan window)
    {
        int cores = Environment.ProcessorCount;
        if (!OperatingSystem.IsLinux()) return cores;
        var now = CpuSample.Read();
        if (now is null) return cores;
        var before = _last;
        if (before is null || now.Value.At - before.Value.At > TimeSpan.FromSeconds(10) || now.Value.At - before.Value.At < TimeSpan.FromMilliseconds(50))
        {
            if (window <= TimeSpan.Zero) { _last = now; return Math.Max(1, get_num_threads()); }
            before = now;
            Thread.Sleep(window);
            now = CpuSample.Read();
            if (now is null) return cores;
        }
        _last = now;
        return FreeOf(before.Value, now.Value, cores);
    }

    /// <summary>Free cores between two samples: all cores minus what others kept busy, rounded so that a quarter core of noise does not count.</summary>
    public static int FreeOf(CpuSample a, CpuSample b, int cores)
    {
        double machine = b.MachineBusy - a.MachineBusy, self = b.SelfBusy - a.SelfBusy, total = b.MachineTotal - a.MachineTotal;
        if (total <= 0) return cores;
        double others = Math.Max(0, machine - self) / total * cores;               // in cores
        return Math.Clamp(cores - (int)Math.Floor(others + 0.75), 1, cores);
    }
}

/// <summary>One look at the CPU counters (Linux, in clock ticks): the machine's busy and total time, this process's busy time.</summary>
public readonly record struct CpuSample(double MachineBusy, double MachineTotal, double SelfBusy, TimeSpan At)
{
    private static readonly Stopwatch Clock = Stopwatch.StartNew();

    public static CpuSample? Read()
    {
        try
        {
            var cpu = File.ReadLines("/proc/stat").First(l => l.StartsWith("cpu ", StringComparison.Ordinal));
            var f = cpu.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(double.Parse).ToArray();
            double idle = f[3] + (f.Length > 4 ? f[4] : 0), total = f.Take(Math.Min(f.Length, 8)).Sum();   // user..steal; guest is inside user
            var stat = File.ReadAllText("/proc/self/stat");
            var rest = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');                 // fields from 3 (state) on
            double self = double.Parse(rest[11], CultureInfo.InvariantCulture) + double.Parse(rest[12], CultureInfo.InvariantCulture);   // utime, stime
            return new CpuSample(total - idle, total, self, Clock.Elapsed);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or InvalidOperationException or IndexOutOfRangeException)
        {
            return null;
        }
    }
}
