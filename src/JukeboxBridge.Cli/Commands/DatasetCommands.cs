using System.CommandLine;
using System.Diagnostics;
using JukeboxBridge.Sampling;
using JukeboxBridge.Synth;
using JukeboxBridge.Audio.Datasets;

namespace JukeboxBridge.Cli.Commands;

/// <summary>jukebox dataset synth: a labelled synthetic music dataset from the built-in generator.</summary>
public static class DatasetCommands
{
    public static Command Create(CliContext ctx)
    {
        var output = new Option<string>("--out") { Description = "folder for the WAVs (train/, heldout/) and metadata.json", Required = true };
        var hours = new Option<double>("--hours") { Description = "total audio to generate", DefaultValueFactory = _ => 1 };
        var pieceSeconds = new Option<double>("--piece-seconds") { Description = "length of each piece", DefaultValueFactory = _ => 30 };
        var seed = new Option<int>("--seed") { Description = "dataset seed (same seed, same files)", DefaultValueFactory = _ => 0 };
        var heldout = new Option<int>("--heldout-every") { Description = "one piece in N is held out for evaluation, spread over the genres and artists (0: none; 1: all)", DefaultValueFactory = _ => 10 };
        var synth = new Command("synth", "Generate multi-bar pieces (tempo, key, chords, melody, bass, drums) in 5 genres by 6 artists (timbre sets), deterministic from the seed")
            { output, hours, pieceSeconds, seed, heldout };
        synth.SetAction(r => ctx.Guard(() =>
        {
            var bar = new ProgressBar(ctx.Err);
            var sw = Stopwatch.StartNew();
            var meta = SynthDataset.Write(r.GetValue(output)!, r.GetValue(hours), r.GetValue(pieceSeconds), r.GetValue(seed), r.GetValue(heldout),
                new CallbackProgress<(int Done, int Total)>(p => { lock (bar) bar.Update(p.Done, p.Total, "pieces", sw.Elapsed.TotalSeconds / Math.Max(1, p.Done)); }));
            ctx.Err.WriteLine($"wrote {meta.Pieces.Count} pieces ({meta.Pieces.Sum(p => p.Seconds) / 3600:F2} h; {meta.Pieces.Count(p => p.Split == "heldout")} held out) " +
                              $"in {sw.Elapsed.TotalSeconds:F0} s: genres {string.Join(", ", meta.Genres)}; artists {string.Join(", ", meta.Artists)}");
            ctx.Out.WriteLine(Path.GetFullPath(Path.Combine(r.GetValue(output)!, DatasetMetadata.FileName)));
            return 0;
        }));
        var pieceOut = new Option<string>("--out") { Description = "output WAV", Required = true };
        var genre = new Option<string?>("--genre") { Description = "ambient, rock, techno, swing, waltz (default: from the seed)" };
        var artist = new Option<string?>("--artist") { Description = "aurora, brass_city, wooden, neon, velvet, grit (default: from the seed)" };
        var key = new Option<string?>("--key") { Description = "e.g. \"A minor\" (default: from the seed)" };
        var seconds = new Option<double>("--seconds") { Description = "length", DefaultValueFactory = _ => 10 };
        var pieceSeed = new Option<int>("--seed") { Description = "piece seed", DefaultValueFactory = _ => 0 };
        var piece = new Command("piece", "Render one generated piece to a WAV (a test clip for the default model)") { pieceOut, genre, artist, key, seconds, pieceSeed };
        piece.SetAction(r => ctx.Guard(() =>
        {
            var k = r.GetValue(key) is string ks ? JukeboxBridge.Synth.Music.Key.Parse(ks) : (JukeboxBridge.Synth.Music.Key?)null;
            var (audio, info) = PieceGenerator.Generate(r.GetValue(pieceSeed), r.GetValue(seconds), r.GetValue(genre), r.GetValue(artist), k);
            JukeboxBridge.Audio.Wav.WavWriter.Write(r.GetValue(pieceOut)!, audio, JukeboxBridge.Audio.Wav.WavSampleFormat.Pcm16);
            ctx.Err.WriteLine($"wrote {r.GetValue(pieceOut)}: {info.Genre} by {info.Artist}, {info.Key}, {info.Tempo} BPM, {info.Bars} bars of {info.BeatsPerBar}");
            return 0;
        }));
        return new Command("dataset", "Datasets for training") { synth, piece };
    }
}
