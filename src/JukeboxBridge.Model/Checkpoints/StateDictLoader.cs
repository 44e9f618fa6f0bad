using JukeboxBridge.Errors;
using JukeboxBridge.Checkpoints;
using TorchSharp;
using static TorchSharp.torch;

namespace JukeboxBridge.Model.Checkpoints;

/// <summary>What loading a checkpoint into a module found: names it lacked, names it had extra, and shape mismatches.</summary>
public sealed record LoadReport(IReadOnlyList<string> Missing, IReadOnlyList<string> Unexpected, IReadOnlyList<string> Mismatched, int Loaded)
{
    public bool Ok => Missing.Count == 0 && Unexpected.Count == 0 && Mismatched.Count == 0;

    public string Describe(int maxPerList = 12)
    {
        string List(string what, IReadOnlyList<string> names) => names.Count == 0 ? "" :
            $"\n  {what} ({names.Count}): " + string.Join(", ", names.Take(maxPerList)) + (names.Count > maxPerList ? ", ..." : "");
        return $"{Loaded} tensors loaded" + List("missing from the checkpoint", Missing) + List("unexpected in the checkpoint", Unexpected) + List("wrong shape", Mismatched);
    }
}

/// <summary>A checkpoint that does not fit the model it is loaded into; the message names the tensors.</summary>
public sealed class ModelLoadException : ModelInputException
{
    public LoadReport Report { get; }
    public ModelLoadException(string message, LoadReport report) : base("checkpoint", message) => Report = report;
}

/// <summary>Copies checkpoint tensors into a module's parameters and buffers by name (casting dtype, e.g. fp16 -> fp32).</summary>
public static class StateDictLoader
{
    public static LoadReport Load(nn.Module module, IReadOnlyDictionary<string, StoredTensor> tensors, bool strict = true, string source = "checkpoint")
    {
        var target = module.state_dict();
        var missing = new List<string>();
        var mismatched = new List<string>();
        int loaded = 0;
        using (no_grad())
        {
            foreach (var (name, dst) in target)
            {
                if (!tensors.TryGetValue(name, out var src)) { missing.Add(name); continue; }
                if (!src.Shape.SequenceEqual(dst.shape))
                {
                    mismatched.Add($"{name} [{string.Join(", ", src.Shape)}] in the file, [{string.Join(", ", dst.shape)}] in the model");
                    continue;
                }
                using var t = src.ToTorch(dst.dtype, dst.device);
                dst.copy_(t);
                loaded++;
            }
        }
        var unexpected = tensors.Keys.Where(k => !target.ContainsKey(k)).OrderBy(k => k, StringComparer.Ordinal).ToList();
        var report = new LoadReport(missing, unexpected, mismatched, loaded);
        if (strict && !report.Ok)
            throw new ModelLoadException($"{source} does not match the model: {report.Describe()}", report);
        return report;
    }

    /// <summary>Opens a checkpoint in any format (legacy .pth.tar, zip .pth, safetensors) and loads its model tensors.</summary>
    public static LoadReport LoadFile(nn.Module module, string path, bool strict = true)
    {
        using var file = CheckpointFile.Open(path);
        return Load(module, StateDict.FromCheckpoint(file), strict, Path.GetFileName(path));
    }

    /// <summary>Tensors under a prefix with the prefix removed (e.g. a fixture's "weights/").</summary>
    public static Dictionary<string, StoredTensor> WithPrefix(CheckpointFile file, string prefix) =>
        file.Tensors.Where(t => t.Name.StartsWith(prefix, StringComparison.Ordinal))
            .ToDictionary(t => t.Name[prefix.Length..], t => t.WithName(t.Name[prefix.Length..]), StringComparer.Ordinal);
}
