using JukeboxBridge.Daemon.Jobs;

namespace JukeboxBridge.Daemon.Tests;

public class JobLifecycleStateTests
{
    private static DaemonJob NewJob() => new(new JobRequest("j1", "c", "sample", null, DateTimeOffset.UtcNow, null, 1, 1, 0, null, null, null, null, null, null, 0),
                                             Path.GetTempPath());

    [Fact]
    public void A_job_moves_only_along_the_state_machine()
    {
        var job = NewJob();
        Assert.Equal(JobLifecycle.Queued, job.State);
        Assert.Throws<InvalidOperationException>(() => job.MoveTo(JobLifecycle.Done));           // never ran
        job.MoveTo(JobLifecycle.Running);
        Assert.False(job.TryMove(JobLifecycle.Queued, JobLifecycle.Cancelled));                   // check and set: not queued any more
        Assert.Equal(JobLifecycle.Running, job.State);
        job.MoveTo(JobLifecycle.Cancelled);
        Assert.True(job.Finished);
        job.MoveTo(JobLifecycle.Queued);                                                          // a client's resume
        job.MoveTo(JobLifecycle.Running);
        job.MoveTo(JobLifecycle.Done);
        Assert.Equal("done", job.Info().State);
        foreach (var to in Enum.GetValues<JobLifecycle>())
            Assert.Throws<InvalidOperationException>(() => job.MoveTo(to));                       // done is final
    }

    [Fact]
    public void Every_state_has_one_wire_name_and_final_states_come_back_from_job_json()
    {
        var names = Enum.GetValues<JobLifecycle>().Select(s => s.WireName()).ToList();
        Assert.Equal(new[] { "queued", "running", "done", "failed", "cancelled" }, names);
        foreach (var s in new[] { JobLifecycle.Done, JobLifecycle.Failed, JobLifecycle.Cancelled })
            Assert.Equal(s, JobLifecycleNames.FinalFromStatus(s.WireName()));
        Assert.Null(JobLifecycleNames.FinalFromStatus("running"));
        Assert.Null(JobLifecycleNames.FinalFromStatus(null));
    }
}
