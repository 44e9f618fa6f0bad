using System.CommandLine;
using JukeboxBridge.Audio;
using JukeboxBridge.Audio.Wav;
using JukeboxBridge.Model.Labels;
using JukeboxBridge.Model.Lyrics;
using JukeboxBridge.Model.Vqvae;
using JukeboxBridge.Sampling;
using static TorchSharp.torch;

namespace JukeboxBridge.Cli.Commands;

/// <summary>jukebox continue PROMPT --seconds S --model BUNDLE --out take.wav: primed continuation of a clip.</summary>
public static class ContinueCommand
{
    public static Command Create(CliContext ctx)
    {
        var prompt = new Argument<string>("prompt") { Description = "the clip to continue (any rate/channels; WAV, or anything ffmpeg reads)" };
        var seconds = new Option<double>("--seconds") { Description = "length of the continuation after the prompt", DefaultValueFactory = _ => 10 };
        var model = new Option<string?>("--model") { Description = "bundle preset (presets/bundles: tiny, ...) or a folder (OpenAI's release files, or one with bundle.json)" };
        var output = new Option<string>("--out") { Description = "output WAV (variation i of several goes to NAME-i.wav); codes beside it as NAME.codes.safetensors", Required = true };
        var variations = new Option<int>("--variations") { Description = "takes to generate (batched)", DefaultValueFactory = _ => 1 };
        var seed = new Option<int>("--seed") { Description = "random seed", DefaultValueFactory = _ => 0 };
        var temperature = new Option<double?>("--temperature") { Description = "sampling temperature (default: the bundle's, 0.99)" };
        var topK = new Option<int>("--top-k") { Description = "keep only the k most likely codes (0: off)", DefaultValueFactory = _ => 0 };
        var topP = new Option<double>("--top-p") { Description = "nucleus sampling (0: off)", DefaultValueFactory = _ => 0 };
        var artist = new Option<string?>("--artist") { Description = "artist (labelled models; see `jukebox styles`)" };
        var genre = new Option<string?>("--genre") { Description = "genre (labelled models)" };
        var lyrics = new Option<string?>("--lyrics") { Description = "text file with the lyrics (lyrics models)" };
        var ids = new Option<string?>("--ids") { Description = "folder with OpenAI's id tables (labelled models); default $JUKEBOX_IDS" };
        var cmd = new Command("continue", "Continue a clip in the style of a model: prompt -> codes -> top prior -> upsamplers -> audio")
            { prompt, seconds, model, output, variations, seed, temperature, topK, topP, artist, genre, lyrics, ids };
        cmd.SetAction(r => ctx.Guard(() =>
        {
            string spec = r.GetValue(model) ?? throw new ArgumentException(
                "--model is required until the embedded default model ships: use --model tiny (random weights, noise) or a folder with OpenAI's files");
            var bar = new ProgressBar(ctx.Err);
            using var bundle = ModelBundle.Load(spec, r.GetValue(seed));
            var clip = AudioFile.Read(r.GetValue(prompt)!);
            int n = r.GetValue(variations);
            var request = new ContinuationRequest(r.GetValue(seconds), n, r.GetValue(seed), r.GetValue(temperature), r.GetValue(topK), r.GetValue(topP));
            request = WithLabels(request, bundle, clip, r.GetValue(artist), r.GetValue(genre), r.GetValue(lyrics), r.GetValue(ids) ?? Environment.GetEnvironmentVariable("JUKEBOX_IDS"));
            ctx.Err.WriteLine($"model: {bundle.Source}; prompt {clip.DurationSeconds:F2} s, continuing {r.GetValue(seconds):F1} s, {n} variation(s)");
            var sw = System.Diagnostics.Stopwatch.StartNew();
            using var result = Continuation.Run(bundle, clip, request, new JukeboxBridge.Sampling.CallbackProgress<ContinuationProgress>(p =>
            {
                if (p.WindowsDone == 0) sw.Restart();
                bar.Update(p.WindowsDone, p.WindowsTotal, $"level {p.Level} windows", p.WindowsDone > 0 ? sw.Elapsed.TotalSeconds / p.WindowsDone : 0);
            }));
            string outPath = r.GetValue(output)!;
            for (int i = 0; i < result.Takes.Length; i++)
            {
                string path = result.Takes.Length == 1 ? outPath
                    : Path.Combine(Path.GetDirectoryName(Path.GetFullPath(outPath))!, $"{Path.GetFileNameWithoutExtension(outPath)}-{i + 1}{Path.GetExtension(outPath)}");
                WavWriter.Write(path, result.Takes[i], WavSampleFormat.Pcm24);
                ctx.Err.WriteLine($"wrote {path} ({result.Takes[i].DurationSeconds:F2} s: {result.PromptSeconds:F2} s prompt + continuation)");
            }
            string codesPath = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(outPath))!, Path.GetFileNameWithoutExtension(outPath) + ".codes.safetensors");
            using var codes = new CodesFile(result.Codes.Select((c, l) => (l, c)).ToDictionary(p => p.l, p => p.c), bundle.Source, bundle.Vqvae.HopLengths,
                bundle.Vqvae.Options.SampleRate, result.Takes[0].Frames);
            codes.Save(codesPath);
            return 0;
        }));
        return cmd;
    }

    /// <summary>Label rows per level for labelled priors (v3 tables for 1b_lyrics, v2 for the others), offset 0.</summary>
    private static ContinuationRequest WithLabels(ContinuationRequest req, ModelBundle bundle, AudioClip prompt, string? artist, string? genre, string? lyricsFile, string? ids)
    {
        if (!bundle.Priors.Any(p => p.Options.Labels)) return req;
        if (artist is null || genre is null || string.IsNullOrWhiteSpace(ids))
            throw new ArgumentException("this model is conditioned on artist and genre: give --artist, --genre and --ids (see `jukebox styles search`)");
        string text = lyricsFile is null ? "" : File.ReadAllText(lyricsFile);
        long total = (long)((prompt.DurationSeconds + req.Seconds) * bundle.Vqvae.Options.SampleRate);
        var labels = new Tensor?[bundle.Priors.Length];
        var lyricTokens = new IReadOnlyList<long[]>?[bundle.Priors.Length];
        foreach (var prior in bundle.Priors)
        {
            var o = prior.Options;
            if (!o.Labels) continue;
            string version = o.UseTokens && o.NVocab == 79 ? "v3" : o.GenreArtistBins.Artists > 5000 ? "v3" : "v2";
            var vocab = o.UseTokens ? new LyricsVocabulary(version) : null;
            var labeller = new Labeller(StyleTable.Load(ids!, version), o.MaxBowGenreSize ?? 1, o.UseTokens ? o.NTokens : 0, o.SampleLength, vocab);
            var row = labeller.Label(artist, genre, text, total, 0, strict: true);
            labels[o.Level] = tensor(row).view(1, -1).expand(req.Variations, -1).contiguous();
            if (vocab != null)
            {
                var unsupported = AsciiTransliteration.Unsupported(text);
                if (unsupported.Count > 0) Console.Error.WriteLine($"warning: lyric characters dropped (no transliteration): {string.Join("", unsupported.Take(20))}");
                var full = vocab.Encode(text);
                lyricTokens[o.Level] = Enumerable.Repeat(full, req.Variations).ToList();
            }
        }
        return req with { Labels = labels, Lyrics = lyricTokens };
    }
}
