namespace JukeboxBridge.Synth.Music;

/// <summary>
/// Writes the notes of a piece: a chord progression (one chord per bar, repeated), a bass line, chords, a lead melody
/// built from two-bar motifs that repeat with variation, and drums, all on a 16th grid in the genre's style.
/// Deterministic for a given random source.
/// </summary>
public sealed class Composer(GenreStyle genre, Key key, double tempo, Random rng)
{
    private double Beat => 60.0 / tempo;
    private double StepSeconds => Beat / 4;

    /// <summary>Time of 16th step <paramref name="step"/> (from the start), with swing moving the off-beat eighths late.</summary>
    public double Time(double step)
    {
        if (!genre.Swung) return step * StepSeconds;
        double beat = Math.Floor(step / 4), within = step - beat * 4;
        // Straight quarters; the second eighth of a beat lands at 2/3 of it (triplet swing).
        double swung = within <= 2 ? within / 2 * (8.0 / 3) : 8.0 / 3 + (within - 2) / 2 * (4.0 / 3);
        return (beat * 4 + swung) * StepSeconds;
    }

    private Note At(Part part, double step, double steps, int pitch, double velocity)
    {
        double jitter = (rng.NextDouble() - 0.5) * 0.008;                           // ±4 ms, humanised
        double start = Math.Max(0, Time(step) + (part is Part.Kick ? 0 : jitter));
        return new Note(part, start, Math.Max(0.02, Time(step + steps) - Time(step)), pitch,
                        Math.Clamp(velocity * (0.9 + 0.2 * rng.NextDouble()), 0, 1));
    }

    /// <summary>Chord tones (scale degrees) of the chord on <paramref name="root"/>: a triad, or a seventh chord.</summary>
    public int[] ChordDegrees(int root) => genre.Sevenths ? [root, root + 2, root + 4, root + 6] : [root, root + 2, root + 4];

    public List<Note> Compose(int bars)
    {
        var progression = genre.Progressions[rng.Next(genre.Progressions.Length)];
        var notes = new List<Note>();
        int spb = genre.StepsPerBar;
        var motifs = new List<(double Step, double Len, int Degree)>[2];
        for (int bar = 0; bar < bars; bar++)
        {
            int root = progression[bar % progression.Length], next = progression[(bar + 1) % progression.Length];
            double s0 = bar * spb;
            Bass(notes, s0, root, next);
            Chords(notes, s0, root);
            Drums(notes, s0, bar);
            // Lead: bars 0-1 of each 4-bar phrase state a motif, bars 2-3 repeat it with a varied ending; every other
            // phrase writes new motifs.
            int inPhrase = bar % 4, half = inPhrase % 2;
            if (inPhrase < 2 && (bar / 4) % 2 == 0) motifs[half] = Motif(root);
            var m = motifs[half] ?? Motif(root);
            if (inPhrase >= 2 && half == 1) m = Vary(m, root);
            foreach (var (step, len, degree) in m)
                notes.Add(At(Part.Lead, s0 + step, len, key.Note(degree, LeadOctave), 0.8));
        }
        return notes;
    }

    private int LeadOctave => genre.Lead == LeadStyle.Arpeggio ? 5 : 4;

    private void Bass(List<Note> notes, double s0, int root, int next)
    {
        int spb = genre.StepsPerBar;
        int r = key.Note(root, 2);
        switch (genre.Bass)
        {
            case BassStyle.Drone: notes.Add(At(Part.Bass, s0, spb, r, 0.8)); break;
            case BassStyle.Eighths:
                for (int s = 0; s < spb; s += 2) notes.Add(At(Part.Bass, s0 + s, 1.8, s == 12 && rng.Next(3) == 0 ? r + 12 : r, s % 8 == 0 ? 0.9 : 0.75));
                break;
            case BassStyle.Offbeat:
                for (int s = 2; s < spb; s += 4) notes.Add(At(Part.Bass, s0 + s, 1.5, r, 0.9));
                break;
            case BassStyle.Walking:
            {
                // Root, a chord tone, a scale tone, then a chromatic approach to the next bar's root.
                int[] degrees = [root, root + (rng.Next(2) == 0 ? 2 : 4), root + (rng.Next(2) == 0 ? 1 : 3)];
                for (int b = 0; b < 3; b++) notes.Add(At(Part.Bass, s0 + 4 * b, 3.6, key.Note(degrees[b], 2), 0.8));
                int target = key.Note(next, 2);
                notes.Add(At(Part.Bass, s0 + 12, 3.6, target + (rng.Next(2) == 0 ? -1 : 1), 0.75));
                break;
            }
            case BassStyle.Waltz:
                notes.Add(At(Part.Bass, s0, 4, r, 0.9));
                break;
        }
    }

    private void Chords(List<Note> notes, double s0, int root)
    {
        // Voice the chord around the middle of the keyboard (octave 3/4).
        var tones = ChordDegrees(root).Select(d => key.Note(d, 3)).Select(p => p < 55 ? p + 12 : p).ToArray();
        void Hit(double step, double len, double vel) { foreach (var p in tones) notes.Add(At(Part.Chords, s0 + step, len, p, vel)); }
        switch (genre.Chords)
        {
            case ChordStyle.Pad: Hit(0, genre.StepsPerBar, 0.6); break;
            case ChordStyle.Stabs: for (int s = 0; s < 16; s += 4) Hit(s, 3, s == 0 ? 0.8 : 0.65); break;
            case ChordStyle.OffbeatStabs: foreach (int s in new[] { 3, 6, 11, 14 }) Hit(s, 1, 0.7); break;
            case ChordStyle.Comp: Hit(4, 1.5, 0.6); Hit(rng.Next(2) == 0 ? 10 : 12, 1.5, 0.6); break;
            case ChordStyle.Waltz: Hit(4, 3, 0.55); Hit(8, 3, 0.55); break;
        }
    }

    private void Drums(List<Note> notes, double s0, int bar)
    {
        foreach (var (part, pattern) in genre.Drums)
            for (int s = 0; s < pattern.Length; s++)
                if (pattern[s] is 'x' or 'o')
                    notes.Add(At(part, s0 + s, 1, 0, pattern[s] == 'x' ? 0.9 : 0.5));
        if (genre.Drums.ContainsKey(Part.Snare) && bar % 4 == 3 && genre.StepsPerBar == 16)   // a fill at the end of each phrase
            for (int s = 13; s < 16; s++) notes.Add(At(Part.Snare, s0 + s, 1, 0, 0.6));
    }

    /// <summary>One bar of melody: (step in bar, length in steps, scale degree).</summary>
    private List<(double, double, int)> Motif(int root)
    {
        var m = new List<(double, double, int)>();
        int spb = genre.StepsPerBar;
        var chord = ChordDegrees(root);
        int degree = chord[rng.Next(chord.Length)] % 7;
        switch (genre.Lead)
        {
            case LeadStyle.Arpeggio:
            {
                bool up = rng.Next(2) == 0;
                for (int s = 0; s < spb; s += 2)
                {
                    int i = s / 2 % chord.Length;
                    m.Add((s, 1.6, chord[up ? i : chord.Length - 1 - i] + (s >= 8 ? 7 : 0)));
                }
                return m;
            }
            default:
            {
                int[] lengths = genre.Lead switch
                {
                    LeadStyle.Sparse => [8, 16, 12],
                    LeadStyle.Riff => [2, 2, 4, 2, 6],
                    LeadStyle.Bebop => [2, 2, 2, 4],
                    _ => [4, 8, 4, 12],                                            // lyrical (3/4)
                };
                double restChance = genre.Lead == LeadStyle.Sparse ? 0.3 : 0.15;
                for (int s = 0; s < spb;)
                {
                    int len = Math.Min(lengths[rng.Next(lengths.Length)], spb - s);
                    if (rng.NextDouble() >= restChance)
                    {
                        bool strong = s % 4 == 0;
                        degree = strong ? NearestChordTone(degree, chord) : degree + (rng.Next(2) == 0 ? -1 : 1) * (rng.Next(3) == 0 ? 2 : 1);
                        if (genre.Pentatonic) degree = Pentatonic(degree);
                        degree = Math.Clamp(degree, -3, 10);
                        m.Add((s, len * 0.92, degree));
                    }
                    s += len;
                }
                return m;
            }
        }
    }

    /// <summary>The motif with its second half re-drawn (the answer of a call-and-response phrase).</summary>
    private List<(double, double, int)> Vary(List<(double Step, double Len, int Degree)> m, int root)
    {
        int half = genre.StepsPerBar / 2;
        var fresh = Motif(root);
        return m.Where(n => n.Step < half).Concat(fresh.Where(n => n.Item1 >= half)).ToList();
    }

    private static int NearestChordTone(int degree, int[] chord)
    {
        int best = degree, bestDist = int.MaxValue;
        for (int o = -14; o <= 14; o += 7)
            foreach (int c in chord)
                if (Math.Abs(c + o - degree) < bestDist) { bestDist = Math.Abs(c + o - degree); best = c + o; }
        return best;
    }

    /// <summary>Moves degree 4th/7th (major) or 2nd/6th (minor) to a neighbour so the melody stays pentatonic.</summary>
    private int Pentatonic(int degree)
    {
        int d = ((degree % 7) + 7) % 7;
        bool avoid = key.Mode == Mode.Major ? d is 3 or 6 : d is 1 or 5;
        return avoid ? degree - 1 : degree;
    }
}
