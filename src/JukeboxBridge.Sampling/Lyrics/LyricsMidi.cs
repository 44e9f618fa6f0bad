using NAudio.Midi;

namespace JukeboxBridge.Sampling.Lyrics;

/// <summary>One word of the lyrics and where the music sings it: the time (seconds from the take's start) where the
/// alignment's attention over the word's characters peaks.</summary>
public sealed record AlignedWord(string Word, int FirstChar, int LastChar, double Seconds, float Peak);

/// <summary>Words of an alignment, and lyrics.mid: a lyric meta event per word at its time (the take's tempo when known).</summary>
public static class LyricsMidi
{
    public const int TicksPerQuarter = 480;

    /// <summary>
    /// alignment (codes × characters, row-major), the cleaned lyric (one character per column), seconds per code ->
    /// every word (a run of characters without spaces or line breaks) at the code where the sum of its columns peaks.
    /// Words no window attended to (all zero) are left out.
    /// </summary>
    public static List<AlignedWord> Words(float[] alignment, int codes, string lyric, double secondsPerCode)
    {
        int chars = lyric.Length;
        if (alignment.Length != (long)codes * chars) throw new ArgumentException($"alignment has {alignment.Length} values, not {codes} x {chars}");
        var words = new List<AlignedWord>();
        for (int c = 0; c < chars;)
        {
            if (char.IsWhiteSpace(lyric[c])) { c++; continue; }
            int a = c;
            while (c < chars && !char.IsWhiteSpace(lyric[c])) c++;
            int best = -1;
            float bestSum = 0;
            for (int t = 0; t < codes; t++)
            {
                float sum = 0;
                for (int k = a; k < c; k++) sum += alignment[(long)t * chars + k];
                if (sum > bestSum) { bestSum = sum; best = t; }
            }
            if (best >= 0) words.Add(new AlignedWord(lyric[a..c], a, c - 1, best * secondsPerCode, bestSum));
        }
        return words;
    }

    /// <summary>A type-1 MIDI file: the tempo (120 BPM when unknown) and one lyric event per word, in time order.</summary>
    public static void Write(string path, IReadOnlyList<AlignedWord> words, double? bpm = null, string? trackName = null)
    {
        double tempo = bpm is double b && b > 0 && double.IsFinite(b) ? b : 120.0;
        var events = new MidiEventCollection(1, TicksPerQuarter);
        var track = new List<MidiEvent>
        {
            new TextEvent(trackName ?? "lyrics", MetaEventType.SequenceTrackName, 0),
            new TempoEvent((int)Math.Round(60_000_000 / tempo), 0),
        };
        long last = 0;
        foreach (var w in words.OrderBy(w => w.Seconds))
        {
            long tick = (long)Math.Round(w.Seconds * tempo / 60.0 * TicksPerQuarter);
            track.Add(new TextEvent(w.Word, MetaEventType.Lyric, tick));
            last = Math.Max(last, tick);
        }
        track.Add(new MetaEvent(MetaEventType.EndTrack, 0, last + TicksPerQuarter));
        events.AddTrack(track);
        MidiFile.Export(path, events);
    }
}
