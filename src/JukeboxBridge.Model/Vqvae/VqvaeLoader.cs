using JukeboxBridge.Errors;
using System.Text.Json;
using System.Text.Json.Nodes;
using JukeboxBridge.Checkpoints;
using JukeboxBridge.Checkpoints.Pickle;
using JukeboxBridge.Checkpoints.Safetensors;
using JukeboxBridge.Model.Checkpoints;
using JukeboxBridge.Model.Presets;

namespace JukeboxBridge.Model.Vqvae;

/// <summary>A VQ-VAE ready to use, and where it came from.</summary>
public sealed record LoadedVqvae(VQVAE Model, string Source, string OptionsFrom) : IDisposable
{
    public void Dispose() => Model.Dispose();
}

/// <summary>
/// Turns a --model argument into a VQ-VAE: a checkpoint file in any format (OpenAI's vqvae.pth.tar,
/// a torch zip, our safetensors) or a preset name (random weights, for testing). The shape comes from,
/// in order: an explicit preset, our safetensors metadata, the checkpoint's hps, the official preset.
/// </summary>
public static class VqvaeLoader
{
    public const string OptionsMetadataKey = "jukebox.vqvae_options";
    public const string OfficialPreset = "vqvae";

    public static LoadedVqvae Load(string spec, string? preset = null, int seed = 0) =>
        Load(spec, preset is null ? null : (RequirePreset(preset), $"preset '{preset}'"), seed);

    /// <summary>As <see cref="Load(string, string?, int)"/> with the model shape given directly.</summary>
    public static LoadedVqvae Load(string spec, (VqvaeOptions Options, string From)? shape, int seed = 0)
    {
        if (File.Exists(spec) && !spec.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
        {
            using var file = CheckpointFile.Open(spec);
            var (options, from) = shape ?? OptionsOf(file);
            var model = new VQVAE(options);
            try
            {
                StateDictLoader.Load(model, StateDict.FromCheckpoint(file), strict: true, Path.GetFileName(spec));
            }
            catch
            {
                model.Dispose();
                throw;
            }
            model.eval();
            return new LoadedVqvae(model, Path.GetFullPath(spec), from);
        }
        if (ModelPreset.Exists(spec))
        {
            VQVAE model;
            using (ModelInit.Seeded(seed))
            {
                model = new VQVAE(shape?.Options ?? RequirePreset(spec));
                using (TorchSharp.torch.no_grad())                 // untrained: random codebooks, so codes spread
                    for (int l = 0; l < model.Levels; l++) ModelInit.Normal(model.CodebookOf(l).k, 0, 1);
            }
            model.eval();
            return new LoadedVqvae(model, $"preset {spec} (random weights, seed {seed})", $"preset '{spec}'");
        }
        throw new FileNotFoundException(
            $"'{spec}' is neither a checkpoint file nor a model preset (presets: {string.Join(", ", ModelPreset.Available())})", spec);
    }

    private static VqvaeOptions RequirePreset(string name) =>
        ModelPreset.Load(name).Vqvae ?? throw new ModelInputException("preset", $"preset '{name}' has no vqvae section");

    /// <summary>The model shape a checkpoint describes (metadata or hps), else the official one.</summary>
    public static (VqvaeOptions Options, string From) OptionsOf(CheckpointFile file)
    {
        if (file.Metadata.Get(OptionsMetadataKey) is string json)
            return (VqvaeOptions.FromJson(JsonDocument.Parse(json).RootElement, $"{Path.GetFileName(file.Path)} metadata"), "file metadata");
        if (file.Metadata.Get("hps") is PyDict hps && FromHps(hps) is { } o) return (o, "checkpoint hps");
        return (RequirePreset(OfficialPreset), $"preset '{OfficialPreset}' (the file carries no hyperparameters)");
    }

    /// <summary>Reads the reference's hyperparameter names (levels, downs_t, hvqvae_multipliers, l_mu, ...).</summary>
    public static VqvaeOptions? FromHps(PyDict hps)
    {
        if (hps.Get("levels") is not long levels || hps.Get("emb_width") is not long emb || hps.Get("l_bins") is not long bins) return null;
        int[] Ints(string k, int[] d) => hps.Get(k) switch
        {
            List<object?> l => l.Select(Convert.ToInt32).ToArray(),
            PyTuple t => t.Items.Select(Convert.ToInt32).ToArray(),
            _ => d,
        };
        double Num(string k, double d) => hps.Get(k) switch { long l => l, double x => x, _ => d };
        var def = new VqvaeOptions();
        return new VqvaeOptions
        {
            SampleRate = (int)Num("sr", 44100),
            Levels = (int)levels,
            DownsT = Ints("downs_t", def.DownsT),
            StridesT = Ints("strides_t", def.StridesT),
            EmbWidth = (int)emb,
            LBins = (int)bins,
            Mu = Num("l_mu", 0.99),
            Multipliers = hps.Get("hvqvae_multipliers") is null ? Enumerable.Repeat(1, (int)levels).ToArray() : Ints("hvqvae_multipliers", def.Multipliers),
            Width = (int)Num("width", def.Width),
            Depth = (int)Num("depth", def.Depth),
            MConv = Num("m_conv", 1.0),
            DilationGrowthRate = (int)Num("dilation_growth_rate", 1),
            DilationCycle = hps.Get("dilation_cycle") is long c ? (int)c : null,
            ReverseDecoderDilation = hps.Get("vqvae_reverse_decoder_dilation") is not false,
        }.Validate("checkpoint hps");
    }

    /// <summary>Saves the weights as safetensors with the options in the metadata (so the file loads by itself).</summary>
    public static void Save(VQVAE model, string path, IReadOnlyDictionary<string, string>? extraMetadata = null)
    {
        var meta = new Dictionary<string, string>(extraMetadata ?? new Dictionary<string, string>())
        {
            [OptionsMetadataKey] = JsonSerializer.Serialize(model.Options, ModelJson.Options),
            ["format"] = "pt",
        };
        SafetensorsWriter.Write(path, model.state_dict().Select(kv => TorchTensors.ToWrite(kv.Key, kv.Value)), meta);
    }
}
