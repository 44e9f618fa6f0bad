using System.Buffers.Binary;
using System.Numerics;
using System.Text;

namespace JukeboxBridge.Checkpoints.Pickle;

/// <summary>
/// A minimal pickle interpreter for what torch.save writes (protocols 2-4). It builds plain values
/// (see PyObjects.cs) and calls nothing: every GLOBAL must be on <see cref="AllowedGlobals"/>, every
/// REDUCE is evaluated by our own code for that global, and any other global or opcode is refused
/// with an <see cref="UnsafePickleException"/> naming it.
/// </summary>
public sealed class PickleMachine
{
    private readonly MappedFile _file;
    private readonly string _what;
    private readonly Func<PyTuple, object?> _persistentLoad;
    private long _pos;
    private readonly long _end;
    private readonly List<object?> _stack = new();
    private readonly Stack<int> _marks = new();
    private readonly Dictionary<long, object?> _memo = new();

    /// <param name="what">Names the pickle in error messages (file name and section).</param>
    /// <param name="persistentLoad">Turns a persistent id (BINPERSID) into a value, e.g. a <see cref="StorageRef"/>.</param>
    public PickleMachine(MappedFile file, long start, long end, string what, Func<PyTuple, object?> persistentLoad)
    {
        _file = file; _pos = start; _end = end; _what = what; _persistentLoad = persistentLoad;
    }

    /// <summary>Position just after the STOP opcode once <see cref="Load"/> returned.</summary>
    public long Position => _pos;

    public object? Load()
    {
        while (true)
        {
            long at = _pos;
            byte op = ReadByte();
            switch (op)
            {
                case 0x80: ReadByte(); break;                                   // PROTO
                case 0x95: ReadBytes(8); break;                                 // FRAME (proto 4): framing only
                case (byte)'.':                                                 // STOP
                    if (_stack.Count != 1) throw Corrupt(at, $"STOP with {_stack.Count} values on the stack");
                    return _stack[0];
                case (byte)'(': _marks.Push(_stack.Count); break;                // MARK
                case (byte)'0': Pop(at); break;                                 // POP
                case (byte)'1': PopMark(at); break;                             // POP_MARK
                case (byte)'2': Push(Peek(at)); break;                          // DUP
                case (byte)'N': Push(null); break;                              // NONE
                case 0x88: Push(true); break;                                   // NEWTRUE
                case 0x89: Push(false); break;                                  // NEWFALSE
                case (byte)'J': Push((long)BinaryPrimitives.ReadInt32LittleEndian(ReadBytes(4))); break; // BININT
                case (byte)'K': Push((long)ReadByte()); break;                  // BININT1
                case (byte)'M': Push((long)BinaryPrimitives.ReadUInt16LittleEndian(ReadBytes(2))); break; // BININT2
                case 0x8a: Push(ReadLong(ReadByte())); break;                   // LONG1
                case 0x8b: Push(ReadLong(ReadLength4(at))); break;              // LONG4
                case (byte)'G': Push(BinaryPrimitives.ReadDoubleBigEndian(ReadBytes(8))); break; // BINFLOAT
                case (byte)'X': Push(ReadUtf8(ReadLength4(at))); break;         // BINUNICODE
                case 0x8c: Push(ReadUtf8(ReadByte())); break;                   // SHORT_BINUNICODE
                case 0x8d: Push(ReadUtf8(ReadLength8(at))); break;              // BINUNICODE8
                case (byte)'T': Push(ReadLatin1(ReadLength4(at))); break;       // BINSTRING (py2 str)
                case (byte)'U': Push(ReadLatin1(ReadByte())); break;            // SHORT_BINSTRING
                case (byte)'B': Push(ReadBytes(ReadLength4(at)).ToArray()); break; // BINBYTES
                case (byte)'C': Push(ReadBytes(ReadByte()).ToArray()); break;   // SHORT_BINBYTES
                case 0x8e: Push(ReadBytes(ReadLength8(at)).ToArray()); break;   // BINBYTES8
                case (byte)'}': Push(new PyDict()); break;                      // EMPTY_DICT
                case (byte)']': Push(new List<object?>()); break;               // EMPTY_LIST
                case (byte)')': Push(new PyTuple(Array.Empty<object?>())); break; // EMPTY_TUPLE
                case (byte)'t': Push(new PyTuple(PopMark(at).ToArray())); break; // TUPLE
                case 0x85: { var a = Pop(at); Push(new PyTuple(new[] { a })); break; }            // TUPLE1
                case 0x86: { var b = Pop(at); var a = Pop(at); Push(new PyTuple(new[] { a, b })); break; } // TUPLE2
                case 0x87: { var c = Pop(at); var b = Pop(at); var a = Pop(at); Push(new PyTuple(new[] { a, b, c })); break; } // TUPLE3
                case (byte)'l': Push(PopMark(at)); break;                       // LIST
                case (byte)'d': Push(DictFrom(PopMark(at), at)); break;         // DICT
                case (byte)'a': { var v = Pop(at); AsList(Peek(at), at).Add(v); break; }  // APPEND
                case (byte)'e': { var items = PopMark(at); AsList(Peek(at), at).AddRange(items); break; } // APPENDS
                case (byte)'s': { var v = Pop(at); var k = Pop(at); AsDict(Peek(at), at).Set(k, v); break; } // SETITEM
                case (byte)'u':                                                 // SETITEMS
                {
                    var items = PopMark(at);
                    if (items.Count % 2 != 0) throw Corrupt(at, "SETITEMS with an odd number of items");
                    var d = AsDict(Peek(at), at);
                    for (int i = 0; i < items.Count; i += 2) d.Set(items[i], items[i + 1]);
                    break;
                }
                case (byte)'q': _memo[ReadByte()] = Peek(at); break;            // BINPUT
                case (byte)'r': _memo[BinaryPrimitives.ReadUInt32LittleEndian(ReadBytes(4))] = Peek(at); break; // LONG_BINPUT
                case 0x94: _memo[_memo.Count] = Peek(at); break;                // MEMOIZE
                case (byte)'h': Push(MemoGet(ReadByte(), at)); break;           // BINGET
                case (byte)'j': Push(MemoGet(BinaryPrimitives.ReadUInt32LittleEndian(ReadBytes(4)), at)); break; // LONG_BINGET
                case (byte)'c':                                                 // GLOBAL
                {
                    string module = ReadLine(at), name = ReadLine(at);
                    Push(AllowedGlobals.Resolve(module, name, _what));
                    break;
                }
                case 0x93:                                                      // STACK_GLOBAL
                {
                    var name = Pop(at) as string; var module = Pop(at) as string;
                    if (module is null || name is null) throw Corrupt(at, "STACK_GLOBAL without two strings");
                    Push(AllowedGlobals.Resolve(module, name, _what));
                    break;
                }
                case (byte)'R':                                                 // REDUCE
                {
                    var args = Pop(at) as PyTuple ?? throw Corrupt(at, "REDUCE arguments are not a tuple");
                    var callable = Pop(at) as PyGlobal ?? throw Corrupt(at, "REDUCE on something that is not an allowed global");
                    Push(AllowedGlobals.Call(callable, args, _what));
                    break;
                }
                case (byte)'b':                                                 // BUILD
                {
                    var state = Pop(at);
                    AllowedGlobals.Build(Peek(at), state, _what);
                    break;
                }
                case (byte)'Q':                                                 // BINPERSID
                {
                    var pid = Pop(at) as PyTuple ?? throw Corrupt(at, "persistent id is not a tuple");
                    Push(_persistentLoad(pid));
                    break;
                }
                default:
                    throw new UnsafePickleException(
                        $"{_what}: pickle opcode 0x{op:x2} ('{(op >= 32 && op < 127 ? (char)op : '?')}') at byte {at} is not allowed in a checkpoint");
            }
        }
    }

    private CheckpointFormatException Corrupt(long at, string msg) => new($"{_what}: corrupt pickle at byte {at}: {msg}");

    private void Push(object? v) => _stack.Add(v);

    private object? Pop(long at)
    {
        if (_stack.Count == 0 || (_marks.Count > 0 && _stack.Count <= _marks.Peek())) throw Corrupt(at, "stack underflow");
        var v = _stack[^1];
        _stack.RemoveAt(_stack.Count - 1);
        return v;
    }

    private object? Peek(long at)
    {
        if (_stack.Count == 0) throw Corrupt(at, "stack underflow");
        return _stack[^1];
    }

    private List<object?> PopMark(long at)
    {
        if (_marks.Count == 0) throw Corrupt(at, "no MARK");
        int m = _marks.Pop();
        var items = _stack.GetRange(m, _stack.Count - m);
        _stack.RemoveRange(m, _stack.Count - m);
        return items;
    }

    private object? MemoGet(long key, long at) =>
        _memo.TryGetValue(key, out var v) ? v : throw Corrupt(at, $"memo entry {key} was never stored");

    private static List<object?> AsList(object? o, long at) => o as List<object?> ?? throw new CheckpointFormatException($"corrupt pickle at byte {at}: APPEND to a non-list");
    private PyDict AsDict(object? o, long at) => o as PyDict ?? throw Corrupt(at, "SETITEM on a non-dict");

    private PyDict DictFrom(List<object?> items, long at)
    {
        if (items.Count % 2 != 0) throw Corrupt(at, "DICT with an odd number of items");
        var d = new PyDict();
        for (int i = 0; i < items.Count; i += 2) d.Set(items[i], items[i + 1]);
        return d;
    }

    private byte ReadByte() => ReadBytes(1)[0];

    private ReadOnlySpan<byte> ReadBytes(long n)
    {
        if (n < 0 || _pos + n > _end)
            throw new CheckpointFormatException($"{_what}: truncated pickle: needs {n} bytes at byte {_pos}, section ends at {_end}");
        var s = _file.Span(_pos, n);
        _pos += n;
        return s;
    }

    private long ReadLength4(long at)
    {
        long n = BinaryPrimitives.ReadUInt32LittleEndian(ReadBytes(4));
        return n;
    }

    private long ReadLength8(long at)
    {
        ulong n = BinaryPrimitives.ReadUInt64LittleEndian(ReadBytes(8));
        if (n > long.MaxValue) throw Corrupt(at, "length overflows");
        return (long)n;
    }

    private object ReadLong(long n)
    {
        var bytes = ReadBytes(n);
        if (n == 0) return 0L;
        var big = new BigInteger(bytes, isUnsigned: false, isBigEndian: false);
        return big >= long.MinValue && big <= long.MaxValue ? (object)(long)big : big;
    }

    private string ReadUtf8(long n) => Encoding.UTF8.GetString(ReadBytes(n));
    private string ReadLatin1(long n) => Encoding.Latin1.GetString(ReadBytes(n));

    private string ReadLine(long at)
    {
        var sb = new StringBuilder();
        while (true)
        {
            byte b = ReadByte();
            if (b == (byte)'\n') return sb.ToString();
            if (sb.Length > 256) throw Corrupt(at, "GLOBAL name too long");
            sb.Append((char)b);
        }
    }
}
