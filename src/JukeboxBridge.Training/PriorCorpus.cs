using JukeboxBridge.Errors;
using System.Security.Cryptography;
using JukeboxBridge.Audio;
using JukeboxBridge.Audio.Datasets;
using JukeboxBridge.Checkpoints;
using JukeboxBridge.Checkpoints.Safetensors;
using JukeboxBridge.Model.Checkpoints;
using JukeboxBridge.Model.Labels;
using JukeboxBridge.Model.Prior;
using JukeboxBridge.Model.Vqvae;
using static TorchSharp.torch;

namespace JukeboxBridge.Training;

/// <summary>One training batch for a prior: codes (N, n_ctx), the level above's codes under them, label rows.</summary>
public sealed record PriorBatch(Tensor Codes, Tensor? Upper, Tensor? Labels) : IDisposable
{
    public void Dispose() { Codes.Dispose(); Upper?.Dispose(); Labels?.Dispose(); }
}

/// <summary>
/// A labelled dataset (metadata.json) as VQ-VAE codes: every piece of one split encoded once at every level and
/// cached beside the training run (keyed by the VQ-VAE weights' hash, so a different VQ-VAE re-encodes), with its
/// artist and genre. Draws random windows of a prior's context with the upper-level codes and label rows the
/// reference trains on (total length, offset and window length in samples, artist, genres).
/// </summary>
public sealed class PriorCorpus : IDisposable
{
    private readonly List<(Tensor[] Codes, DatasetEntry Entry, long Samples)> _pieces = new();
    private readonly int[] _hops;
    private readonly int _fromLevel;
    public IReadOnlyList<DatasetEntry> Entries => _pieces.Select(p => p.Entry).ToList();
    /// <summary>Each piece's length in samples (as encoded: whole top-level codes).</summary>
    public IReadOnlyList<long> PieceSamples => _pieces.Select(p => p.Samples).ToList();
    public double TotalSeconds { get; }

    /// <param name="vqvaeFile">The VQ-VAE's weights file (its hash keys the cache); with <paramref name="cacheDir"/> null, nothing is cached.</param>
    /// <param name="fromLevel">The lowest level encoded: a prior of level l needs levels l and above only, and each level's
    /// encoder costs about as much as the others (each starts from the raw audio), so a top prior encodes a third.
    /// Lower levels hold empty tensors. A cache made from a lower level serves too.</param>
    public PriorCorpus(string datasetDir, string split, VQVAE vq, string? vqvaeFile, string? cacheDir, Action<string>? log = null, int fromLevel = 0)
    {
        _fromLevel = fromLevel;
        var meta = DatasetMetadata.Load(datasetDir);
        var entries = meta.Pieces.Where(p => p.Split == split).ToList();
        if (entries.Count == 0) throw new UserInputException("--data", $"{datasetDir}: no '{split}' pieces in metadata.json");
        _hops = vq.HopLengths;
        if (cacheDir is null || vqvaeFile is null)
        {
            Encode(datasetDir, entries, vq, log);
            TotalSeconds = _pieces.Sum(p => p.Samples) / (double)vq.Options.SampleRate;
            return;
        }
        string hash = Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(vqvaeFile)))[..16];
        Directory.CreateDirectory(cacheDir);
        string Name(int from) => Path.Combine(cacheDir, from == 0 ? $"codes-{split}-{hash}.safetensors" : $"codes-{split}-{hash}-from-level-{from}.safetensors");
        string cache = Name(fromLevel);
        string? existing = Enumerable.Range(0, fromLevel + 1).Select(Name).FirstOrDefault(File.Exists);
        if (existing is not null) Load(existing, entries);
        else
        {
            log?.Invoke($"encoding {entries.Count} {split} pieces with the VQ-VAE (once; cached in {cache}) ...");
            Encode(datasetDir, entries, vq, log);
            Save(cache);
        }
        TotalSeconds = _pieces.Sum(p => p.Samples) / (double)vq.Options.SampleRate;
    }

    private void Encode(string dir, List<DatasetEntry> entries, VQVAE vq, Action<string>? log)
    {
        using var noGrad = no_grad();
        int unit = vq.Options.LengthMultiple;
        for (int i = 0; i < entries.Count; i++)
        {
            var clip = AudioFile.ReadAs(Path.Combine(dir, entries[i].File), vq.Options.SampleRate, mono: true);
            long n = clip.Frames / unit * unit;
            using var scope = NewDisposeScope();
            var x = tensor(clip.Channels[0].AsSpan(0, (int)n).ToArray()).view(1, n, 1);
            var upper = vq.Encode(x, startLevel: _fromLevel, chunkSamples: 10L * vq.Options.SampleRate).Select(z => z[0].DetachFromDisposeScope());
            var zs = Enumerable.Range(0, _fromLevel).Select(_ => zeros(0, dtype: ScalarType.Int64).DetachFromDisposeScope()).Concat(upper).ToArray();
            _pieces.Add((zs, entries[i], n));
            if ((i + 1) % 10 == 0) log?.Invoke($"encoded {i + 1}/{entries.Count}");
        }
    }

    private void Save(string path)
    {
        var tensors = new List<TensorToWrite>();
        for (int i = 0; i < _pieces.Count; i++)
            for (int l = _fromLevel; l < _pieces[i].Codes.Length; l++) tensors.Add(TorchTensors.ToWrite($"piece/{i}/level_{l}", _pieces[i].Codes[l]));
        var meta = new Dictionary<string, string> { ["jukebox.kind"] = "prior_corpus", ["from_level"] = _fromLevel.ToString(), ["files"] = string.Join("\n", _pieces.Select(p => p.Entry.File)),
                                                   ["samples"] = string.Join(",", _pieces.Select(p => p.Samples)) };
        SafetensorsWriter.Write(path, tensors, meta);
    }

    private void Load(string path, List<DatasetEntry> entries)
    {
        using var f = CheckpointFile.Open(path);
        var files = ((string)f.Metadata.Get("files")!).Split('\n');
        var samples = ((string)f.Metadata.Get("samples")!).Split(',').Select(long.Parse).ToArray();
        if (!files.SequenceEqual(entries.Select(e => e.File))) throw new UserInputException("--data", $"{path} was made from other files; delete it to re-encode");
        for (int i = 0; i < files.Length; i++)
            _pieces.Add((Enumerable.Range(0, _hops.Length).Select(l => l < _fromLevel ? zeros(0, dtype: ScalarType.Int64)
                                                                                     : f[$"piece/{i}/level_{l}"].ToTorch(ScalarType.Int64)).ToArray(), entries[i], samples[i]));
    }

    /// <summary>
    /// <paramref name="n"/> random windows of <paramref name="o"/>.NCtx codes at its level (start a multiple of the
    /// upsampling factor, so the level above lines up), with upper codes and label rows when the prior needs them.
    /// </summary>
    public PriorBatch Sample(Random rng, int n, PriorOptions o, Labeller? labeller)
    {
        int level = o.Level;
        long down = o.XCond ? (long)Math.Pow(o.CondStrideT, o.CondDownT) : 1;
        var codes = new List<Tensor>();
        var upper = new List<Tensor>();
        var labels = new List<long[]>();
        for (int i = 0; i < n; i++)
        {
            var (zs, entry, samples) = _pieces[rng.Next(_pieces.Count)];
            long len = zs[level].shape[0];
            if (len < o.NCtx) throw new UserInputException("--data", $"{entry.File} has {len} level-{level} codes, fewer than a window of {o.NCtx}");
            long start = rng.NextInt64(0, (len - o.NCtx) / down + 1) * down;
            codes.Add(zs[level].narrow(0, start, o.NCtx));
            if (o.XCond) upper.Add(zs[level + 1].narrow(0, start / down, o.NCtx / down));
            if (labeller is not null) labels.Add(labeller.Label(entry.Artist, entry.Genre, "", samples, start * _hops[level], strict: true));
        }
        return new PriorBatch(stack(codes), o.XCond ? stack(upper) : null, labeller is null ? null : tensor(labels.SelectMany(r => r).ToArray()).view(n, -1));
    }

    /// <summary>Every whole window of every piece, in order (for a deterministic held-out measurement).</summary>
    public IEnumerable<(int Piece, long Start)> Windows(PriorOptions o, long stride)
    {
        for (int p = 0; p < _pieces.Count; p++)
            for (long s = 0; s + o.NCtx <= _pieces[p].Codes[o.Level].shape[0]; s += stride) yield return (p, s);
    }

    public PriorBatch Window(int piece, long start, PriorOptions o, Labeller? labeller)
    {
        var (zs, entry, samples) = _pieces[piece];
        long down = o.XCond ? (long)Math.Pow(o.CondStrideT, o.CondDownT) : 1;
        var z = zs[o.Level].narrow(0, start, o.NCtx).unsqueeze(0);
        var up = o.XCond ? zs[o.Level + 1].narrow(0, start / down, o.NCtx / down).unsqueeze(0) : null;
        var y = labeller is null ? null : tensor(labeller.Label(entry.Artist, entry.Genre, "", samples, start * _hops[o.Level], strict: true)).view(1, -1);
        return new PriorBatch(z, up, y);
    }

    public void Dispose()
    {
        foreach (var p in _pieces) foreach (var z in p.Codes) z.Dispose();
    }
}
