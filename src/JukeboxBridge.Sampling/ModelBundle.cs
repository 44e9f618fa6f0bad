using JukeboxBridge.Errors;
using System.Text.Json;
using JukeboxBridge.Checkpoints;
using JukeboxBridge.Model;
using JukeboxBridge.Model.Checkpoints;
using JukeboxBridge.Model.Presets;
using JukeboxBridge.Model.Prior;
using JukeboxBridge.Model.Vqvae;
using static TorchSharp.torch;

namespace JukeboxBridge.Sampling;

/// <summary>Per-level sampling defaults of a bundle (index = level: 0, 1, 2).</summary>
public sealed record BundleSampling(double[] HopFraction, double[] Temperature, int[] ChunkSize, int[] MaxBatchSize)
{
    public static readonly BundleSampling Official = new(new[] { 0.5, 0.5, 0.125 }, new[] { 0.99, 0.99, 0.99 }, new[] { 32, 32, 32 }, new[] { 16, 16, 16 });

    /// <summary>Default continuation length (seconds) and number of variations when the command line gives none.</summary>
    public double Seconds { get; init; } = 20;
    public int Variations { get; init; } = 1;
    /// <summary>Song length told to the timing conditioner when a job gives none (default: the take's own length).</summary>
    public double? SongSeconds { get; init; }
    /// <summary>Style used by a labelled model when a job names none (bundle.json sampling "artist"/"genre").</summary>
    public string? Artist { get; init; }
    public string? Genre { get; init; }
}

/// <summary>
/// A VQ-VAE and its three priors (level 0 and 1 upsamplers, the top prior) with sampling defaults. <c>--model</c>
/// names a bundle preset (presets/bundles/NAME.json, naming model presets and optional weight files), or a folder:
/// one with a bundle.json, or OpenAI's release layout (vqvae.pth.tar, prior_level_0/1/2.pth.tar; the top prior's
/// kind is recognised from its tensors).
/// </summary>
public sealed class ModelBundle : IDisposable
{
    public VQVAE Vqvae { get; }
    public SimplePrior[] Priors { get; }
    public BundleSampling Sampling { get; }
    public string Source { get; }
    /// <summary>Folder of OpenAI's artist/genre id tables for labelled priors (bundle.json "ids", or ids/ in an OpenAI folder).</summary>
    public string? IdsDir { get; private init; }

    /// <summary>The bundle used when --model is not given.</summary>
    public const string DefaultName = "default";

    /// <summary>The --model spec to load: the one given, else the embedded default bundle (a clear error while it is not installed).</summary>
    public static string ResolveSpec(string? spec) =>
        spec ?? (File.Exists(Path.Combine(BundlesDir, DefaultName + ".json")) ? DefaultName
            : throw new ModelInputException("--model", "no --model given and the default model is not installed: pass --model (a bundle preset such as `tiny`, or a folder with OpenAI's files)"));

    private ModelBundle(VQVAE vqvae, SimplePrior[] priors, BundleSampling sampling, string source)
    {
        Vqvae = vqvae; Priors = priors; Sampling = sampling; Source = source;
    }

    public static string BundlesDir => Path.Combine(ModelPreset.Root, "bundles");

    /// <summary>Rows of x_emb of a prior that embeds lyrics and codes in one sequence: code bins plus the lyric vocabulary
    /// (1b_lyrics: 2048 + 79), from its preset.</summary>
    private static long MergedVocabulary(string preset)
    {
        var o = ModelPreset.Load(preset).Prior ?? throw new InvalidOperationException($"preset '{preset}' has no prior section");
        return o.LBins + o.NVocab;
    }

    public static ModelBundle Load(string spec, int seed = 0) => Locate(spec) switch
    {
        BundleJson b => FromJson(b.Json, b.BaseDir, seed),
        OpenAiFolder f => FromOpenAiFolder(f.Dir),
        _ => throw new FileNotFoundException($"--model '{spec}' is neither a model folder nor a bundle preset (presets: {string.Join(", ", KnownPresets())})", spec),
    };

    /// <summary>
    /// Only the VQ-VAE of a --model spec (a bundle preset, a bundle folder, an OpenAI folder), without loading the
    /// priors; null when the spec is not a bundle (then it is a VQ-VAE checkpoint or preset of its own).
    /// </summary>
    public static VQVAE? LoadVqvaeOnly(string spec, int seed = 0) => Locate(spec) switch
    {
        BundleJson b => VqvaeFromJson(b.Json, b.BaseDir, seed),
        OpenAiFolder f => Path.Combine(f.Dir, "vqvae.pth.tar") is var file && File.Exists(file)
            ? LoadVqvae("vqvae", file, seed) : throw new FileNotFoundException($"{f.Dir}: no vqvae.pth.tar or bundle.json", file),
        _ => null,
    };

    /// <summary>Where a --model spec points: a bundle's JSON (and the folder its relative paths start from), or a folder of OpenAI's files.</summary>
    private abstract record ModelSource;
    private sealed record BundleJson(string Json, string? BaseDir) : ModelSource;
    private sealed record OpenAiFolder(string Dir) : ModelSource;

    private static ModelSource? Locate(string spec)
    {
        if (Directory.Exists(spec))
        {
            var json = Path.Combine(spec, "bundle.json");
            return File.Exists(json) ? new BundleJson(json, spec) : new OpenAiFolder(spec);
        }
        string preset = Path.Combine(BundlesDir, spec + ".json");
        if (File.Exists(preset)) return new BundleJson(preset, null);
        return IsBundleFile(spec) ? new BundleJson(spec, Path.GetDirectoryName(Path.GetFullPath(spec))) : null;
    }

    private static IEnumerable<string?> KnownPresets() =>
        Directory.Exists(BundlesDir) ? Directory.GetFiles(BundlesDir, "*.json").Select(Path.GetFileNameWithoutExtension) : [];

    /// <summary>A bundle given by its JSON file's path (as job folders and codes files record it): a .json with "vqvae" and "priors".</summary>
    public static bool IsBundleFile(string spec)
    {
        if (!spec.EndsWith(".json", StringComparison.OrdinalIgnoreCase) || !File.Exists(spec)) return false;
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(spec));
            return doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("vqvae", out _) && doc.RootElement.TryGetProperty("priors", out _);
        }
        catch (JsonException) { return false; }
    }

    private static VQVAE VqvaeFromJson(string path, string? weightsDir, int seed)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        var root = doc.RootElement;
        weightsDir = WeightsDirOf(root, path) ?? weightsDir;
        var vqSpec = root.GetProperty("vqvae");
        return LoadVqvae(vqSpec.GetProperty("preset").GetString()!, FileOf(vqSpec, weightsDir, path), seed);
    }

    private static ModelBundle FromJson(string path, string? weightsDir, int seed)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        var root = doc.RootElement;
        weightsDir = WeightsDirOf(root, path) ?? weightsDir;
        using var init = ModelInit.Seeded(seed);       // random-weight parts are the same in every process
        var vq = VqvaeFromJson(path, weightsDir, seed);
        var priors = new List<SimplePrior>();
        try
        {
            foreach (var p in root.GetProperty("priors").EnumerateArray())
                priors.Add(LoadPrior(p.GetProperty("preset").GetString()!, FileOf(p, weightsDir, path)));
            var s = root.TryGetProperty("sampling", out var sj) ? ReadSampling(sj) : BundleSampling.Official;
            string? ids = root.TryGetProperty("ids", out var idj) && idj.GetString() is string idName
                ? Path.GetFullPath(Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, idName)) : null;   // relative to bundle.json
            return Checked(new ModelBundle(vq, priors.ToArray(), s, Path.GetFullPath(path)) { IdsDir = ids });
        }
        catch
        {
            vq.Dispose(); priors.ForEach(p => p.Dispose());
            throw;
        }
    }

    /// <summary>bundle.json "weights_dir": absolute, or relative to the bundle file's folder.</summary>
    private static string? WeightsDirOf(JsonElement root, string bundlePath) =>
        root.TryGetProperty("weights_dir", out var wd) && wd.GetString() is string d
            ? Path.GetFullPath(Path.Combine(Path.GetDirectoryName(Path.GetFullPath(bundlePath))!, d)) : null;

    private static string? FileOf(JsonElement e, string? dir, string bundlePath)
    {
        if (!e.TryGetProperty("file", out var f) || f.GetString() is not string name) return null;
        if (dir is null) throw new FileNotFoundException($"{bundlePath} names the weight file '{name}' but no weights folder: pass the folder holding it as --model");
        var full = Path.Combine(dir, name);
        return File.Exists(full) ? full : throw new FileNotFoundException($"weight file not found: {full}", full);
    }

    private static ModelBundle FromOpenAiFolder(string dir)
    {
        string F(string n) => File.Exists(Path.Combine(dir, n)) ? Path.Combine(dir, n)
            : throw new FileNotFoundException($"{dir}: expected OpenAI's {n} (or a bundle.json)", Path.Combine(dir, n));
        string top = F("prior_level_2.pth.tar");
        string topPreset;
        using (var f = CheckpointFile.Open(top))
        {
            var sd = StateDict.FromCheckpoint(f);
            topPreset = sd.ContainsKey("prime_prior.x_emb.weight") ? "prior_5b_lyrics"
                : sd.TryGetValue("prior.x_emb.weight", out var e) && e.Shape[0] == MergedVocabulary("prior_1b_lyrics") ? "prior_1b_lyrics" : "prior_5b";
        }
        var vq = LoadVqvae("vqvae", F("vqvae.pth.tar"), 0);
        var priors = new List<SimplePrior>();
        try
        {
            priors.Add(LoadPrior("upsampler_level_0", F("prior_level_0.pth.tar")));
            priors.Add(LoadPrior("upsampler_level_1", F("prior_level_1.pth.tar")));
            priors.Add(LoadPrior(topPreset, top));
            var s = topPreset == "prior_5b_lyrics" || topPreset == "prior_5b"
                ? BundleSampling.Official with { ChunkSize = new[] { 32, 32, 16 }, MaxBatchSize = new[] { 16, 16, 3 } }
                : BundleSampling.Official;
            string ids = Path.Combine(dir, "ids");
            return Checked(new ModelBundle(vq, priors.ToArray(), s, Path.GetFullPath(dir)) { IdsDir = Directory.Exists(ids) ? Path.GetFullPath(ids) : null });
        }
        catch
        {
            vq.Dispose(); priors.ForEach(p => p.Dispose());
            throw;
        }
    }

    /// <summary>The bundle's VQ-VAE through the one VQ-VAE loader: the preset's shape with the file's weights, or random weights without a file.</summary>
    private static VQVAE LoadVqvae(string preset, string? file, int seed) =>
        (file is null ? VqvaeLoader.Load(preset, seed: seed) : VqvaeLoader.Load(file, preset, seed)).Model;

    private static SimplePrior LoadPrior(string preset, string? file)
    {
        var o = ModelPreset.Load(preset).Prior ?? throw new ModelInputException("preset", $"preset '{preset}' has no prior section");
        var prior = new SimplePrior(o);
        if (file is not null) StateDictLoader.LoadFile(prior, file);
        prior.eval();
        return prior;
    }

    private static BundleSampling ReadSampling(JsonElement s)
    {
        T[] Arr<T>(string name, T[] def, Func<JsonElement, T> get) => s.TryGetProperty(name, out var a) ? a.EnumerateArray().Select(get).ToArray() : def;
        var d = BundleSampling.Official;
        return new BundleSampling(Arr("hop_fraction", d.HopFraction, e => e.GetDouble()), Arr("temperature", d.Temperature, e => e.GetDouble()),
                                  Arr("chunk_size", d.ChunkSize, e => e.GetInt32()), Arr("max_batch_size", d.MaxBatchSize, e => e.GetInt32()))
        {
            Seconds = s.TryGetProperty("seconds", out var sec) ? sec.GetDouble() : d.Seconds,
            Variations = s.TryGetProperty("variations", out var v) ? v.GetInt32() : d.Variations,
            SongSeconds = s.TryGetProperty("song_seconds", out var ss) ? ss.GetDouble() : null,
            Artist = s.TryGetProperty("artist", out var ar) ? ar.GetString() : null,
            Genre = s.TryGetProperty("genre", out var ge) ? ge.GetString() : null,
        };
    }

    /// <summary>The priors must match the VQ-VAE: levels in order, codebook size and hops.</summary>
    private static ModelBundle Checked(ModelBundle b)
    {
        if (b.Priors.Length != b.Vqvae.Levels) throw new ModelInputException("model", $"{b.Source}: {b.Priors.Length} priors for a {b.Vqvae.Levels}-level VQ-VAE");
        for (int l = 0; l < b.Priors.Length; l++)
        {
            var o = b.Priors[l].Options;
            if (o.Level != l) throw new ModelInputException("model", $"{b.Source}: prior {l} is a level-{o.Level} prior");
            if (o.LBins != b.Vqvae.Options.LBins) throw new ModelInputException("model", $"{b.Source}: level-{l} prior has {o.LBins} code bins, the VQ-VAE {b.Vqvae.Options.LBins}");
            if (o.RawToTokens != b.Vqvae.HopLengths[l]) throw new ModelInputException("model", $"{b.Source}: level-{l} prior expects hop {o.RawToTokens}, the VQ-VAE has {b.Vqvae.HopLengths[l]}");
        }
        return b;
    }

    public void Dispose()
    {
        Vqvae.Dispose();
        foreach (var p in Priors) p.Dispose();
    }
}
