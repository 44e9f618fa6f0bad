using System.Runtime.InteropServices;

namespace JukeboxBridge.Storage;

/// <summary>
/// Durable replace-by-rename: the content goes to a temporary file beside the target (".NAME.RANDOM.tmp"), which is
/// flushed to the disk (fsync), renamed over the target, and then the folder itself is fsynced so the rename survives a
/// power cut. A reader therefore sees the old file or the new one, never a part. <see cref="CleanOrphans"/> removes
/// temporary files left by a crash.
/// </summary>
public static class AtomicFile
{
    public const string TempSuffix = ".tmp";

    /// <summary>Writes the file through <paramref name="write"/> and replaces <paramref name="path"/> with it.</summary>
    public static void Write(string path, Action<Stream> write, UnixFileMode? mode = null)
    {
        string full = Path.GetFullPath(path);
        string dir = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(dir);
        string tmp = TempPath(full);
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.ReadWrite, Share = FileShare.None, BufferSize = 1 << 16 };
            if (mode is { } m && !OperatingSystem.IsWindows()) options.UnixCreateMode = m;
            using (var fs = new FileStream(tmp, options))
            {
                write(fs);
                fs.Flush(flushToDisk: true);
            }
            File.Move(tmp, full, overwrite: true);
        }
        catch
        {
            try { File.Delete(tmp); } catch { }
            throw;
        }
        SyncDirectory(dir);
    }

    public static void WriteAllText(string path, string text, UnixFileMode? mode = null) =>
        Write(path, s => { using var w = new StreamWriter(s, new System.Text.UTF8Encoding(false), 1 << 16, leaveOpen: true); w.Write(text); }, mode);

    public static void WriteAllBytes(string path, ReadOnlySpan<byte> bytes)
    {
        var copy = bytes.ToArray();
        Write(path, s => s.Write(copy));
    }

    /// <summary>A temporary name beside <paramref name="fullPath"/>: hidden, unique, ending in .tmp.</summary>
    public static string TempPath(string fullPath) =>
        Path.Combine(Path.GetDirectoryName(fullPath)!, "." + Path.GetFileName(fullPath) + "." + Guid.NewGuid().ToString("N")[..8] + TempSuffix);

    /// <summary>Deletes temporary files left in <paramref name="dir"/> (and, with <paramref name="recursive"/>, below it) by an interrupted write.</summary>
    public static int CleanOrphans(string dir, bool recursive = false)
    {
        if (!Directory.Exists(dir)) return 0;
        int n = 0;
        foreach (var f in Directory.EnumerateFiles(dir, "*" + TempSuffix, recursive ? SearchOption.AllDirectories : SearchOption.TopDirectoryOnly))
        {
            try { File.Delete(f); n++; } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
        return n;
    }

    /// <summary>fsync of a folder, so that renames and new entries in it are on the disk (a no-op on Windows).</summary>
    public static void SyncDirectory(string dir)
    {
        if (OperatingSystem.IsWindows()) return;
        int fd = open(dir, O_RDONLY);              // a folder opens read-only on every Unix (O_DIRECTORY's value differs by CPU)
        if (fd < 0) return;                        // a folder we cannot open for reading: the rename is still atomic
        try
        {
            if (fsync(fd) != 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                if (errno is not (EINVAL or ENOTSUP or EOPNOTSUPP)) throw new IOException($"fsync of folder {dir} failed (errno {errno})");
            }
        }
        finally { close(fd); }
    }

    private const int O_RDONLY = 0, EINVAL = 22, ENOTSUP = 95, EOPNOTSUPP = 45;

    [DllImport("libc", SetLastError = true)] private static extern int open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);
    [DllImport("libc", SetLastError = true)] private static extern int fsync(int fd);
    [DllImport("libc", SetLastError = true)] private static extern int close(int fd);
}
