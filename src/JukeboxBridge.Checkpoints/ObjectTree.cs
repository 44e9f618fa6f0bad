using JukeboxBridge.Checkpoints.Pickle;

namespace JukeboxBridge.Checkpoints;

/// <summary>
/// Splits an unpickled object into its tensors (named by their path: dict keys joined with '/')
/// and the rest (metadata: the same tree with tensor leaves, and containers left empty by them, removed).
/// </summary>
internal static class ObjectTree
{
    /// <summary>Deeper nesting than any checkpoint has; a hostile file could otherwise overflow the stack.</summary>
    public const int MaxDepth = 100;

    public static object? Split(object? node, string path, List<StoredTensor> tensors, Func<StorageRef, TensorStorage> resolve, int depth = 0)
    {
        if (depth > MaxDepth) throw new CheckpointFormatException($"'{path}' is nested more than {MaxDepth} levels deep; not a checkpoint");
        switch (node)
        {
            case TensorRef t:
                tensors.Add(new StoredTensor(path, resolve(t.Storage), t.Shape, t.Stride, t.StorageOffset));
                return Removed;
            case PyDict d:
            {
                var kept = new PyDict(d.IsOrderedDict);
                int removed = 0;
                foreach (var (k, v) in d.Items)
                {
                    var r = Split(v, Join(path, KeyText(k)), tensors, resolve, depth + 1);
                    if (ReferenceEquals(r, Removed)) removed++;
                    else kept.Set(k, r);
                }
                return removed > 0 && kept.Count == 0 ? Removed : kept;
            }
            case List<object?> l:
                return SplitSequence(l, path, tensors, resolve, depth) ?? Removed;
            case PyTuple tup:
                return SplitSequence(tup.Items, path, tensors, resolve, depth) is { } keptItems ? new PyTuple(keptItems.ToArray()) : Removed;
            case StorageRef s:
                throw new CheckpointFormatException($"'{path}' is a bare storage ({s.Key}), not a tensor");
            default:
                return node;
        }
    }

    /// <summary>The non-tensor items of a list or tuple (named by index), or null when it held only tensors.</summary>
    private static List<object?>? SplitSequence(IReadOnlyList<object?> items, string path, List<StoredTensor> tensors,
                                                Func<StorageRef, TensorStorage> resolve, int depth)
    {
        var kept = new List<object?>();
        int removed = 0;
        for (int i = 0; i < items.Count; i++)
        {
            var r = Split(items[i], Join(path, i.ToString()), tensors, resolve, depth + 1);
            if (ReferenceEquals(r, Removed)) removed++;
            else kept.Add(r);
        }
        return removed > 0 && kept.Count == 0 ? null : kept;
    }

    /// <summary>Marker for "this subtree held only tensors".</summary>
    public static readonly object Removed = new();

    public static string KeyText(object k) => k switch
    {
        string s => s,
        long or System.Numerics.BigInteger => k.ToString()!,
        bool b => b ? "True" : "False",
        PyNoneKey => "None",
        _ => k.ToString() ?? "",
    };

    private static string Join(string path, string key) => path.Length == 0 ? key : path + "/" + key;
}
