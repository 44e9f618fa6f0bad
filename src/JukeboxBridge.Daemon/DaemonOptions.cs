using JukeboxBridge.Errors;
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
    /// <summary>The styles offered to clients after auth (`jukebox styles add`; null: the per-user styles folder).</summary>
    public string? StylesDir { get; init; }
    /// <summary>"auto" (CURVE on non-loopback binds), "on" or "off" (refused on non-loopback binds).</summary>
    public string Curve { get; init; } = "auto";
    public DeviceOptions Device { get; init; } = new();
    /// <summary>
    /// The largest message accepted, enforced by the socket before a frame is buffered (0: sized from the longest prompt,
    /// <see cref="MaxPromptSeconds"/> of <see cref="MaxPromptRate"/> Hz stereo float32, plus the header limit).
    /// </summary>
    public long MaxMessageBytes { get; init; }
    public double MaxPromptSeconds { get; init; } = 60;
    /// <summary>Prompts are at most this rate and two channels (a DAW at 96 kHz sends its loop as it is).</summary>
    public int MaxPromptRate { get; init; } = 96000;
    public const int MaxPromptChannels = 2;
    public double MaxSeconds { get; init; } = 600;
    public int MaxQueuedJobsPerClient { get; init; } = 4;
    public int MaxVariations { get; init; } = 8;
    /// <summary>Block messages queued on the socket per client at most (beyond the client's credit nothing is sent anyway).</summary>
    public int SendHighWatermark { get; init; } = 64;
    /// <summary>Messages buffered per connection before the socket stops reading it (each at most <see cref="MaxMessageBytes"/>).</summary>
    public int ReceiveHighWatermark { get; init; } = 4;
    /// <summary>Connections that said hello but have not authenticated, at most; beyond that new ones get `busy`.</summary>
    public int MaxPendingSessions { get; init; } = 64;
    /// <summary>Seconds a connection has to authenticate after its hello.</summary>
    public double PendingSessionSeconds { get; init; } = 10;
    /// <summary>An authenticated session that sends nothing (clients ping every few seconds) for this long is ended.</summary>
    public double SessionIdleSeconds { get; init; } = 60;
    /// <summary>Per client: jobs kept (finished ones included) and disk used by their folders; a submit over either is refused.</summary>
    public int MaxJobsPerClient { get; init; } = 500;
    public long MaxDiskBytesPerClient { get; init; } = 20L << 30;
    /// <summary>Finished jobs older than this are deleted at start and once an hour (0: keep them).</summary>
    public double RetainDays { get; init; } = 30;
    /// <summary>A job that was running when the daemon died this many times is marked failed instead of resumed again.</summary>
    public int MaxJobCrashes { get; init; } = 3;

    /// <summary><see cref="MaxMessageBytes"/> as enforced.</summary>
    public long EffectiveMaxMessageBytes => MaxMessageBytes > 0 ? MaxMessageBytes
        : (long)Math.Ceiling(MaxPromptSeconds * MaxPromptRate) * MaxPromptChannels * 4 + JukeboxBridge.Protocol.Messages.FrameLimits.DefaultHeaderBytes;

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
        "off" => IsLoopback ? false : throw new UserInputException("--curve", $"refusing to listen on {Endpoint} without encryption: a non-loopback bind needs CURVE (--curve auto or on)"),
        "auto" => !IsLoopback,
        _ => throw new UserInputException("--curve", $"--curve is auto, on or off, got '{Curve}'"),
    };
}
