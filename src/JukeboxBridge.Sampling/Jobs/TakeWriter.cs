using JukeboxBridge.Audio;
using JukeboxBridge.Plots;
using JukeboxBridge.Audio.Wav;

namespace JukeboxBridge.Sampling.Jobs;

/// <summary>Writes a job's takes into its folder: a 24-bit WAV and a PNG (waveform and spectrogram, prompt marked) per variation.</summary>
public static class TakeWriter
{
    /// <returns>The takes and, with a folder, the files written (takes, PNGs, codes, settings).</returns>
    public static TakeResult Write(TakeStore? store, AudioClip[] takes, double promptSeconds, int seed, string model, string? tag = null)
    {
        var files = new List<string>();
        if (store is not null)
        {
            for (int i = 0; i < takes.Length; i++)
            {
                WavWriter.Write(store.TakeWav(i), takes[i], WavSampleFormat.Pcm24);
                var plot = new TakePlot { Title = $"TAKE {i + 1} OF {takes.Length}  SEED {seed}  {Path.GetFileName(model)}{(tag is null ? "" : "  " + tag)}" };
                store.WriteTakePng(i, plot.RenderPng(takes[i], promptSeconds));
                files.Add(store.TakeWav(i));
                files.Add(store.TakePng(i));
            }
            files.Add(store.CodesPath);
            files.Add(store.SettingsPath);
        }
        return new TakeResult(takes, promptSeconds, files);
    }
}
