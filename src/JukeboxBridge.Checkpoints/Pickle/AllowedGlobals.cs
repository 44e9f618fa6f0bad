using System.Text;

namespace JukeboxBridge.Checkpoints.Pickle;

/// <summary>
/// The only globals a checkpoint pickle may name, and what each one turns into. They are never
/// called as code: each has a hand-written evaluator here that produces a plain value.
/// </summary>
public static class AllowedGlobals
{
    private static readonly HashSet<string> TensorRebuilders = new()
    {
        "torch._utils._rebuild_tensor", "torch._utils._rebuild_tensor_v2", "torch._utils._rebuild_parameter",
    };

    private static readonly HashSet<string> Plain = new()
    {
        "collections.OrderedDict",
        "numpy.core.multiarray.scalar", "numpy._core.multiarray.scalar", "numpy.dtype", "_codecs.encode",
    };

    public static PyGlobal Resolve(string module, string name, string what)
    {
        string full = module + "." + name;
        if (TensorRebuilders.Contains(full) || Plain.Contains(full)) return new PyGlobal(module, name);
        if ((module == "torch" || module == "torch.cuda") && DTypes.TryFromStorageClass(name, out _))
            return new PyGlobal("torch", name); // GPU-saved files may name torch.cuda.*Storage
        throw new UnsafePickleException(
            $"{what}: the pickle names the global '{full}', which a checkpoint has no reason to contain; refusing to load it");
    }

    /// <summary>Evaluates REDUCE for an allowed global.</summary>
    public static object? Call(PyGlobal g, PyTuple args, string what)
    {
        switch (g.FullName)
        {
            case "collections.OrderedDict":
                if (args.Count != 0) throw Bad(what, g, "expected no arguments");
                return new PyDict(isOrderedDict: true);
            case "torch._utils._rebuild_tensor_v2":
            case "torch._utils._rebuild_tensor":
            {
                if (args.Count < 4) throw Bad(what, g, $"expected at least 4 arguments, got {args.Count}");
                var storage = args[0] as StorageRef ?? throw Bad(what, g, "first argument is not a storage");
                return new TensorRef(storage, ToLong(args[1], what, g), Longs(args[2], what, g), Longs(args[3], what, g));
            }
            case "torch._utils._rebuild_parameter":
                if (args.Count < 1 || args[0] is not TensorRef t) throw Bad(what, g, "first argument is not a tensor");
                return t;
            case "_codecs.encode":
                if (args.Count < 1 || args[0] is not string s) throw Bad(what, g, "expected a string");
                return Encoding.Latin1.GetBytes(s); // protocol-2 bytes: latin-1 text
            case "numpy.dtype":
                if (args.Count < 1 || args[0] is not string descr) throw Bad(what, g, "expected a dtype string");
                return new NumpyDtype(descr);
            case "numpy.core.multiarray.scalar":
            case "numpy._core.multiarray.scalar":
                if (args.Count != 2 || args[0] is not NumpyDtype dt || args[1] is not byte[] raw)
                    throw Bad(what, g, "expected (dtype, bytes)");
                return NumpyScalar(dt, raw, what);
            default:
                throw new UnsafePickleException($"{what}: '{g.FullName}' may not be called");
        }
    }

    /// <summary>Evaluates BUILD: only the state of an OrderedDict (torch's _metadata) and of numpy.dtype.</summary>
    public static void Build(object? target, object? state, string what)
    {
        switch (target)
        {
            case PyDict: return; // state_dict._metadata (module versions): not needed
            case NumpyDtype dt:
                if (state is PyTuple t && t.Count > 1 && t[1] is string order && order.Length == 1) dt.ByteOrder = order[0];
                return;
            default:
                throw new UnsafePickleException($"{what}: BUILD on a {target?.GetType().Name ?? "None"} is not allowed");
        }
    }

    private static object NumpyScalar(NumpyDtype dt, byte[] raw, string what)
    {
        string d = dt.Descr.TrimStart('<', '>', '|', '=');
        if (d.Length < 2 || !int.TryParse(d.AsSpan(1), out int size) || size != raw.Length)
            throw new CheckpointFormatException($"{what}: numpy scalar of dtype '{dt.Descr}' has {raw.Length} bytes");
        var b = (byte[])raw.Clone();
        if (dt.ByteOrder == '>' ^ !BitConverter.IsLittleEndian) Array.Reverse(b);
        return (d[0], size) switch
        {
            ('i', 1) => (long)(sbyte)b[0],
            ('i', 2) => (long)BitConverter.ToInt16(b),
            ('i', 4) => (long)BitConverter.ToInt32(b),
            ('i', 8) => BitConverter.ToInt64(b),
            ('u', 1) => (long)b[0],
            ('u', 2) => (long)BitConverter.ToUInt16(b),
            ('u', 4) => (long)BitConverter.ToUInt32(b),
            ('u', 8) => (object)new System.Numerics.BigInteger(BitConverter.ToUInt64(b)),
            ('f', 2) => (double)BitConverter.ToHalf(b),
            ('f', 4) => (double)BitConverter.ToSingle(b),
            ('f', 8) => BitConverter.ToDouble(b),
            ('b', 1) => b[0] != 0,
            _ => throw new CheckpointFormatException($"{what}: unsupported numpy scalar dtype '{dt.Descr}'"),
        };
    }

    private static long ToLong(object? o, string what, PyGlobal g) =>
        o is long l ? l : throw Bad(what, g, $"expected an integer, got {o?.GetType().Name ?? "None"}");

    private static long[] Longs(object? o, string what, PyGlobal g) =>
        o is PyTuple t ? t.Items.Select(i => ToLong(i, what, g)).ToArray() : throw Bad(what, g, "expected a tuple of integers");

    private static CheckpointFormatException Bad(string what, PyGlobal g, string msg) => new($"{what}: {g.FullName}: {msg}");
}
