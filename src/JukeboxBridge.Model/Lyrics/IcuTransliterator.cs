using System.Runtime.InteropServices;

namespace JukeboxBridge.Model.Lyrics;

/// <summary>
/// ICU's "Any-Latin; Latin-ASCII" transliterator (the system's ICU, which .NET itself uses on Linux; icu.dll on
/// Windows 10+), for scripts our own tables do not cover (Han, kana, Hangul, ...). Found at run time; when no
/// ICU is present <see cref="Available"/> is false and such characters are dropped. Calls are serialised
/// (an ICU transliterator is not thread-safe).
/// </summary>
internal static unsafe class IcuTransliterator
{
    private static readonly object Gate = new();
    private static bool _tried;
    private static IntPtr _trans;
    private static delegate* unmanaged<IntPtr, char*, int*, int, int, int*, int*, void> _transUChars;

    public static bool Available
    {
        get { lock (Gate) { Init(); return _trans != IntPtr.Zero; } }
    }

    /// <summary>ASCII for one character (or grapheme), or null when ICU is missing or gives nothing.</summary>
    public static string? Transliterate(string s)
    {
        lock (Gate)
        {
            Init();
            if (_trans == IntPtr.Zero) return null;
            var buf = new char[Math.Max(64, s.Length * 16)];
            s.CopyTo(0, buf, 0, s.Length);
            int len = s.Length, limit = s.Length, status = 0;
            fixed (char* p = buf) _transUChars(_trans, p, &len, buf.Length, 0, &limit, &status);
            return status > 0 || len <= 0 ? null : new string(buf, 0, len);
        }
    }

    private static void Init()
    {
        if (_tried) return;
        _tried = true;
        foreach (var (lib, suffix) in Candidates())
        {
            if (!NativeLibrary.TryLoad(lib, out var h)) continue;
            if (!NativeLibrary.TryGetExport(h, "utrans_openU" + suffix, out var open) ||
                !NativeLibrary.TryGetExport(h, "utrans_transUChars" + suffix, out var trans)) continue;
            const string id = "Any-Latin; Latin-ASCII";
            int status = 0;
            var openFn = (delegate* unmanaged<char*, int, int, char*, int, IntPtr, int*, IntPtr>)open;
            IntPtr t;
            fixed (char* pid = id) t = openFn(pid, id.Length, 0, null, 0, IntPtr.Zero, &status);
            if (status > 0 || t == IntPtr.Zero) continue;
            _trans = t;
            _transUChars = (delegate* unmanaged<IntPtr, char*, int*, int, int, int*, int*, void>)trans;
            return;
        }
    }

    private static IEnumerable<(string Lib, string Suffix)> Candidates()
    {
        if (OperatingSystem.IsWindows()) { yield return ("icu.dll", ""); yield break; }
        for (int v = 90; v >= 50; v--)
        {
            yield return ($"libicui18n.so.{v}", $"_{v}");
            yield return ($"libicui18n.{v}.dylib", $"_{v}");
        }
        yield return ("libicucore.dylib", "");
    }
}
