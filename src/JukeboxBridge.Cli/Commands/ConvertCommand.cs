using JukeboxBridge.Errors;
using System.CommandLine;
using JukeboxBridge.Audio;
using JukeboxBridge.Audio.Resampling;
using JukeboxBridge.Audio.Wav;

namespace JukeboxBridge.Cli.Commands;

/// <summary>jukebox convert IN OUT [--rate HZ] [--mono] [--bits 16|24|32f]: audio to WAV, resampled/downmixed.</summary>
public static class ConvertCommand
{
    public static Command Create(CliContext ctx)
    {
        var input = new Argument<string>("in") { Description = "input audio: WAV, or anything ffmpeg reads (mp3, flac, ogg, m4a)" };
        var output = new Argument<string>("out") { Description = "output WAV file" };
        var rate = new Option<int?>("--rate") { Description = "output sample rate in Hz (default: keep)" };
        var mono = new Option<bool>("--mono") { Description = "downmix to mono (average of the channels)" };
        var bits = new Option<string?>("--bits") { Description = "output sample format: 8, 16, 24, 32, 32f, 64f (default: the input's, or 24 for non-WAV input)" };
        bits.AcceptOnlyFromAmong("8", "16", "24", "32", "32f", "64f");
        var cmd = new Command("convert", "Convert audio to WAV: resample (band-limited), downmix, change bit depth") { input, output, rate, mono, bits };
        cmd.SetAction(r => ctx.Guard(() =>
        {
            string inPath = r.GetValue(input)!, outPath = r.GetValue(output)!;
            var clip = AudioFile.Read(inPath, out var sourceFormat);
            var describeIn = Describe(clip, sourceFormat);
            if (r.GetValue(mono)) clip = clip.ToMono();
            if (r.GetValue(rate) is int hz)
            {
                if (hz < 1000 || hz > 768000) throw new UserInputException("--rate", $"--rate {hz}: choose a rate between 1000 and 768000 Hz");
                clip = Resampler.Convert(clip, hz);
            }
            var format = r.GetValue(bits) is string b ? WavSampleFormats.Parse(b) : sourceFormat ?? WavSampleFormat.Pcm24;
            WavWriter.Write(outPath, clip, format);
            ctx.Err.WriteLine($"{Path.GetFileName(inPath)} ({describeIn}) -> {Path.GetFileName(outPath)} ({Describe(clip, format)})");
            return 0;
        }));
        return cmd;
    }

    private static string Describe(AudioClip c, WavSampleFormat? f) =>
        $"{c.SampleRate} Hz, {c.ChannelCount} ch, {(f is { } x ? x.Label() : "decoded by ffmpeg")}, {c.DurationSeconds:F2} s";
}
