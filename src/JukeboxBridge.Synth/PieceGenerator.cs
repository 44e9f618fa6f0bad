using JukeboxBridge.Audio;
using JukeboxBridge.Synth.Instruments;
using JukeboxBridge.Synth.Music;

namespace JukeboxBridge.Synth;

/// <summary>What a generated piece is: its labels and musical facts (the dataset's metadata per file).</summary>
public sealed record PieceInfo(int Seed, string Genre, string Artist, double Tempo, string Key, int Bars, int BeatsPerBar, double Seconds);

/// <summary>
/// Generates a multi-bar piece of music at 44.1 kHz mono from a seed: the seed picks (unless given) the genre, the
/// artist (timbre set), the tempo within the genre's range and one of the 24 keys; the composer writes the notes and
/// the voices render them. The same seed always gives the same samples.
/// </summary>
public static class PieceGenerator
{
    public const int SampleRate = 44100;

    public static (AudioClip Audio, PieceInfo Info) Generate(int seed, double seconds, string? genre = null, string? artist = null, Key? key = null)
    {
        var rng = new Random(seed);
        var g = genre is null ? GenreStyle.All[rng.Next(GenreStyle.All.Count)] : GenreStyle.Named(genre);
        var a = artist is null ? Artist.All[rng.Next(Artist.All.Count)] : Artist.Named(artist);
        var k = key ?? Key.FromIndex(rng.Next(Key.Count));
        if (key is null && !g.Modes.Contains(k.Mode)) k = k with { Mode = g.Modes[0] };
        double tempo = Math.Round(g.TempoMin + rng.NextDouble() * (g.TempoMax - g.TempoMin), 1);
        double barSeconds = g.BeatsPerBar * 60 / tempo;
        int bars = Math.Max(1, (int)Math.Ceiling(seconds / barSeconds));
        var notes = new Composer(g, k, tempo, rng).Compose(bars);
        var mix = Render(notes, a, (int)Math.Round(seconds * SampleRate), (uint)seed);
        return (AudioClip.Mono(SampleRate, mix), new PieceInfo(seed, g.Name, a.Name, tempo, k.ToString(), bars, g.BeatsPerBar, seconds));
    }

    /// <summary>Renders notes with an artist's timbres into <paramref name="samples"/> samples, normalised to a 0.8 peak with a soft limiter.</summary>
    public static float[] Render(IReadOnlyList<Note> notes, Artist artist, int samples, uint seed)
    {
        var mix = new float[samples];
        for (int i = 0; i < notes.Count; i++)
        {
            var n = notes[i];
            int start = (int)(n.Start * SampleRate);
            if (start >= samples) continue;
            uint s = seed * 2654435761u + (uint)i * 40503u + 1;
            switch (n.Part)
            {
                case Part.Lead: Voice.Render(mix, SampleRate, artist.Lead, start, n.Length, n.Pitch, n.Velocity, s); break;
                case Part.Chords: Voice.Render(mix, SampleRate, artist.Chords, start, n.Length, n.Pitch, n.Velocity * 0.6, s); break;
                case Part.Bass: Voice.Render(mix, SampleRate, artist.Bass, start, n.Length, n.Pitch, n.Velocity, s); break;
                default: DrumVoice.Render(mix, SampleRate, artist.Drums, n.Part, start, n.Velocity, s); break;
            }
        }
        float peak = 1e-6f;
        foreach (var x in mix) peak = Math.Max(peak, Math.Abs(x));
        float gain = 1f / peak;
        for (int i = 0; i < mix.Length; i++) mix[i] = (float)(Math.Tanh(mix[i] * gain * 1.1) / Math.Tanh(1.1) * 0.8);   // peak 0.8, gentle saturation below
        return mix;
    }
}
