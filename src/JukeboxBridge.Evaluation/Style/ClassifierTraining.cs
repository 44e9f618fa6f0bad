using JukeboxBridge.Errors;
using System.Diagnostics;
using JukeboxBridge.Audio;
using JukeboxBridge.Audio.Datasets;
using JukeboxBridge.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace JukeboxBridge.Evaluation.Style;

/// <summary>
/// Trains the <see cref="StyleClassifier"/> on a labelled dataset's training pieces: random crops, cross-entropy on genre
/// plus artist, AdamW. Deterministic from the seed. Reports its accuracy on the dataset's held-out pieces (whole clips).
/// </summary>
public static class ClassifierTraining
{
    public sealed record Options(int Steps = 1200, int Batch = 32, double CropSeconds = 3, double LearningRate = 1e-3, int Seed = 0);

    public sealed record Report(double HeldoutGenreAccuracy, double HeldoutArtistAccuracy, int Steps, double Seconds);

    public static (StyleClassifier Model, Report Report) Train(string dataDir, Options o, Action<string>? log = null)
    {
        log ??= _ => { };
        var meta = DatasetMetadata.Load(dataDir);
        int rate = meta.SampleRate;
        var train = meta.Pieces.Where(p => p.Split == "train").ToList();
        var heldout = meta.Pieces.Where(p => p.Split == "heldout").ToList();
        if (train.Count == 0) throw new UserInputException("--data", $"{dataDir} has no training pieces");
        var audio = train.Select(p => AudioFile.ReadAs(Path.Combine(dataDir, p.File), rate, mono: true).Channels[0]).ToArray();
        var genreOf = train.Select(p => meta.Genres.ToList().IndexOf(p.Genre)).ToArray();
        var artistOf = train.Select(p => meta.Artists.ToList().IndexOf(p.Artist)).ToArray();
        StyleClassifier model;
        using (JukeboxBridge.Model.ModelInit.Seeded(o.Seed)) model = new StyleClassifier(meta.Genres, meta.Artists, rate);
        model.train();
        using var adam = new Adam(model.named_parameters().Select(p => (p.name, p.parameter))) { WeightDecay = 1e-4 };
        var rng = new Random(o.Seed);
        int crop = (int)(o.CropSeconds * rate);
        var sw = Stopwatch.StartNew();
        double running = 0;
        for (int step = 1; step <= o.Steps; step++)
        {
            using var scope = NewDisposeScope();
            var x = new float[o.Batch * crop];
            var g = new long[o.Batch];
            var a = new long[o.Batch];
            for (int i = 0; i < o.Batch; i++)
            {
                int k = rng.Next(audio.Length);
                int start = rng.Next(Math.Max(1, audio[k].Length - crop));
                float gain = (float)Math.Pow(10, (rng.NextDouble() * 12 - 6) / 20);   // ±6 dB
                for (int t = 0; t < crop; t++) x[i * crop + t] = start + t < audio[k].Length ? audio[k][start + t] * gain : 0;
                g[i] = genreOf[k];
                a[i] = artistOf[k];
            }
            var (gl, al) = model.forward(tensor(x).view(o.Batch, crop));
            var loss = nn.functional.cross_entropy(gl, tensor(g)) + nn.functional.cross_entropy(al, tensor(a));
            adam.ZeroGrad();
            loss.backward();
            adam.ClipGradNorm(1.0);
            double lr = o.LearningRate * Math.Min(1.0, step / 50.0) * (step > o.Steps * 3 / 4 ? 0.2 : 1.0);
            adam.Update(lr);
            running = step == 1 ? loss.item<float>() : 0.98 * running + 0.02 * loss.item<float>();
            if (step % 100 == 0) log($"style classifier: step {step}/{o.Steps}, loss {running:F3} ({sw.Elapsed.TotalSeconds / step:F2} s a step)");
        }
        model.eval();
        var (ga, aa) = heldout.Count == 0 ? (double.NaN, double.NaN) : Accuracy(model, dataDir, heldout, 0, 30);
        log($"style classifier: held-out accuracy genre {ga:P0}, artist {aa:P0} on {heldout.Count} pieces");
        return (model, new Report(ga, aa, o.Steps, sw.Elapsed.TotalSeconds));
    }

    /// <summary>Accuracy on the clip [<paramref name="fromSeconds"/>, +<paramref name="seconds"/>) of each piece.</summary>
    public static (double Genre, double Artist) Accuracy(StyleClassifier model, string dataDir, IReadOnlyList<DatasetEntry> pieces, double fromSeconds, double seconds)
    {
        var clips = pieces.Select(p => Clip(model.SampleRate, dataDir, p, fromSeconds, seconds)).ToList();
        var (g, a) = PredictAll(model, clips);
        return (pieces.Select((p, i) => model.Genres[g[i]] == p.Genre ? 1.0 : 0).Average(),
                pieces.Select((p, i) => model.Artists[a[i]] == p.Artist ? 1.0 : 0).Average());
    }

    public static float[] Clip(int rate, string dataDir, DatasetEntry p, double fromSeconds, double seconds)
    {
        var all = AudioFile.ReadAs(Path.Combine(dataDir, p.File), rate, mono: true).Channels[0];
        int from = (int)Math.Min(all.Length, fromSeconds * rate), n = (int)Math.Min(all.Length - from, seconds * rate);
        return all.AsSpan(from, n).ToArray();
    }

    /// <summary>Predictions for clips of any lengths (each classified alone).</summary>
    public static (int[] Genre, int[] Artist) PredictAll(StyleClassifier model, IReadOnlyList<float[]> clips)
    {
        var g = new int[clips.Count];
        var a = new int[clips.Count];
        for (int i = 0; i < clips.Count; i++)
        {
            using var x = tensor(clips[i]).view(1, -1);
            var (gi, ai) = model.Predict(x);
            (g[i], a[i]) = (gi[0], ai[0]);
        }
        return (g, a);
    }

    /// <summary>Embeddings of consecutive segments of <paramref name="segmentSeconds"/> of every clip (N_segments, EmbeddingSize).</summary>
    public static double[][] Embeddings(StyleClassifier model, IEnumerable<float[]> clips, double segmentSeconds)
    {
        int seg = (int)(segmentSeconds * model.SampleRate);
        var rows = new List<double[]>();
        using var noGrad = no_grad();
        foreach (var c in clips)
            for (int s = 0; s + seg <= c.Length; s += seg)
            {
                using var scope = NewDisposeScope();
                var e = model.Embed(tensor(c.AsSpan(s, seg).ToArray()).view(1, seg));
                rows.Add(e[0].to_type(ScalarType.Float64).data<double>().ToArray());
            }
        return rows.ToArray();
    }
}
