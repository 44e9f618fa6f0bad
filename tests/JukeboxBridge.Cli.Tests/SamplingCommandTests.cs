using JukeboxBridge.Audio;
using JukeboxBridge.Audio.Analysis;
using JukeboxBridge.Audio.Wav;
using JukeboxBridge.Model.Vqvae;
using JukeboxBridge.Sampling;
using JukeboxBridge.Sampling.Jobs;
using JukeboxBridge.TestSupport;

namespace JukeboxBridge.Cli.Tests;

public class SamplingCommandTests
{
    private static string Prompt(TempDir dir)
    {
        var clip = new AudioClip(48000, new[] { ToneAnalysis.Sine(48000, 330, 0.4, 24000), ToneAnalysis.Sine(48000, 440, 0.4, 24000) });
        WavWriter.Write(dir.File("prompt.wav"), clip, WavSampleFormat.Pcm16);
        return dir.File("prompt.wav");
    }

    [Fact]
    public void A_preview_then_the_upsample_of_its_chosen_variation_from_the_job_folder()
    {
        using var dir = new TempDir();
        string preview = dir.File("preview");
        var (code, _, err) = CliRunner.Run("continue", Prompt(dir), "--model", "tiny", "--seconds", "0.4", "--variations", "3",
                                           "--quality", "preview", "--temperature", "0.8", "--seed", "7", "--timeline-seconds", "2.5", "--out", preview);
        Assert.True(code == 0, err);
        Assert.Contains("preview", err);
        Assert.Contains("--variation K", err);                                    // says how to upsample the keeper
        Assert.DoesNotContain("level 0 [", err);                                  // no level-0 bar: nothing sampled there
        Assert.Equal(JobQuality.Preview, TakeStore.Open(preview).ReadSettings().Quality);

        (code, _, err) = CliRunner.Run("upsample", preview, "--variation", "3", "--out", dir.File("up"));
        Assert.True(code == 0, err);
        var up = TakeStore.Open(dir.File("up")).ReadSettings();
        Assert.Equal((1, 2, 7), (up.Variations, up.Variation!.Value, up.Seed));
        Assert.Equal(new[] { 0.8, 0.8, 0.8 }, up.Temperature);                     // carried over from the preview
        using (var a = CodesFile.Load(Path.Combine(preview, "codes.safetensors")))
        using (var b = CodesFile.Load(dir.File("up/codes.safetensors")))
        {
            Assert.True(a.Levels[2].narrow(0, 2, 1).eq(b.Levels[2]).all().item<bool>(), "the third variation's top level");
            Assert.Equal(b.Levels[2].shape[1] * b.HopLengths[2], b.Levels[0].shape[1] * b.HopLengths[0]);   // upsampled to the end
        }
        Assert.Equal(WavReader.Read(Path.Combine(preview, "take-3.wav")).Frames, WavReader.Read(dir.File("up/take-1.wav")).Frames);
        // Both are stamped (BWF bext) with where they belong on the timeline, at the take's rate.
        var stamp = BextInfo.Find(File.ReadAllBytes(Path.Combine(preview, "take-3.wav")))!;
        Assert.Equal(110250, stamp.TimeReference);
        Assert.Contains("take 3 of 3, job preview", stamp.Description);
        var upStamp = BextInfo.Find(File.ReadAllBytes(dir.File("up/take-1.wav")))!;
        Assert.Equal(110250, upStamp.TimeReference);
        Assert.Contains("upsampled from preview variation 3", upStamp.Description);

        (code, _, err) = CliRunner.Run("upsample", preview, "--variation", "4", "--out", dir.File("up4"));
        Assert.Equal(1, code);
        Assert.Contains("variation 4 does not exist", err);
        (code, _, err) = CliRunner.Run("upsample", preview, "--quality", "preview", "--out", dir.File("upq"));
        Assert.NotEqual(0, code);                                                 // an upsample has no --quality
    }

    [Fact]
    public void Continue_writes_a_job_folder_that_upsample_and_decode_read_back()
    {
        using var dir = new TempDir();
        string job = dir.File("takes");
        var (code, stdout, err) = CliRunner.Run("continue", Prompt(dir), "--model", "tiny", "--seconds", "0.4", "--variations", "2",
                                                "--temperature", "0.9", "--block-seconds", "0.2", "--out", job);
        Assert.True(code == 0, err);
        foreach (var f in new[] { "take-1.wav", "take-2.wav", "take-1.png", "take-2.png", "codes.safetensors", "settings.json", "job.json" })
            Assert.True(File.Exists(Path.Combine(job, f)), $"{f} missing; stderr: {err}");
        Assert.Contains(Path.Combine(job, "take-2.wav"), stdout);
        Assert.Contains("level 0", err);                                          // per-level progress
        var settings = TakeStore.Open(job).ReadSettings();
        Assert.Equal(new[] { 0.9, 0.9, 0.9 }, settings.Temperature);
        Assert.Equal("prompt.wav", settings.Prompt);
        var take = WavReader.Read(Path.Combine(job, "take-1.wav"));
        Assert.Equal(44100, take.SampleRate);
        Assert.Equal(22050 / 128 * 128 + 17640 / 128 * 128, take.Frames);   // whole top-level codes of prompt and continuation

        // The folder exists: a second run into it is refused and points at resume; resume says it is complete.
        (code, _, err) = CliRunner.Run("continue", Prompt(dir), "--model", "tiny", "--out", job);
        Assert.Equal(1, code);
        Assert.Contains("jukebox resume", err);
        (code, _, err) = CliRunner.Run("resume", job);
        Assert.Equal(0, code);
        Assert.Contains("already complete", err);

        // Upsample the top-level codes (model and kept prompt from the codes file), and decode without --model.
        (code, _, err) = CliRunner.Run("upsample", Path.Combine(job, "codes.safetensors"), "--seed", "5", "--out", dir.File("up"));
        Assert.True(code == 0, err);
        using (var a = CodesFile.Load(Path.Combine(job, "codes.safetensors")))
        using (var b = CodesFile.Load(dir.File("up/codes.safetensors")))
        {
            Assert.True(a.Levels[2].eq(b.Levels[2]).all().item<bool>(), "upsampling keeps the top level");
            Assert.False(a.Levels[0].eq(b.Levels[0]).all().item<bool>(), "upsampling re-samples level 0");
        }
        (code, _, err) = CliRunner.Run("decode", dir.File("up/codes.safetensors"), "--out", dir.File("up.wav"));
        Assert.True(code == 0, err);
        Assert.Equal(take.Frames, WavReader.Read(dir.File("up-1.wav")).Frames);
    }

    [Fact]
    public void Sample_and_resume_from_the_command_line()
    {
        using var dir = new TempDir();
        var (code, _, err) = CliRunner.Run("sample", "--model", "tiny", "--seconds", "0.3", "--out", dir.File("anc"));
        Assert.True(code == 0, err);
        Assert.Equal((long)Math.Round(0.3 * 44100) / 128 * 128, WavReader.Read(dir.File("anc/take-1.wav")).Frames);

        // A job cancelled part-way (as Ctrl+C does) completes with `jukebox resume`.
        using (var bundle = ModelBundle.Load("tiny"))
        using (var cts = new CancellationTokenSource())
        {
            var store = TakeStore.Create(dir.File("cut"));
            using var job = SamplingJob.Create(bundle, new JobSettings { Mode = JobMode.Sample, Seconds = 0.6, Model = "tiny" }, store: store);
            Assert.ThrowsAny<OperationCanceledException>(() => job.Run(new CallbackProgress<JobProgress>(p => { if (job.State.WindowsDone.Sum() >= 2) cts.Cancel(); }), cancel: cts.Token));
        }
        Assert.False(File.Exists(dir.File("cut/take-1.wav")));
        (code, _, err) = CliRunner.Run("resume", dir.File("cut"));
        Assert.True(code == 0, err);
        Assert.True(File.Exists(dir.File("cut/take-1.wav")));
    }

    [Fact]
    public void Bad_sampling_requests_are_one_clear_line()
    {
        using var dir = new TempDir();
        var (code, _, err) = CliRunner.Run("continue", Prompt(dir), "--model", "no_such_bundle", "--out", dir.File("x"));
        Assert.Equal(1, code);
        Assert.Contains("no_such_bundle", err);
        (code, _, err) = CliRunner.Run("continue", Prompt(dir), "--model", "tiny", "--temperature", "hot", "--out", dir.File("y"));
        Assert.Equal(1, code);
        Assert.Contains("--temperature", err);
        (code, _, err) = CliRunner.Run("continue", dir.File("missing.wav"), "--model", "tiny", "--out", dir.File("z"));
        Assert.Equal(1, code);
        Assert.Contains("missing.wav", err);
        (code, _, err) = CliRunner.Run("resume", dir.Path);
        Assert.Equal(1, code);
        Assert.Contains("not a job folder", err);
    }
}
