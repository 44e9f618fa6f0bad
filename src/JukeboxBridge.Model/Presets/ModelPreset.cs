using JukeboxBridge.Errors;
using System.Text.Json;
using JukeboxBridge.Model.Vqvae;

namespace JukeboxBridge.Model.Presets;

/// <summary>
/// A model preset (presets/models/NAME.json): typed options for the VQ-VAE (and, later, the priors),
/// validated when read; errors name the file and the field.
/// </summary>
public sealed record ModelPreset(string Name, string Description, string Path, VqvaeOptions? Vqvae, VqvaeLossOptions? VqvaeLoss, Prior.PriorOptions? Prior = null)
{
    /// <summary>
    /// Where presets live: $JUKEBOX_PRESETS, else presets/ beside the program (copied there by the build),
    /// else the repository's presets/ above it.
    /// </summary>
    public static string Root
    {
        get
        {
            var env = Environment.GetEnvironmentVariable("JUKEBOX_PRESETS");
            if (!string.IsNullOrWhiteSpace(env)) return System.IO.Path.GetFullPath(env);
            var local = System.IO.Path.Combine(AppContext.BaseDirectory, "presets");
            if (Directory.Exists(local)) return local;
            for (var d = new DirectoryInfo(AppContext.BaseDirectory); d != null; d = d.Parent)
                if (Directory.Exists(System.IO.Path.Combine(d.FullName, "presets", "models"))) return System.IO.Path.Combine(d.FullName, "presets");
            return local;
        }
    }

    public static string ModelsDir => System.IO.Path.Combine(Root, "models");

    public static IReadOnlyList<string> Available() =>
        Directory.Exists(ModelsDir)
            ? Directory.GetFiles(ModelsDir, "*.json").Select(f => System.IO.Path.GetFileNameWithoutExtension(f)).OrderBy(n => n).ToList()
            : Array.Empty<string>();

    /// <summary>True when <paramref name="nameOrPath"/> names a preset (not a file).</summary>
    public static bool Exists(string nameOrPath) =>
        File.Exists(System.IO.Path.Combine(ModelsDir, nameOrPath + ".json")) ||
        (nameOrPath.EndsWith(".json", StringComparison.OrdinalIgnoreCase) && File.Exists(nameOrPath));

    public static ModelPreset Load(string nameOrPath)
    {
        string path = nameOrPath.EndsWith(".json", StringComparison.OrdinalIgnoreCase) && File.Exists(nameOrPath)
            ? nameOrPath : System.IO.Path.Combine(ModelsDir, nameOrPath + ".json");
        if (!File.Exists(path))
            throw new FileNotFoundException($"no model preset '{nameOrPath}' (known: {string.Join(", ", Available())}; folder {ModelsDir})", path);
        JsonDocument doc;
        try { doc = JsonDocument.Parse(File.ReadAllText(path), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true }); }
        catch (JsonException e) { throw new ModelInputException("preset", $"{path}: not valid JSON: {e.Message}"); }
        using (doc)
        {
            var root = doc.RootElement;
            string name = root.TryGetProperty("name", out var n) ? n.GetString() ?? "" : System.IO.Path.GetFileNameWithoutExtension(path);
            string desc = root.TryGetProperty("description", out var d) ? d.GetString() ?? "" : "";
            VqvaeOptions? vq = null;
            VqvaeLossOptions? loss = null;
            Prior.PriorOptions? prior = null;
            try
            {
                if (root.TryGetProperty("vqvae", out var v)) vq = VqvaeOptions.FromJson(v, $"{path}: vqvae");
                if (root.TryGetProperty("vqvae_loss", out var l)) loss = l.Deserialize<VqvaeLossOptions>(ModelJson.Options);
                if (root.TryGetProperty("prior", out var pr)) prior = pr.Deserialize<Prior.PriorOptions>(ModelJson.Options);
            }
            catch (JsonException e) { throw new ModelInputException("preset", $"{path}: {e.Path}: {e.Message}"); }
            return new ModelPreset(name, desc, path, vq, loss, prior);
        }
    }
}
