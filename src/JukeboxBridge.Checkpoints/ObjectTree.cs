using JukeboxBridge.Checkpoints.Pickle;

namespace JukeboxBridge.Checkpoints;

/// <summary>
/// Splits an unpickled object into its tensors (named by their path: dict keys joined with '/')
/// and the rest (metadata: the same tree with tensor leaves, and containers left empty by them, removed).
/// Hostile shapes are refused quickly: nesting deeper than <see cref="MaxDepth"/>, and trees that expand to more than
/// <see cref="MaxNodes"/> objects. A container the pickle shares by reference (its memo) is split once and reused, and
/// its expanded size is what counts, so a DAG of lists that doubles at every level (2^90 paths from 180 opcodes) is
/// refused after one pass over its distinct objects instead of being walked.
/// </summary>
internal sealed class ObjectTree
{
    /// <summary>Deeper nesting than any checkpoint has; a hostile file could otherwise overflow the stack.</summary>
    public const int MaxDepth = 100;
    /// <summary>More objects than any checkpoint holds (a 5B-parameter prior has a few thousand).</summary>
    public const long MaxNodes = 1_000_000;

    /// <summary>A split subtree: its metadata, its tensors by path relative to it, and how many objects it expands to.</summary>
    private sealed record Part(object? Result, List<(string? Path, TensorRef Tensor)> Tensors, long Size);

    /// <summary>Longer tensor names than any checkpoint has (a hostile DAG of long shared keys would otherwise build huge names).</summary>
    public const int MaxNameChars = 4096;

    private readonly Dictionary<object, Part> _memo = new(ReferenceEqualityComparer.Instance);
    private long _nodes;

    public static object? Split(object? node, string path, List<StoredTensor> tensors, Func<StorageRef, TensorStorage> resolve)
    {
        var part = new ObjectTree().Visit(node, path, 0);
        foreach (var (p, t) in part.Tensors) tensors.Add(new StoredTensor(p ?? path, resolve(t.Storage), t.Shape, t.Stride, t.StorageOffset));
        return part.Result;
    }

    private Part Visit(object? node, string path, int depth)
    {
        if (depth > MaxDepth) throw new CheckpointFormatException($"'{Short(path)}' is nested more than {MaxDepth} levels deep; not a checkpoint");
        if (node is PyDict or List<object?> or PyTuple && _memo.TryGetValue(node, out var seen))
        {
            Count(seen.Size, path);
            return seen;
        }
        Count(1, path);
        var part = node switch
        {
            TensorRef t => new Part(Removed, [(null, t)], 1),
            PyDict d => SplitDict(d, path, depth),
            List<object?> l => SplitSequence(l, path, depth, kept => kept ?? Removed),
            PyTuple tup => SplitSequence(tup.Items, path, depth, kept => kept is null ? Removed : new PyTuple(kept.ToArray())),
            StorageRef s => throw new CheckpointFormatException($"'{Short(path)}' is a bare storage ({s.Key}), not a tensor"),
            _ => new Part(node, [], 1),
        };
        if (node is PyDict or List<object?> or PyTuple) _memo[node] = part;
        return part;
    }

    private void Count(long n, string path)
    {
        _nodes = _nodes > MaxNodes ? _nodes : _nodes + Math.Min(n, MaxNodes + 1);
        if (_nodes > MaxNodes)
            throw new CheckpointFormatException($"the pickle expands to more than {MaxNodes:N0} objects (at '{Short(path)}'); not a checkpoint");
    }

    private Part SplitDict(PyDict d, string path, int depth)
    {
        var kept = new PyDict(d.IsOrderedDict);
        var tensors = new List<(string?, TensorRef)>();
        int removed = 0;
        long size = 1;
        foreach (var (k, v) in d.Items)
        {
            string key = KeyText(k);
            var r = Visit(v, Join(path, key), depth + 1);
            size = Math.Min(MaxNodes + 1, size + r.Size);
            foreach (var (p, t) in r.Tensors) tensors.Add((Name(path, key, p), t));
            if (ReferenceEquals(r.Result, Removed)) removed++;
            else kept.Set(k, r.Result);
        }
        return new Part(removed > 0 && kept.Count == 0 ? Removed : kept, tensors, size);
    }

    /// <summary>The non-tensor items of a list or tuple (named by index); <paramref name="make"/> gets null when it held only tensors.</summary>
    private Part SplitSequence(IReadOnlyList<object?> items, string path, int depth, Func<List<object?>?, object?> make)
    {
        var kept = new List<object?>();
        var tensors = new List<(string?, TensorRef)>();
        int removed = 0;
        long size = 1;
        for (int i = 0; i < items.Count; i++)
        {
            string key = i.ToString();
            var r = Visit(items[i], Join(path, key), depth + 1);
            size = Math.Min(MaxNodes + 1, size + r.Size);
            foreach (var (p, t) in r.Tensors) tensors.Add((Name(path, key, p), t));
            if (ReferenceEquals(r.Result, Removed)) removed++;
            else kept.Add(r.Result);
        }
        return new Part(make(removed > 0 && kept.Count == 0 ? null : kept), tensors, size);
    }

    /// <summary>A tensor's name relative to the container holding it under <paramref name="key"/> (null: the child itself).</summary>
    private static string Name(string path, string key, string? below)
    {
        string name = below is null ? key : Join(key, below);
        if (name.Length + path.Length > MaxNameChars)
            throw new CheckpointFormatException($"a tensor name under '{Short(path)}' is longer than {MaxNameChars} characters; not a checkpoint");
        return name;
    }

    private static string Short(string path) => path.Length <= 200 ? path : path[..200] + "...";

    /// <summary>Marker for "this subtree held only tensors".</summary>
    public static readonly object Removed = new();

    public static string KeyText(object k) => k switch
    {
        string s => s,
        long or System.Numerics.BigInteger => k.ToString()!,
        bool b => b ? "True" : "False",
        PyNoneKey => "None",
        _ => PyRepr.Of(k),
    };

    private static string Join(string path, string key) => path.Length == 0 ? key : path + "/" + key;
}
