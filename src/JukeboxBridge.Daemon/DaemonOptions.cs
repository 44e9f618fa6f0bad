using JukeboxBridge.Sampling.Devices;

namespace JukeboxBridge.Daemon;

/// <summary>How the daemon runs: where it listens, which model it serves, where jobs and keys live, and its limits.</summary>
public sealed record DaemonOptions
{
    public string Endpoint { get; init; } = "tcp://127.0.0.1:5555";
    /// <summary>The bundle served (null: the embedded default model).</summary>
    public string? Model { get; init; }
    public string JobsDir { get; init; } = DefaultJobsDir();
    /// <summary>Key folder (null: the per-user config folder).</summary>
    public string? KeysDir { get; init; }
    /// <summary>"auto" (CURVE on non-loopback binds), "on" or "off" (refused on non-loopback binds).</summary>
    public string Curve { get; init; } = "auto";
    public DeviceOptions Device { get; init; } = new();
    public long MaxMessageBytes { get; init; } = 64L << 20;
    public double MaxPromptSeconds { get; init; } = 60;
    public double MaxSeconds { get; init; } = 600;
    public int MaxQueuedJobsPerClient { get; init; } = 4;
    public int MaxVariations { get; init; } = 8;
    /// <summary>Block messages queued on the socket per client at most (beyond the client's credit nothing is sent anyway).</summary>
    public int SendHighWatermark { get; init; } = 64;

    public static string DefaultJobsDir()
    {
        string? xdg = Environment.GetEnvironmentVariable("XDG_DATA_HOME");
        string root = OperatingSystem.IsWindows() ? Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData)
            : !string.IsNullOrEmpty(xdg) ? xdg : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "share");
        return Path.Combine(root, "jukeboxbridge", "jobs");
    }

    /// <summary>Whether the endpoint only accepts connections from this machine.</summary>
    public bool IsLoopback
    {
        get
        {
            var host = Endpoint.StartsWith("tcp://") ? Endpoint[6..Endpoint.LastIndexOf(':')] : "";
            return host is "127.0.0.1" or "localhost" or "[::1]" or "::1";
        }
    }

    public bool UseCurve => Curve switch
    {
        "on" => true,
        "off" => IsLoopback ? false : throw new ArgumentException($"refusing to listen on {Endpoint} without encryption: a non-loopback bind needs CURVE (--curve auto or on)"),
        "auto" => !IsLoopback,
        _ => throw new ArgumentException($"--curve is auto, on or off, got '{Curve}'"),
    };
}
