using JukeboxBridge.Audio.Wav;
using JukeboxBridge.TestSupport;

namespace JukeboxBridge.Cli.Tests;

/// <summary>Job folders an earlier build left behind resume in this one, to the take an uninterrupted run gives.</summary>
public class OldJobFolderTests
{
    [Fact]
    public void A_job_folder_of_an_earlier_build_resumes_to_the_uninterrupted_take()
    {
        string fixture = Path.Combine(Fixtures.RepoRoot, "tests", "data", "jobs", "continue-tiny-v1");
        using var dir = new TempDir();
        string job = dir.File("job");
        CopyFolder(Path.Combine(fixture, "job"), job);
        Assert.False(File.Exists(Path.Combine(job, "take-1.wav")));   // the folder was stopped part-way

        var (code, _, err) = CliRunner.Run("resume", job);
        Assert.True(code == 0, err);
        (code, _, err) = CliRunner.Run("continue", Path.Combine(fixture, "prompt.wav"), "--model", "tiny", "--seconds", "2",
                                       "--variations", "2", "--seed", "5", "--out", dir.File("fresh"));
        Assert.True(code == 0, err);
        for (int v = 1; v <= 2; v++)
        {
            var resumed = WavReader.Read(Path.Combine(job, $"take-{v}.wav"));
            var fresh = WavReader.Read(dir.File($"fresh/take-{v}.wav"));
            Assert.InRange(resumed.Frames, 3 * 44100 - 512, 3 * 44100);                     // 1 s prompt + 2 s, in whole top-level hops
            Assert.Equal(fresh.Channels[0], resumed.Channels[0]);
        }
    }

    private static void CopyFolder(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var f in Directory.GetFiles(from)) File.Copy(f, Path.Combine(to, Path.GetFileName(f)));
        foreach (var d in Directory.GetDirectories(from)) CopyFolder(d, Path.Combine(to, Path.GetFileName(d)));
    }
}
