using System.Buffers.Binary;
using System.Numerics;
using JukeboxBridge.Checkpoints.Pickle;

namespace JukeboxBridge.Checkpoints.Torch;

/// <summary>
/// torch.save's pre-1.6 stream (OpenAI's released *.pth.tar): five pickles back to back (magic,
/// protocol version, system info, the object, the sorted storage keys) then, per key, an int64
/// element count and the raw storage bytes. Storages are located, not read.
/// </summary>
internal static class LegacyTorchReader
{
    private static readonly BigInteger Magic = BigInteger.Parse("119547037146038801333356");

    public static (object? Root, Func<StorageRef, TensorStorage> Resolve) Read(MappedFile f, string what)
    {
        long pos = 0;
        object? NextPickle(string section, Func<PyTuple, object?>? persistent = null)
        {
            var pm = new PickleMachine(f, pos, f.Length, $"{what} ({section})",
                persistent ?? (pid => throw new CheckpointFormatException($"{what}: persistent id in the {section}")));
            var v = pm.Load();
            pos = pm.Position;
            return v;
        }

        var magic = NextPickle("magic number");
        if (!(magic is BigInteger b && b == Magic))
            throw new CheckpointFormatException($"{what}: not a torch.save file (wrong magic number)");
        if (NextPickle("protocol version") is not long proto || proto != 1001)
            throw new CheckpointFormatException($"{what}: unsupported torch.save protocol version");
        if (NextPickle("system info") is PyDict sys && sys.Get("little_endian") is false)
            throw new CheckpointFormatException($"{what}: saved on a big-endian machine; not supported");

        var refs = new Dictionary<string, StorageRef>(StringComparer.Ordinal);
        var root = NextPickle("object", pid =>
        {
            var r = PersistentIds.Parse(pid, what, legacy: true);
            refs.TryAdd(r.Key, r);
            return r;
        });
        if (NextPickle("storage keys") is not List<object?> keys)
            throw new CheckpointFormatException($"{what}: storage key list missing");

        var storages = new Dictionary<string, TensorStorage>(StringComparer.Ordinal);
        foreach (var k in keys)
        {
            string key = k as string ?? throw new CheckpointFormatException($"{what}: storage key is not a string");
            if (!refs.TryGetValue(key, out var r))
                throw new CheckpointFormatException($"{what}: storage '{key}' is listed but never used; cannot size it");
            f.Check(pos, 8);
            long numel = BinaryPrimitives.ReadInt64LittleEndian(f.Span(pos, 8));
            if (numel != r.NumElements && r.View is null)
                throw new CheckpointFormatException($"{what}: storage '{key}' record says {numel} elements, the pickle {r.NumElements}");
            storages[key] = new TensorStorage(f, pos + 8, numel, r.DType, key);
            pos += 8 + numel * r.DType.ElementSize();
        }

        TensorStorage Resolve(StorageRef r)
        {
            if (r.View is { } v)
            {
                if (!storages.TryGetValue(v.BaseKey, out var baseStorage))
                    throw new CheckpointFormatException($"{what}: storage view of missing storage '{v.BaseKey}'");
                return new TensorStorage(f, baseStorage.ByteOffset + v.Offset * r.DType.ElementSize(), v.Size, r.DType, r.Key);
            }
            return storages.TryGetValue(r.Key, out var s) ? s
                : throw new CheckpointFormatException($"{what}: storage '{r.Key}' has no data record");
        }
        return (root, Resolve);
    }
}
