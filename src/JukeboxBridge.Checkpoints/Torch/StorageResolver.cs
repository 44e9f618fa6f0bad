using JukeboxBridge.Checkpoints.Pickle;

namespace JukeboxBridge.Checkpoints.Torch;

/// <summary>Parses torch's persistent ids into <see cref="StorageRef"/>s (both layouts).</summary>
internal static class PersistentIds
{
    public static StorageRef Parse(PyTuple pid, string what, bool legacy)
    {
        if (pid.Count < 5 || pid[0] as string != "storage")
            throw new CheckpointFormatException($"{what}: unknown persistent id {pid}");
        if (pid[1] is not PyGlobal cls || !DTypes.TryFromStorageClass(cls.Name, out var dtype))
            throw new CheckpointFormatException($"{what}: persistent id names an unknown storage class ({pid[1]})");
        string key = pid[2] as string ?? throw new CheckpointFormatException($"{what}: storage key is not a string");
        string location = pid[3] as string ?? "";
        if (pid[4] is not long numel) throw new CheckpointFormatException($"{what}: storage '{key}' has no element count");
        StorageView? view = null;
        if (legacy && pid.Count > 5 && pid[5] is PyTuple v)
        {
            if (v.Count != 3 || v[0] is not string baseKey || v[1] is not long off || v[2] is not long size)
                throw new CheckpointFormatException($"{what}: bad storage view metadata {v}");
            view = new StorageView(baseKey, off, size);
        }
        return new StorageRef(key, dtype, numel, location, view);
    }
}
