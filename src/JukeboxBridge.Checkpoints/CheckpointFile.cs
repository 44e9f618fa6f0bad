using System.Buffers.Binary;
using JukeboxBridge.Checkpoints.Pickle;
using JukeboxBridge.Checkpoints.Safetensors;
using JukeboxBridge.Checkpoints.Torch;

namespace JukeboxBridge.Checkpoints;

/// <summary>
/// An open checkpoint in any of the three formats: every tensor by its path as stored (bytes stay in
/// the memory-mapped file until read) and the non-tensor metadata. Keep it open while using tensors.
/// </summary>
public sealed class CheckpointFile : IDisposable
{
    private readonly MappedFile _file;
    private readonly Dictionary<string, StoredTensor> _byName;

    public string Path { get; }
    public CheckpointFormat Format { get; }
    /// <summary>Tensors in file order, names exactly as stored ("model/encoders.0...", "opt/state/3/exp_avg").</summary>
    public IReadOnlyList<StoredTensor> Tensors { get; }
    /// <summary>Non-tensor content: the top-level dict without its tensors (hps, step, opt's scalars...), or safetensors' __metadata__.</summary>
    public PyDict Metadata { get; }

    private CheckpointFile(string path, MappedFile file, CheckpointFormat format, List<StoredTensor> tensors, PyDict metadata)
    {
        Path = path; _file = file; Format = format; Tensors = tensors; Metadata = metadata;
        _byName = new Dictionary<string, StoredTensor>(StringComparer.Ordinal);
        foreach (var t in tensors)
            if (!_byName.TryAdd(t.Name, t)) throw new CheckpointFormatException($"{System.IO.Path.GetFileName(path)}: tensor '{t.Name}' appears twice");
    }

    public StoredTensor this[string name] => _byName.TryGetValue(name, out var t) ? t
        : throw new KeyNotFoundException($"{System.IO.Path.GetFileName(Path)} has no tensor '{name}'");

    public bool TryGet(string name, out StoredTensor tensor) => _byName.TryGetValue(name, out tensor!);

    /// <summary>The training step, when the file records one.</summary>
    public long? Step => Metadata.Get("step") is long s ? s : null;

    public static CheckpointFormat DetectFormat(string path)
    {
        using var fs = File.OpenRead(path);
        var head = new byte[9];
        int n = fs.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        string name = System.IO.Path.GetFileName(path);
        if (n < 8) throw new CheckpointFormatException($"{name}: {fs.Length} bytes is too short to be a checkpoint");
        if (head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4) return CheckpointFormat.Zip;
        if (head[0] == 0x80 && head[1] == 0x02 && head[2] == 0x8a) return CheckpointFormat.Legacy;
        ulong hlen = BinaryPrimitives.ReadUInt64LittleEndian(head);
        if (n == 9 && head[8] == '{' && hlen > 0 && hlen <= (ulong)(fs.Length - 8)) return CheckpointFormat.Safetensors;
        throw new CheckpointFormatException(
            $"{name}: not a checkpoint: expected a torch.save file (.pth/.pth.tar, legacy or zip) or safetensors; " +
            $"first bytes are {Convert.ToHexString(head, 0, Math.Min(n, 8))}");
    }

    public static CheckpointFile Open(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"checkpoint not found: {path}", path);
        var format = DetectFormat(path);
        var file = new MappedFile(path);
        string what = System.IO.Path.GetFileName(path);
        try
        {
            if (format == CheckpointFormat.Safetensors)
            {
                var (tensors, meta) = SafetensorsReader.Read(file, what);
                return new CheckpointFile(path, file, format, tensors, meta);
            }
            var (root, resolve) = format == CheckpointFormat.Legacy ? LegacyTorchReader.Read(file, what) : ZipTorchReader.Read(file, what);
            var list = new List<StoredTensor>();
            var rest = ObjectTree.Split(root, "", list, resolve);
            var metadata = rest as PyDict ?? new PyDict();
            if (rest is not PyDict && !ReferenceEquals(rest, ObjectTree.Removed) && rest is not null)
                metadata.Set("value", rest); // a file whose top level is not a dict
            return new CheckpointFile(path, file, format, list, metadata);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    public void Dispose() => _file.Dispose();
}
