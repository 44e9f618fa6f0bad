using JukeboxBridge.Sampling.Jobs;

namespace JukeboxBridge.Daemon.Jobs;

/// <summary>Where a daemon job is in its life. The wire and job.json spell these in lower case (<see cref="JobLifecycleNames"/>).</summary>
public enum JobLifecycle { Queued, Running, Done, Failed, Cancelled }

/// <summary>
/// The state machine: queued → running → done | failed | cancelled; queued → cancelled (cancelled while waiting);
/// running → queued (a daemon stop: resumed at the next start); cancelled | failed → queued (a client's resume).
/// Done is final. Anything else is a bug and throws.
/// </summary>
public static class JobLifecycleNames
{
    public static bool Allowed(JobLifecycle from, JobLifecycle to) => (from, to) switch
    {
        (JobLifecycle.Queued, JobLifecycle.Running or JobLifecycle.Cancelled) => true,
        (JobLifecycle.Running, JobLifecycle.Done or JobLifecycle.Failed or JobLifecycle.Cancelled or JobLifecycle.Queued) => true,
        (JobLifecycle.Cancelled or JobLifecycle.Failed, JobLifecycle.Queued) => true,
        _ => false,
    };

    /// <summary>The one mapping to the wire's and job.json's names.</summary>
    public static string WireName(this JobLifecycle s) => s switch
    {
        JobLifecycle.Queued => "queued", JobLifecycle.Running => JobStatus.Running, JobLifecycle.Done => JobStatus.Done,
        JobLifecycle.Failed => JobStatus.Failed, JobLifecycle.Cancelled => JobStatus.Cancelled,
        _ => throw new InvalidOperationException($"no wire name for {s}"),
    };

    /// <summary>A final state recorded in job.json, or null for a job that was still running (it is resumed).</summary>
    public static JobLifecycle? FinalFromStatus(string? state) => state switch
    {
        JobStatus.Done => JobLifecycle.Done, JobStatus.Failed => JobLifecycle.Failed, JobStatus.Cancelled => JobLifecycle.Cancelled, _ => null,
    };
}
