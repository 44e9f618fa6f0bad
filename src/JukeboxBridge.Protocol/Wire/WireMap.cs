namespace JukeboxBridge.Protocol.Wire;

/// <summary>
/// The header of a wire message: a MessagePack map with string keys, kept in insertion order so encoding is canonical
/// (the same message always gives the same bytes, in C# and in the native shim). Values are long, double, bool,
/// string, byte[], WireMap, or a list of those; absent optional fields are simply not in the map.
/// </summary>
public sealed class WireMap
{
    private readonly List<KeyValuePair<string, object?>> _items = new();

    public IReadOnlyList<KeyValuePair<string, object?>> Items => _items;
    public int Count => _items.Count;

    /// <summary>Adds a field (null values are skipped: absent and null mean the same).</summary>
    public WireMap Add(string key, object? value)
    {
        if (value is null) return this;
        if (_items.Any(kv => kv.Key == key)) throw new ArgumentException($"duplicate field '{key}'");
        _items.Add(new(key, Normalise(value)));
        return this;
    }

    private static object Normalise(object v) => v switch
    {
        int i => (long)i,
        uint u => (long)u,
        float f => (double)f,
        IEnumerable<string> s when v is not string => s.Cast<object?>().ToList(),
        IEnumerable<long> l => l.Cast<object?>().ToList(),
        IEnumerable<int> l => l.Select(x => (object?)(long)x).ToList(),
        IEnumerable<WireMap> m => m.Cast<object?>().ToList(),
        _ => v,
    };

    /// <summary>A decoded field (the decoder has checked it is new; null values are kept out as in <see cref="Add"/>).</summary>
    internal void AddDecoded(string key, object? value)
    {
        if (value is not null) _items.Add(new(key, value));
    }

    public bool Has(string key) => _items.Any(kv => kv.Key == key);
    public object? Get(string key) => _items.FirstOrDefault(kv => kv.Key == key).Value;

    public string String(string key) => Get(key) as string ?? throw Missing(key, "a string");
    public string? OptString(string key) => Get(key) is null ? null : String(key);
    public long Long(string key) => Get(key) is long l ? l : throw Missing(key, "an integer");
    public long? OptLong(string key) => Get(key) is null ? null : Long(key);
    public double Double(string key) => Get(key) switch { double d => d, long l => l, _ => throw Missing(key, "a number") };
    public double? OptDouble(string key) => Get(key) is null ? null : Double(key);
    public bool Bool(string key) => Get(key) is bool b ? b : throw Missing(key, "true or false");
    public bool? OptBool(string key) => Get(key) is null ? null : Bool(key);
    public byte[] Bytes(string key) => Get(key) as byte[] ?? throw Missing(key, "binary");
    public WireMap Map(string key) => Get(key) as WireMap ?? throw Missing(key, "a map");
    public WireMap? OptMap(string key) => Get(key) is null ? null : Map(key);
    public IReadOnlyList<object?> List(string key) => Get(key) as IReadOnlyList<object?> ?? throw Missing(key, "an array");
    public IReadOnlyList<string> Strings(string key) => List(key).Select(x => x as string ?? throw Missing(key, "an array of strings")).ToList();
    public IReadOnlyList<long> Longs(string key) => List(key).Select(x => x is long l ? l : throw Missing(key, "an array of integers")).ToList();

    private static ProtocolException Missing(string key, string what) =>
        new(ErrorCodes.BadMessage, $"field '{key}' must be {what}");
}
