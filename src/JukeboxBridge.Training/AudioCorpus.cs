using JukeboxBridge.Errors;
using JukeboxBridge.Audio;

namespace JukeboxBridge.Training;

/// <summary>
/// A folder of audio files for training: every file decoded once to the model's rate, mono, and kept in
/// memory; random crops of a fixed length drawn from it (files weighted by length).
/// </summary>
public sealed class AudioCorpus
{
    public static readonly string[] Extensions = { ".wav", ".flac", ".mp3", ".ogg", ".m4a", ".aiff", ".aif", ".opus" };

    private readonly List<float[]> _files = new();
    private readonly long[] _cumulative;
    public int SampleRate { get; }
    public IReadOnlyList<string> Paths { get; }
    public double TotalSeconds => _files.Sum(f => (double)f.Length) / SampleRate;

    public AudioCorpus(string dir, int sampleRate, int minSamples, Action<string>? log = null)
    {
        if (!Directory.Exists(dir)) throw new DirectoryNotFoundException($"training data folder not found: {dir}");
        SampleRate = sampleRate;
        var paths = new List<string>();
        foreach (var f in Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories)
                     .Where(f => Extensions.Contains(Path.GetExtension(f).ToLowerInvariant())).OrderBy(f => f, StringComparer.Ordinal))
        {
            AudioClip clip;
            try { clip = AudioFile.ReadAs(f, sampleRate, mono: true); }
            catch (AudioFormatException e) { log?.Invoke($"skipping {e.Message}"); continue; }
            if (clip.Frames < minSamples) { log?.Invoke($"skipping {Path.GetFileName(f)}: {clip.DurationSeconds:F2} s is shorter than one crop"); continue; }
            _files.Add(clip.Channels[0]);
            paths.Add(f);
        }
        if (_files.Count == 0)
            throw new UserInputException("--data", $"no usable audio in {dir} (looked for {string.Join(", ", Extensions)} of at least {minSamples / (double)sampleRate:F2} s)");
        Paths = paths;
        _cumulative = new long[_files.Count];
        long acc = 0;
        for (int i = 0; i < _files.Count; i++) { acc += _files[i].Length - minSamples + 1; _cumulative[i] = acc; }
    }

    /// <summary>A batch of random crops, (batch, length) row-major, deterministic for a given <paramref name="rng"/>.</summary>
    public float[] Crops(Random rng, int batch, int length)
    {
        var result = new float[batch * length];
        for (int b = 0; b < batch; b++)
        {
            long pick = rng.NextInt64(_cumulative[^1]);
            int file = Array.BinarySearch(_cumulative, pick + 1);
            if (file < 0) file = ~file;
            var src = _files[file];
            long start = Math.Min(rng.NextInt64(src.Length - length + 1), src.Length - length);
            Array.Copy(src, start, result, (long)b * length, length);
        }
        return result;
    }
}
