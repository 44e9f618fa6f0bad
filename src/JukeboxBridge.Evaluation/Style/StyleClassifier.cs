using JukeboxBridge.Errors;
using JukeboxBridge.Checkpoints;
using JukeboxBridge.Checkpoints.Safetensors;
using JukeboxBridge.Model.Checkpoints;
using JukeboxBridge.Model;
using JukeboxBridge.Model.Layers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace JukeboxBridge.Evaluation.Style;

/// <summary>
/// A small CNN that names the genre and the artist of a clip from its log-mel spectrogram (<see cref="LogMel"/>): four
/// 1-D convolutions over time with the mel bands as channels (receptive field about 1.3 s, enough for a beat), mean and
/// standard deviation over time, a 64-wide embedding, then one linear head per label. The embedding is what the
/// in-domain Fréchet distance compares. Any clip of at least a few frames works: pooling is over the whole clip.
/// </summary>
public sealed class StyleClassifier : nn.Module<Tensor, (Tensor Genre, Tensor Artist)>
{
    public const int Width = 128, EmbeddingSize = 64;
    private readonly Conv1dLayer conv1, conv2, conv3, conv4;
    private readonly Linear embed, genre_head, artist_head;
    public IReadOnlyList<string> Genres { get; }
    public IReadOnlyList<string> Artists { get; }
    public int SampleRate { get; }

    public StyleClassifier(IReadOnlyList<string> genres, IReadOnlyList<string> artists, int sampleRate) : base(nameof(StyleClassifier))
    {
        Genres = genres; Artists = artists; SampleRate = sampleRate;
        conv1 = new Conv1dLayer(LogMel.Bands, Width, 3, padding: 1);
        conv2 = new Conv1dLayer(Width, Width, 3, padding: 1);
        conv3 = new Conv1dLayer(Width, Width, 3, padding: 2, dilation: 2);
        conv4 = new Conv1dLayer(Width, Width, 3, padding: 4, dilation: 4);
        embed = ModelInit.Linear(2 * Width, EmbeddingSize);
        genre_head = ModelInit.Linear(EmbeddingSize, genres.Count);
        artist_head = ModelInit.Linear(EmbeddingSize, artists.Count);
        RegisterComponents();
    }

    /// <summary>(N, T) audio at <see cref="SampleRate"/> -> (N, EmbeddingSize).</summary>
    public Tensor Embed(Tensor audio)
    {
        using var scope = NewDisposeScope();
        var h = LogMel.Features(audio, SampleRate);                                   // (N, 64, F)
        h = nn.functional.max_pool1d(nn.functional.relu(conv1.forward(h)), 2, ceil_mode: true);
        h = nn.functional.max_pool1d(nn.functional.relu(conv2.forward(h)), 2, ceil_mode: true);
        h = nn.functional.relu(conv3.forward(h));
        h = nn.functional.relu(conv4.forward(h));                                      // (N, W, F/4)
        var pooled = cat(new[] { h.mean(new long[] { 2 }), h.std(2, unbiased: false) }, 1);   // (N, 2W)
        return nn.functional.relu(embed.forward(pooled)).MoveToOuterDisposeScope();
    }

    public override (Tensor Genre, Tensor Artist) forward(Tensor audio)
    {
        using var e = Embed(audio);
        return (genre_head.forward(e), artist_head.forward(e));
    }

    /// <summary>Most likely genre and artist index per clip.</summary>
    public (int[] Genre, int[] Artist) Predict(Tensor audio)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var (g, a) = forward(audio);
        return (g.argmax(1).data<long>().Select(v => (int)v).ToArray(), a.argmax(1).data<long>().Select(v => (int)v).ToArray());
    }

    public void Save(string path, IReadOnlyDictionary<string, string>? extra = null)
    {
        var meta = new Dictionary<string, string>
        {
            ["jukebox.kind"] = "style_classifier", ["genres"] = string.Join("\n", Genres), ["artists"] = string.Join("\n", Artists),
            ["sample_rate"] = SampleRate.ToString(),
        };
        if (extra is not null) foreach (var (k, v) in extra) meta[k] = v;
        SafetensorsWriter.Write(path, state_dict().Select(kv => TorchTensors.ToWrite(kv.Key, kv.Value)), meta);
    }

    public static StyleClassifier Load(string path)
    {
        using var f = CheckpointFile.Open(path);
        if ((string?)f.Metadata.Get("jukebox.kind") != "style_classifier") throw new UserInputException("--classifier", $"{path} is not a style classifier");
        var c = new StyleClassifier(((string)f.Metadata.Get("genres")!).Split('\n'), ((string)f.Metadata.Get("artists")!).Split('\n'),
                                    int.Parse((string)f.Metadata.Get("sample_rate")!));
        StateDictLoader.Load(c, StateDict.FromCheckpoint(f), strict: true, path);
        c.eval();
        return c;
    }
}
