using JukeboxBridge.Audio;
using JukeboxBridge.Audio.Analysis;
using JukeboxBridge.Audio.Wav;
using JukeboxBridge.TestSupport;

namespace JukeboxBridge.Cli.Tests;

/// <summary>User errors are one line and exit 1; bugs are an id, a trace and exit 70 (never "bad input" for a bug).</summary>
public class ErrorReportingTests
{
    [Fact]
    public void A_bad_setting_is_one_line_that_names_the_option()
    {
        using var dir = new TempDir();
        WavWriter.Write(dir.File("in.wav"), AudioClip.Mono(44100, ToneAnalysis.Sine(44100, 440, 0.5, 4410)), WavSampleFormat.Pcm16);
        var (code, stdout, stderr) = CliRunner.Run("convert", dir.File("in.wav"), dir.File("out.wav"), "--rate", "10");
        Assert.Equal(JukeboxBridge.Cli.CliContext.UserErrorExit, code);
        Assert.Equal("", stdout);
        Assert.Equal("error: --rate 10: choose a rate between 1000 and 768000 Hz", stderr.Trim());
        Assert.False(File.Exists(dir.File("out.wav")));

        (code, _, stderr) = CliRunner.Run("convert", dir.File("missing.wav"), dir.File("out.wav"));
        Assert.Equal(1, code);
        Assert.Single(stderr.Trim().Split('\n'));
        Assert.Contains("missing.wav", stderr);
    }

    [Fact]
    public void A_bug_is_reported_with_an_id_and_its_trace_not_as_bad_input()
    {
        var err = new StringWriter();
        var ctx = new CliContext(new StringWriter(), err);
        int code = ctx.Guard(() => throw new ArgumentException("shape [2, 3] does not match [2, 4]"));
        Assert.Equal(CliContext.InternalErrorExit, code);
        var lines = err.ToString().Split('\n');
        Assert.Matches(@"^internal error [0-9a-f]{8}: ArgumentException: shape \[2, 3\] does not match \[2, 4\]$", lines[0].TrimEnd());
        Assert.Contains(lines, l => l.TrimStart().StartsWith("at ", StringComparison.Ordinal));   // the trace follows

        err.GetStringBuilder().Clear();
        Assert.Equal(1, ctx.Guard(() => throw new JukeboxBridge.Errors.UserInputException("--seconds", "--seconds must be positive")));
        Assert.Equal("error: --seconds must be positive", err.ToString().Trim());
        Assert.Throws<OperationCanceledException>(() => ctx.Guard(() => throw new OperationCanceledException()));
    }
}
