using JukeboxBridge.Errors;
using System.CommandLine;
using System.Diagnostics;
using JukeboxBridge.Audio;
using JukeboxBridge.Audio.Wav;
using JukeboxBridge.Model.Vqvae;
using static TorchSharp.torch;

namespace JukeboxBridge.Cli.Commands;

/// <summary>jukebox encode / decode: audio to VQ-VAE codes and back.</summary>
public static class VqvaeCommands
{
    private static Option<string?> ModelOption() => new("--model")
    {
        Description = "VQ-VAE: a checkpoint (OpenAI vqvae.pth.tar, torch .pth, our .safetensors), a model preset (random weights), or a bundle / model folder (its VQ-VAE); default: the embedded default model (decode: the model the codes name)",
    };

    private static Option<string?> PresetOption() => new("--preset") { Description = "model shape to build when the checkpoint carries none (default: the file's own hps/metadata, else the official 'vqvae')" };

    /// <summary>A VQ-VAE checkpoint or preset, or the VQ-VAE of a bundle (preset or folder), as `jukebox continue` takes --model.</summary>
    private static LoadedVqvae Load(string spec, string? preset)
    {
        bool isVqvaeFile = File.Exists(spec) && !Directory.Exists(spec) && !JukeboxBridge.Sampling.ModelBundle.IsBundleFile(spec);
        if (!isVqvaeFile && preset is null && JukeboxBridge.Sampling.ModelBundle.LoadVqvaeOnly(spec) is { } fromBundle)
            return new LoadedVqvae(fromBundle, $"VQ-VAE of bundle {spec}", "bundle");
        return VqvaeLoader.Load(spec, preset);
    }

    public static Command Encode(CliContext ctx)
    {
        var audio = new Argument<string>("audio") { Description = "audio file (any rate/channels; converted to the model's rate, mono)" };
        var model = ModelOption();
        var preset = PresetOption();
        var output = new Option<string>("--out") { Description = "codes file (.safetensors)", Required = true };
        var chunk = new Option<double>("--chunk-seconds") { Description = "encode in overlapping chunks of this length (memory bound; exact)", DefaultValueFactory = _ => 30 };
        var cmd = new Command("encode", "Encode audio into VQ-VAE codes (codes/level_0..2)") { audio, model, preset, output, chunk };
        cmd.SetAction(r => ctx.Guard(() =>
        {
            using var vq = Load(JukeboxBridge.Sampling.ModelBundle.ResolveSpec(r.GetValue(model)), r.GetValue(preset));
            var o = vq.Model.Options;
            var clip = AudioFile.ReadAs(r.GetValue(audio)!, o.SampleRate, mono: true);
            long n = clip.Frames, padded = (n + o.LengthMultiple - 1) / o.LengthMultiple * o.LengthMultiple;
            if (n == 0) throw new UserInputException("audio", $"{r.GetValue(audio)}: no audio");
            var samples = new float[padded];
            clip.Channels[0].CopyTo(samples, 0);
            var sw = Stopwatch.StartNew();
            using var x = tensor(samples).view(1, padded, 1);
            var codes = vq.Model.Encode(x, chunkSamples: (long)(r.GetValue(chunk) * o.SampleRate));
            using var file = new CodesFile(codes.Select((c, l) => (l, c)).ToDictionary(p => p.l, p => p.c), vq.Source, vq.Model.HopLengths, o.SampleRate, n);
            file.Save(r.GetValue(output)!);
            ctx.Err.WriteLine($"encoded {clip.DurationSeconds:F2} s in {sw.Elapsed.TotalSeconds:F2} s with {vq.Source}: " +
                              string.Join(", ", codes.Select((c, l) => $"level {l}: {c.shape[1]} codes")) + $" -> {r.GetValue(output)}");
            return 0;
        }));
        return cmd;
    }

    public static Command Decode(CliContext ctx)
    {
        var codesArg = new Argument<string>("codes") { Description = "codes file from `jukebox encode` (or the sampler)" };
        var model = ModelOption();
        var preset = PresetOption();
        var level = new Option<int>("--level") { Description = "level to reconstruct from (0 = finest)", DefaultValueFactory = _ => 0 };
        var output = new Option<string>("--out") { Description = "output WAV (item i of a batch goes to NAME-i.wav)", Required = true };
        var bits = new Option<string>("--bits") { Description = "WAV sample format: 16, 24, 32f", DefaultValueFactory = _ => "24" };
        bits.AcceptOnlyFromAmong("16", "24", "32", "32f");
        var cmd = new Command("decode", "Decode VQ-VAE codes of one level back to audio") { codesArg, model, preset, level, output, bits };
        cmd.SetAction(r => ctx.Guard(() =>
        {
            using var codes = CodesFile.Load(r.GetValue(codesArg)!);
            using var vq = Load(JukeboxBridge.Sampling.ModelBundle.ResolveSpec(r.GetValue(model) ?? codes.ExistingModel), r.GetValue(preset));
            int l = r.GetValue(level);
            if (!codes.Levels.TryGetValue(l, out var z))
                throw new UserInputException("--level", $"{r.GetValue(codesArg)} has no level {l} (it has {string.Join(", ", codes.Levels.Keys.OrderBy(k => k))})");
            if (l >= vq.Model.Levels) throw new UserInputException("--level", $"--level {l}: the model has levels 0..{vq.Model.Levels - 1}");
            if (codes.HopLengths.Length > l && codes.HopLengths[l] != vq.Model.HopLengths[l])
                throw new UserInputException("codes", $"codes were made with hop {codes.HopLengths[l]} at level {l}, this model has hop {vq.Model.HopLengths[l]}");
            long maxCode = z.max().item<long>();
            if (maxCode >= vq.Model.Options.LBins || z.min().item<long>() < 0)
                throw new UserInputException("codes", $"codes go up to {maxCode}, the model's codebook has {vq.Model.Options.LBins} entries");
            var sw = Stopwatch.StartNew();
            int rate = vq.Model.Options.SampleRate;
            using var audio = vq.Model.Decode(new[] { z }, l, chunkFrames: 30L * rate / vq.Model.HopLengths[l]);   // (N, T, 1)
            long keep = Math.Min(codes.AudioSamples ?? audio.shape[1], audio.shape[1]);
            string outPath = r.GetValue(output)!;
            for (int i = 0; i < audio.shape[0]; i++)
            {
                var samples = audio[i, ..(int)keep, 0].contiguous().data<float>().ToArray();
                for (int s = 0; s < samples.Length; s++) samples[s] = Math.Clamp(samples[s], -1f, 1f);
                string path = audio.shape[0] == 1 ? outPath
                    : Path.Combine(Path.GetDirectoryName(Path.GetFullPath(outPath))!, $"{Path.GetFileNameWithoutExtension(outPath)}-{i}{Path.GetExtension(outPath)}");
                WavWriter.Write(path, AudioClip.Mono(rate, samples), WavSampleFormats.Parse(r.GetValue(bits)!));
                ctx.Err.WriteLine($"decoded level {l} ({z.shape[1]} codes) -> {path} ({keep / (double)rate:F2} s) in {sw.Elapsed.TotalSeconds:F2} s");
            }
            return 0;
        }));
        return cmd;
    }
}
