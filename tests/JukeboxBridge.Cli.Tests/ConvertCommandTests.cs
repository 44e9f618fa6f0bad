using JukeboxBridge.Audio;
using JukeboxBridge.Audio.Analysis;
using JukeboxBridge.Audio.Wav;
using JukeboxBridge.TestSupport;

namespace JukeboxBridge.Cli.Tests;

public class ConvertCommandTests
{
    [Fact]
    public void Converts_48k_stereo_16_bit_to_44k1_mono_24_bit()
    {
        using var dir = new TempDir();
        var stereo = new AudioClip(48000, new[] { ToneAnalysis.Sine(48000, 1000, 0.5, 96000), ToneAnalysis.Sine(48000, 1000, 0.5, 96000) });
        WavWriter.Write(dir.File("in.wav"), stereo, WavSampleFormat.Pcm16);
        var (code, _, err) = CliRunner.Run("convert", dir.File("in.wav"), dir.File("out.wav"), "--rate", "44100", "--mono", "--bits", "24");
        Assert.True(code == 0, err);
        Assert.Contains("48000 Hz, 2 ch, 16-bit PCM", err);
        var back = WavReader.Read(dir.File("out.wav"), out var info);
        Assert.Equal(WavSampleFormat.Pcm24, info.Format);
        Assert.Equal(44100, back.SampleRate);
        Assert.Equal(1, back.ChannelCount);
        Assert.Equal(88200, back.Frames);
        var (amp, res) = ToneAnalysis.FitSine(back.Channels[0], 44100, 1000, 4410, 80000);
        Assert.InRange(amp, 0.4995, 0.5005);
        Assert.True(ToneAnalysis.Db(amp / Math.Sqrt(2) / res) > 85); // 16-bit source: ~98 dB SNR
    }

    [Fact]
    public void Keeps_the_input_format_by_default_and_writes_float_when_asked()
    {
        using var dir = new TempDir();
        WavWriter.Write(dir.File("in.wav"), AudioClip.Mono(44100, ToneAnalysis.Sine(44100, 440, 0.5, 4410)), WavSampleFormat.Pcm24);
        Assert.Equal(0, CliRunner.Run("convert", dir.File("in.wav"), dir.File("same.wav")).Code);
        WavReader.Read(dir.File("same.wav"), out var info);
        Assert.Equal(WavSampleFormat.Pcm24, info.Format);
        Assert.Equal(0, CliRunner.Run("convert", dir.File("in.wav"), dir.File("f.wav"), "--bits", "32f").Code);
        WavReader.Read(dir.File("f.wav"), out info);
        Assert.Equal(WavSampleFormat.Float32, info.Format);
    }

    [Fact]
    public void A_corrupt_wav_is_reported_and_nothing_is_written()
    {
        using var dir = new TempDir();
        var good = WavWriter.ToBytes(AudioClip.Mono(44100, new float[1000]), WavSampleFormat.Pcm16);
        File.WriteAllBytes(dir.File("cut.wav"), good[..500]);
        var (code, _, err) = CliRunner.Run("convert", dir.File("cut.wav"), dir.File("out.wav"));
        Assert.Equal(1, code);
        Assert.Contains("cut.wav: truncated", err);
        Assert.False(File.Exists(dir.File("out.wav")));

        (code, _, err) = CliRunner.Run("convert", dir.File("cut.wav"), dir.File("out.wav"), "--bits", "12");
        Assert.NotEqual(0, code);
    }
}

public class DoctorCommandTests
{
    [Fact]
    public void Doctor_runs_a_tensor_op_through_the_cli()
    {
        var (code, stdout, _) = CliRunner.Run("doctor");
        Assert.Equal(0, code);
        Assert.Contains("cpu matmul ok (83)", stdout);
    }
}
