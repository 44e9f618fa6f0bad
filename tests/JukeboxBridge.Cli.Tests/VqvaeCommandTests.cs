using JukeboxBridge.Audio;
using JukeboxBridge.Audio.Analysis;
using JukeboxBridge.Audio.Wav;
using JukeboxBridge.Checkpoints;
using JukeboxBridge.TestSupport;

namespace JukeboxBridge.Cli.Tests;

public class VqvaeCommandTests
{
    private static string TinyCheckpoint => Path.Combine(Fixtures.Dir("checkpoints"), "vqvae_tiny.legacy.pth.tar");

    [Fact]
    public void Encode_writes_int64_codes_per_level_and_decode_restores_the_length_and_rate()
    {
        using var dir = new TempDir();
        var stereo48k = new AudioClip(48000, new[] { ToneAnalysis.Sine(48000, 440, 0.4, 48000), ToneAnalysis.Sine(48000, 660, 0.4, 48000) });
        WavWriter.Write(dir.File("in.wav"), stereo48k, WavSampleFormat.Pcm16);

        var (code, _, err) = CliRunner.Run("encode", dir.File("in.wav"), "--model", TinyCheckpoint, "--out", dir.File("codes.safetensors"));
        Assert.True(code == 0, err);
        using (var f = CheckpointFile.Open(dir.File("codes.safetensors")))
        {
            Assert.Equal("8,32,128", f.Metadata.Get("jukebox.hop_lengths"));
            Assert.Equal("44100", f.Metadata.Get("jukebox.audio_samples"));
            long padded = (44100 + 127) / 128 * 128;
            foreach (var (level, hop) in new[] { (0, 8), (1, 32), (2, 128) })
            {
                var t = f[$"codes/level_{level}"];
                Assert.Equal(DType.Int64, t.DType);
                Assert.Equal(new[] { 1L, padded / hop }, t.Shape);
                Assert.All(t.ToDoubles(), v => Assert.InRange(v, 0, 31)); // the tiny model has 32 codes
            }
        }

        (code, _, err) = CliRunner.Run("decode", dir.File("codes.safetensors"), "--model", TinyCheckpoint, "--level", "2", "--out", dir.File("out.wav"));
        Assert.True(code == 0, err);
        var back = WavReader.Read(dir.File("out.wav"), out var info);
        Assert.Equal(44100, back.SampleRate);
        Assert.Equal(1, back.ChannelCount);
        Assert.Equal(44100, back.Frames);
        Assert.Equal(WavSampleFormat.Pcm24, info.Format);
    }

    [Fact]
    public void Decode_of_codes_that_name_a_bundle_file_uses_that_bundles_trained_vqvae()
    {
        // Job folders record the bundle as the path of its JSON; decode must load that bundle's weights, not read the
        // JSON as a model preset with random weights (a bug found while evaluating the default model).
        using var dir = new TempDir();
        string bundleJson = Path.Combine(Fixtures.RepoRoot, "presets", "bundles", "default.json");
        var clip = AudioFile.ReadAs(Path.Combine(Fixtures.RepoRoot, "examples", "prompt.wav"), 44100, mono: true);
        WavWriter.Write(dir.File("in.wav"), AudioClip.Mono(44100, clip.Channels[0][..88200]), WavSampleFormat.Float32);
        var (code, _, err) = CliRunner.Run("encode", dir.File("in.wav"), "--model", bundleJson, "--out", dir.File("c.safetensors"));
        Assert.True(code == 0, err);
        using (var f = CheckpointFile.Open(dir.File("c.safetensors")))
            Assert.Contains("default", (string)f.Metadata.Get("jukebox.model")!);
        (code, _, err) = CliRunner.Run("decode", dir.File("c.safetensors"), "--level", "1", "--out", dir.File("named.wav"));
        Assert.True(code == 0, err);
        (code, _, err) = CliRunner.Run("decode", dir.File("c.safetensors"), "--model", bundleJson, "--level", "1", "--out", dir.File("path.wav"));
        Assert.True(code == 0, err);
        var named = WavReader.Read(dir.File("named.wav"), out _).Channels[0];
        var path = WavReader.Read(dir.File("path.wav"), out _).Channels[0];
        Assert.Equal(named, path);
        double sc = SpectralDistance.Convergence(clip.Channels[0][..88200], path, 44100);
        Assert.True(sc < 0.4, $"level-1 reconstruction through the bundle named by its file: spectral convergence {sc:F3}");
    }

    [Fact]
    public void Preset_models_work_and_mismatches_are_clear_errors()
    {
        using var dir = new TempDir();
        WavWriter.Write(dir.File("in.wav"), AudioClip.Mono(44100, ToneAnalysis.Sine(44100, 440, 0.4, 6000)), WavSampleFormat.Pcm16);
        var (code, _, err) = CliRunner.Run("encode", dir.File("in.wav"), "--model", "vqvae_tiny", "--out", dir.File("c.safetensors"));
        Assert.True(code == 0, err);

        // Codes of a 256-entry codebook through a 32-entry one: refused, naming both sizes.
        (code, _, err) = CliRunner.Run("decode", dir.File("c.safetensors"), "--model", TinyCheckpoint, "--out", dir.File("o.wav"));
        Assert.Equal(1, code);
        Assert.Contains("codebook has 32 entries", err);

        // A prior checkpoint is not a VQ-VAE.
        (code, _, err) = CliRunner.Run("encode", dir.File("in.wav"), "--model", Path.Combine(Fixtures.Dir("checkpoints"), "upsampler_tiny_level_1_like.zip.pth"), "--preset", "vqvae_tiny", "--out", dir.File("x.safetensors"));
        Assert.Equal(1, code);
        Assert.Contains("does not match the model", err);
        Assert.False(File.Exists(dir.File("x.safetensors")));

        (code, _, err) = CliRunner.Run("decode", dir.File("in.wav"), "--model", "vqvae_tiny", "--out", dir.File("o.wav"));
        Assert.Equal(1, code);
        Assert.Contains("in.wav", err);
    }
}

public class TrainCommandTests
{
    [Fact]
    public void Train_vqvae_runs_saves_and_resumes_from_the_command_line()
    {
        using var dir = new TempDir();
        Directory.CreateDirectory(dir.File("data"));
        WavWriter.Write(dir.File("data/a.wav"), AudioClip.Mono(44100, ToneAnalysis.Sine(44100, 330, 0.3, 44100)), WavSampleFormat.Pcm16);
        string[] Args(int steps) => new[] { "train", "vqvae", "--data", dir.File("data"), "--out", dir.File("out"), "--steps", steps.ToString(),
            "--batch", "1", "--crop-seconds", "0.1", "--save-every", "1" };
        var (code, _, err) = CliRunner.Run(Args(2));
        Assert.True(code == 0, err);
        Assert.Contains("2/2", err);
        Assert.True(File.Exists(dir.File("out/vqvae.safetensors")));
        (code, _, err) = CliRunner.Run(Args(3));
        Assert.True(code == 0, err);
        Assert.Contains("resumed", err);
        Assert.Contains("done at step 3", err);

        (code, _, err) = CliRunner.Run("train", "vqvae", "--data", dir.File("nope"), "--out", dir.File("o2"));
        Assert.Equal(1, code);
        Assert.Contains("not found", err);
    }
}

public class TrainStopTests
{
    [Fact]
    public void Sigterm_stops_training_after_the_current_step_with_a_checkpoint_that_resumes()
    {
        if (!OperatingSystem.IsLinux()) return;                                   // sends a POSIX signal
        using var dir = new TempDir();
        Directory.CreateDirectory(dir.File("data"));
        WavWriter.Write(dir.File("data/a.wav"), AudioClip.Mono(44100, ToneAnalysis.Sine(44100, 330, 0.3, 44100)), WavSampleFormat.Pcm16);
        var psi = new System.Diagnostics.ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "jukebox"),
            ["train", "vqvae", "--data", dir.File("data"), "--out", dir.File("out"), "--steps", "100000", "--batch", "1", "--crop-seconds", "0.1", "--save-every", "100000"])
        { RedirectStandardError = true, RedirectStandardOutput = true };
        using var run = System.Diagnostics.Process.Start(psi)!;
        var err = new System.Text.StringBuilder();
        run.ErrorDataReceived += (_, e) => { lock (err) err.Append(e.Data).Append('\n'); };
        run.OutputDataReceived += (_, _) => { };
        run.BeginErrorReadLine();
        run.BeginOutputReadLine();
        for (var t = DateTime.UtcNow.AddSeconds(120); DateTime.UtcNow < t; Thread.Sleep(100))
            lock (err) if (err.ToString().Contains("/100000")) break;                  // a step has run
        using (var kill = System.Diagnostics.Process.Start("kill", ["-TERM", run.Id.ToString()])) kill.WaitForExit();
        Assert.True(run.WaitForExit(60_000), "training did not stop on SIGTERM");
        Assert.Equal(0, run.ExitCode);
        Assert.True(File.Exists(dir.File("out/checkpoint.safetensors")), "no checkpoint saved on SIGTERM");
        var (code, _, again) = CliRunner.Run("train", "vqvae", "--data", dir.File("data"), "--out", dir.File("out"), "--steps", "1", "--batch", "1", "--crop-seconds", "0.1");
        Assert.True(code == 0, again);
        Assert.Contains("resumed", again);
    }
}

public class BundleModelOptionTests
{
    [Fact]
    public void Encode_and_decode_take_a_bundle_as_model()
    {
        using var dir = new TempDir();
        WavWriter.Write(dir.File("p.wav"), AudioClip.Mono(44100, ToneAnalysis.Sine(44100, 330, 0.3, 8192)), WavSampleFormat.Pcm16);
        var (code, _, err) = CliRunner.Run("encode", dir.File("p.wav"), "--model", "tiny", "--out", dir.File("c.safetensors"));
        Assert.True(code == 0, err);
        Assert.Contains("bundle tiny", err);
        (code, _, err) = CliRunner.Run("decode", dir.File("c.safetensors"), "--model", "tiny", "--out", dir.File("o.wav"));
        Assert.True(code == 0, err);
        Assert.Equal(8192, WavReader.Read(dir.File("o.wav")).Frames);
    }
}
