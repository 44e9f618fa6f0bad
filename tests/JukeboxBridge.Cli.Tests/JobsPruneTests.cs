using JukeboxBridge.Daemon;
using JukeboxBridge.TestSupport;

namespace JukeboxBridge.Cli.Tests;

/// <summary>`jukebox jobs --prune`: finished jobs leave the jobs folder, running or interrupted ones stay, and a live daemon's folder is refused.</summary>
public class JobsPruneTests
{
    private static void FakeJob(string jobs, string id, string state, DateTimeOffset created)
    {
        string dir = Path.Combine(jobs, "local", id);
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "request.json"), new JukeboxBridge.Daemon.Jobs.JobRequest(id, "local", "sample", null, created,
            null, 1, 1, 0, null, null, null, null, null, null, 0).ToJson());
        if (state != "queued") File.WriteAllText(Path.Combine(dir, "job.json"), $"{{\"state\": \"{state}\"}}");
    }

    [Fact]
    public void Prune_deletes_old_finished_jobs_only_and_refuses_a_folder_a_daemon_holds()
    {
        using var dir = new TempDir();
        string jobs = dir.File("jobs");
        var old = DateTimeOffset.UtcNow.AddDays(-40);
        FakeJob(jobs, "20260101-000000-aaaaaa", "done", old);
        FakeJob(jobs, "20260101-000000-bbbbbb", "failed", old);
        FakeJob(jobs, "20260101-000000-cccccc", "queued", old);                       // interrupted: kept to resume
        FakeJob(jobs, "20261201-000000-dddddd", "done", DateTimeOffset.UtcNow);

        var (code, stdout, err) = CliRunner.Run(["jobs", "--prune", "--older-than", "30", "--jobs", jobs]);
        Assert.True(code == 0, err);
        Assert.Contains("deleted 2 finished job(s) older than 30 days", stdout);
        Assert.Equal(["20260101-000000-cccccc", "20261201-000000-dddddd"],
            Directory.GetDirectories(Path.Combine(jobs, "local")).Select(Path.GetFileName).Order().ToArray());

        using (JukeboxDaemon.LockJobs(jobs))
        {
            (code, _, err) = CliRunner.Run(["jobs", "--prune", "--jobs", jobs]);
            Assert.Equal(1, code);
            Assert.Contains("another jukebox daemon is using the jobs folder", err);
        }
        (code, _, err) = CliRunner.Run(["jobs", "--older-than", "3"]);
        Assert.Equal(1, code);
        Assert.Contains("go with --prune", err);
    }
}
