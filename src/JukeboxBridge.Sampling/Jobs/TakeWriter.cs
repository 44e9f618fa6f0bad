using JukeboxBridge.Audio;
using JukeboxBridge.Plots;
using JukeboxBridge.Audio.Wav;

namespace JukeboxBridge.Sampling.Jobs;

/// <summary>
/// Writes a job's takes into its folder: a 24-bit WAV and a PNG (waveform and spectrogram, prompt marked) per
/// variation. Every WAV carries a Broadcast Wave bext chunk: the job, take and style in its description, and as
/// its time reference where the take belongs on the timeline (<see cref="JobSettings.TimelineSeconds"/> at the take's rate).
/// </summary>
public static class TakeWriter
{
    /// <returns>The takes and, with a folder, the files written (takes, PNGs, codes, settings).</returns>
    public static TakeResult Write(TakeStore? store, AudioClip[] takes, double promptSeconds, JobSettings settings, string model, string? tag = null)
    {
        var files = new List<string>();
        if (store is not null)
        {
            for (int i = 0; i < takes.Length; i++)
            {
                WavWriter.Write(store.TakeWav(i), takes[i], WavSampleFormat.Pcm24, Bext(store, i, takes.Length, takes[i].SampleRate, settings, tag));
                var plot = new TakePlot { Title = $"TAKE {i + 1} OF {takes.Length}  SEED {settings.Seed}  {Path.GetFileName(model)}{(tag is null ? "" : "  " + tag)}" };
                store.WriteTakePng(i, plot.RenderPng(takes[i], promptSeconds));
                files.Add(store.TakeWav(i));
                files.Add(store.TakePng(i));
            }
            files.Add(store.CodesPath);
            files.Add(store.SettingsPath);
        }
        return new TakeResult(takes, promptSeconds, files);
    }

    /// <summary>The take's bext chunk: "JukeboxBridge take 2 of 3, job NAME, brass_city / rock, seed 0" and its timeline position.</summary>
    public static BextInfo Bext(TakeStore store, int variation, int variations, int rate, JobSettings s, string? tag)
    {
        string style = s.Artist is null && s.Genre is null ? "the model's default style" : $"{s.Artist} / {s.Genre}";
        string text = $"JukeboxBridge take {variation + 1} of {variations}, job {Path.GetFileName(store.Dir)}, {style}, seed {s.Seed}" +
                      (s.Parent is null ? "" : $", upsampled from {Path.GetFileName(s.Parent)} variation {(s.Variation ?? variation) + 1}") + (tag is null ? "" : $", {tag.ToLowerInvariant()}");
        return new BextInfo(text, (long)Math.Round(s.TimelineSeconds * rate));
    }
}
