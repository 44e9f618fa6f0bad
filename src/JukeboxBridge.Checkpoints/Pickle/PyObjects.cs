namespace JukeboxBridge.Checkpoints.Pickle;

// The plain values a checkpoint pickle turns into. Scalars map to .NET types:
// None -> null, bool, long (or System.Numerics.BigInteger beyond 64 bits), double, string, byte[];
// list -> List<object?>; the rest are the records below. Nothing here can run code.

/// <summary>A Python tuple.</summary>
public sealed record PyTuple(object?[] Items)
{
    public int Count => Items.Length;
    public object? this[int i] => Items[i];
    public override string ToString() => PyRepr.Of(this);
}

/// <summary>
/// A short text of a plain value for names and messages: nesting beyond <see cref="MaxDepth"/> and items beyond
/// <see cref="MaxItems"/> become "...", so a hostile 10^5-deep tuple (e.g. used as a dict key) costs nothing.
/// </summary>
public static class PyRepr
{
    public const int MaxDepth = 8, MaxItems = 16;

    public static string Of(object? v)
    {
        var sb = new System.Text.StringBuilder();
        Append(sb, v, 0);
        return sb.ToString();
    }

    private static void Append(System.Text.StringBuilder sb, object? v, int depth)
    {
        if (sb.Length > 4096) { sb.Append("..."); return; }
        switch (v)
        {
            case null: sb.Append("None"); break;
            case PyTuple t: Items(sb, "(", t.Items, ")", depth); break;
            case List<object?> l: Items(sb, "[", l, "]", depth); break;
            case PyDict d: sb.Append(depth >= MaxDepth ? "{...}" : $"{{{d.Count} items}}"); break;
            default: sb.Append(v); break;
        }
    }

    private static void Items(System.Text.StringBuilder sb, string open, IReadOnlyList<object?> items, string close, int depth)
    {
        if (depth >= MaxDepth) { sb.Append(open).Append("...").Append(close); return; }
        sb.Append(open);
        for (int i = 0; i < items.Count; i++)
        {
            if (i > 0) sb.Append(", ");
            if (i == MaxItems) { sb.Append("..."); break; }
            Append(sb, items[i], depth + 1);
        }
        sb.Append(close);
    }
}

/// <summary>A Python dict or OrderedDict: keys in insertion order (any hashable scalar or tuple).</summary>
public sealed class PyDict
{
    private readonly List<KeyValuePair<object, object?>> _items = new();
    private readonly Dictionary<object, int> _index = new();

    public bool IsOrderedDict { get; }
    public PyDict(bool isOrderedDict = false) => IsOrderedDict = isOrderedDict;

    public int Count => _items.Count;
    public IReadOnlyList<KeyValuePair<object, object?>> Items => _items;

    public void Set(object? key, object? value)
    {
        if (key is null) key = PyNoneKey.Instance;
        if (key is List<object?> or PyDict) throw new CheckpointFormatException("pickle uses an unhashable dict key");
        if (_index.TryGetValue(key, out int i)) _items[i] = new(key, value);
        else { _index[key] = _items.Count; _items.Add(new(key, value)); }
    }

    public bool TryGet(object key, out object? value)
    {
        if (_index.TryGetValue(key, out int i)) { value = _items[i].Value; return true; }
        value = null;
        return false;
    }

    public object? Get(string key) => TryGet(key, out var v) ? v : null;
}

/// <summary>None used as a dict key.</summary>
public sealed class PyNoneKey
{
    public static readonly PyNoneKey Instance = new();
    public override string ToString() => "None";
}

/// <summary>A global the pickle named (module.name) and we allow; only used as a callable marker.</summary>
public sealed record PyGlobal(string Module, string Name)
{
    public string FullName => Module + "." + Name;
    public override string ToString() => FullName;
}

/// <summary>numpy.dtype(descr) as pickled (only its descr and byte order matter to us).</summary>
public sealed class NumpyDtype
{
    public string Descr { get; }
    public char ByteOrder { get; set; } = '<';
    public NumpyDtype(string descr) => Descr = descr;
}

/// <summary>A torch storage named by a persistent id, resolved to file bytes by the format reader.</summary>
public sealed record StorageRef(string Key, DType DType, long NumElements, string Location, StorageView? View);

/// <summary>Legacy-format view of another storage (view_metadata = (key, offset, size)).</summary>
public sealed record StorageView(string BaseKey, long Offset, long Size);

/// <summary>The result of torch._utils._rebuild_tensor_v2: a strided view of a storage, not yet named.</summary>
public sealed record TensorRef(StorageRef Storage, long StorageOffset, long[] Shape, long[] Stride);
