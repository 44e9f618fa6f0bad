using System.Diagnostics;
using JukeboxBridge.Model;
using Xunit;

namespace JukeboxBridge.Cli.Tests;

/// <summary>--threads on the real jukebox process: doctor reports the setting; a bad value is a user error naming the option.</summary>
public class ThreadsOptionTests
{
    private static (int Code, string Out, string Err) Jukebox(IDictionary<string, string>? env, params string[] args)
    {
        var psi = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "jukebox"), args)
        { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var (k, v) in env ?? new Dictionary<string, string>()) psi.Environment[k] = v;
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        string output = p.StandardOutput.ReadToEnd();
        Assert.True(p.WaitForExit(120_000), "jukebox did not exit");
        return (p.ExitCode, output, err.Result);
    }

    [Fact]
    public void Doctor_reports_a_fixed_thread_count()
    {
        var (code, output, err) = Jukebox(null, "doctor", "--threads", "3");
        Assert.True(code == 0, err + output);
        Assert.Contains("threads:       3 (3 while sampling now;", output);
    }

    [Fact]
    public void Auto_is_the_default_and_the_environment_sets_it_too()
    {
        var (code, output, err) = Jukebox(new Dictionary<string, string> { ["JUKEBOX_THREADS"] = "" }, "doctor");
        Assert.True(code == 0, err + output);
        Assert.Contains("threads:       auto (", output);
        (code, output, err) = Jukebox(new Dictionary<string, string> { ["JUKEBOX_THREADS"] = "2" }, "doctor");
        Assert.True(code == 0, err + output);
        Assert.Contains("threads:       2 (2 while sampling now;", output);
    }

    [Fact]
    public void A_bad_count_is_a_user_error_naming_the_option()
    {
        var (code, _, err) = Jukebox(null, "doctor", "--threads", "lots");
        Assert.Equal(1, code);
        Assert.Contains("--threads must be 'auto' or a thread count", err);
        (code, _, err) = Jukebox(new Dictionary<string, string> { ["JUKEBOX_THREADS"] = "0" }, "doctor");
        Assert.Equal(1, code);
        Assert.Contains("JUKEBOX_THREADS must be 'auto' or a thread count", err);
    }
}
