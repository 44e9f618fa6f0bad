using System.Text;
using JukeboxBridge.Checkpoints.Pickle;

namespace JukeboxBridge.Checkpoints.Torch;

/// <summary>
/// torch.save's zip container (torch >= 1.6): &lt;prefix&gt;/data.pkl holds the object, and each
/// storage is the stored (uncompressed) entry &lt;prefix&gt;/data/&lt;key&gt;.
/// </summary>
internal static class ZipTorchReader
{
    public static (object? Root, Func<StorageRef, TensorStorage> Resolve) Read(MappedFile f, string what)
    {
        var entries = ZipDirectory.Read(f, what);
        var pkl = entries.Values.FirstOrDefault(e => e.Name == "data.pkl" || e.Name.EndsWith("/data.pkl", StringComparison.Ordinal))
                  ?? throw new CheckpointFormatException($"{what}: zip has no data.pkl: not a torch.save file");
        string prefix = pkl.Name[..^"data.pkl".Length];
        if (entries.TryGetValue(prefix + "byteorder", out var bo) && Encoding.ASCII.GetString(f.Span(bo.DataOffset, bo.Size)).Trim() != "little")
            throw new CheckpointFormatException($"{what}: saved big-endian; not supported");
        if (pkl.Method != 0) throw new CheckpointFormatException($"{what}: data.pkl is compressed (method {pkl.Method}); torch writes it stored");

        var root = new PickleMachine(f, pkl.DataOffset, pkl.DataOffset + pkl.Size, $"{what} (data.pkl)",
            pid => PersistentIds.Parse(pid, what, legacy: false)).Load();

        var cache = new Dictionary<string, TensorStorage>(StringComparer.Ordinal);
        TensorStorage Resolve(StorageRef r)
        {
            if (cache.TryGetValue(r.Key, out var s)) return s;
            if (!entries.TryGetValue(prefix + "data/" + r.Key, out var e))
                throw new CheckpointFormatException($"{what}: storage '{r.Key}' has no entry data/{r.Key} in the zip");
            if (e.Method != 0) throw new CheckpointFormatException($"{what}: storage data/{r.Key} is compressed; not supported");
            long need = r.NumElements * r.DType.ElementSize();
            if (e.Size < need)
                throw new CheckpointFormatException($"{what}: storage data/{r.Key} has {e.Size} bytes, needs {need}");
            return cache[r.Key] = new TensorStorage(f, e.DataOffset, r.NumElements, r.DType, r.Key);
        }
        return (root, Resolve);
    }
}
