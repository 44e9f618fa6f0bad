using System.Diagnostics;

namespace JukeboxBridge.Audio;

/// <summary>
/// Decodes formats we do not parse ourselves (mp3, flac, ogg, m4a, ...) by running ffmpeg, which must
/// be on PATH (or given explicitly). ffmpeg writes 32-bit float WAV to a temporary file that we read back.
/// </summary>
public sealed class FfmpegDecoder
{
    private readonly string? _explicitPath;
    private readonly string? _searchPath;

    /// <param name="ffmpegPath">Path to the ffmpeg program; null to search <paramref name="searchPath"/> (default: $PATH).</param>
    public FfmpegDecoder(string? ffmpegPath = null, string? searchPath = null)
    {
        _explicitPath = ffmpegPath;
        _searchPath = searchPath;
    }

    /// <summary>The ffmpeg program that would run, or null when there is none.</summary>
    public string? Locate()
    {
        if (_explicitPath != null) return File.Exists(_explicitPath) ? _explicitPath : null;
        var dirs = (_searchPath ?? Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        string exe = OperatingSystem.IsWindows() ? "ffmpeg.exe" : "ffmpeg";
        return dirs.Select(d => Path.Combine(d, exe)).FirstOrDefault(File.Exists);
    }

    public AudioClip Decode(string path)
    {
        if (!File.Exists(path)) throw new AudioFormatException($"{path}: file not found");
        string ffmpeg = Locate() ?? throw new AudioFormatException(
            $"{Path.GetFileName(path)}: reading {Path.GetExtension(path)} files needs ffmpeg, which is not on PATH. " +
            "Install it (Debian/Ubuntu: apt-get install ffmpeg; Windows: winget install ffmpeg) or convert the file to WAV first.");
        string tmp = Path.Combine(Path.GetTempPath(), "jukebox-ffmpeg-" + Guid.NewGuid().ToString("N")[..10] + ".wav");
        try
        {
            var psi = new ProcessStartInfo(ffmpeg)
            {
                RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false,
            };
            foreach (var a in new[] { "-nostdin", "-hide_banner", "-v", "error", "-i", path, "-vn", "-map", "0:a:0", "-c:a", "pcm_f32le", "-f", "wav", "-y", tmp })
                psi.ArgumentList.Add(a);
            using var p = Process.Start(psi) ?? throw new AudioFormatException($"could not start {ffmpeg}");
            var errTask = p.StandardError.ReadToEndAsync();
            p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            string err = errTask.Result.Trim();
            if (p.ExitCode != 0 || !File.Exists(tmp))
                throw new AudioFormatException($"{Path.GetFileName(path)}: ffmpeg could not decode it: {(err.Length > 0 ? err : "exit code " + p.ExitCode)}");
            return Wav.WavReader.Read(tmp);
        }
        finally
        {
            try { File.Delete(tmp); } catch { }
        }
    }
}
