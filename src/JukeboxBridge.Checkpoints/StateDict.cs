namespace JukeboxBridge.Checkpoints;

/// <summary>
/// Maps a checkpoint's stored tensor paths to a model's state-dict names, as the reference loader
/// does: take the <c>model</c> entry (the whole file for safetensors or a bare state_dict) and drop a
/// leading <c>module.</c> (DistributedDataParallel) from each key. Optimizer state is left out.
/// </summary>
public static class StateDict
{
    public const string ModelKey = "model";

    public static IReadOnlyDictionary<string, StoredTensor> FromCheckpoint(CheckpointFile file)
    {
        var prefix = ModelKey + "/";
        bool hasModel = file.Tensors.Any(t => t.Name.StartsWith(prefix, StringComparison.Ordinal));
        var result = new Dictionary<string, StoredTensor>(StringComparer.Ordinal);
        foreach (var t in file.Tensors)
        {
            string name = t.Name;
            if (hasModel)
            {
                if (!name.StartsWith(prefix, StringComparison.Ordinal)) continue; // opt/..., other top-level keys
                name = name[prefix.Length..];
            }
            name = StripModulePrefix(name);
            if (!result.TryAdd(name, t.WithName(name)))
                throw new CheckpointFormatException($"{Path.GetFileName(file.Path)}: two tensors map to '{name}' after removing 'module.'");
        }
        return result;
    }

    public static string StripModulePrefix(string name) =>
        name.StartsWith("module.", StringComparison.Ordinal) ? name["module.".Length..] : name;
}
