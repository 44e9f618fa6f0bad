using JukeboxBridge.Errors;
namespace JukeboxBridge.Synth.Music;

/// <summary>How the bass plays each bar.</summary>
public enum BassStyle { Drone, Eighths, Offbeat, Walking, Waltz }

/// <summary>How the chord part plays each bar.</summary>
public enum ChordStyle { Pad, Stabs, OffbeatStabs, Comp, Waltz }

/// <summary>How the lead melody moves.</summary>
public enum LeadStyle { Sparse, Riff, Arpeggio, Bebop, Lyrical }

/// <summary>
/// A labelled "genre" of the synthetic dataset: tempo range, metre, modes, chord progressions (scale degrees, one
/// chord per bar), rhythm (swing, drum pattern on a 16th grid), and how bass, chords and lead play. The genres differ
/// audibly in tempo, scale, instrumentation and rhythm, so conditioning on them has something to learn.
/// </summary>
public sealed record GenreStyle(
    string Name, int TempoMin, int TempoMax, int BeatsPerBar, Mode[] Modes, int[][] Progressions, bool Swung, bool Sevenths,
    bool Pentatonic, BassStyle Bass, ChordStyle Chords, LeadStyle Lead, IReadOnlyDictionary<Part, string> Drums)
{
    /// <summary>16th-note steps per bar.</summary>
    public int StepsPerBar => BeatsPerBar * 4;

    public static readonly GenreStyle Ambient = new("ambient", 62, 82, 4, [Mode.Major], [[0, 3, 5, 4], [0, 5, 3, 3], [0, 4, 5, 3]],
        Swung: false, Sevenths: true, Pentatonic: true, BassStyle.Drone, ChordStyle.Pad, LeadStyle.Sparse, new Dictionary<Part, string>());

    public static readonly GenreStyle Rock = new("rock", 112, 140, 4, [Mode.Minor, Mode.Major], [[0, 5, 2, 6], [0, 3, 4, 0], [0, 6, 5, 6]],
        Swung: false, Sevenths: false, Pentatonic: true, BassStyle.Eighths, ChordStyle.Stabs, LeadStyle.Riff, new Dictionary<Part, string>
        {
            [Part.Kick] = "x.......x.x.....", [Part.Snare] = "....x.......x...", [Part.HiHat] = "x.x.x.x.x.x.x.x.",
        });

    public static readonly GenreStyle Techno = new("techno", 122, 132, 4, [Mode.Minor], [[0, 0, 5, 6], [0, 3, 0, 4], [0, 5, 3, 4]],
        Swung: false, Sevenths: false, Pentatonic: false, BassStyle.Offbeat, ChordStyle.OffbeatStabs, LeadStyle.Arpeggio, new Dictionary<Part, string>
        {
            [Part.Kick] = "x...x...x...x...", [Part.OpenHat] = "..x...x...x...x.", [Part.HiHat] = "oooooooooooooooo", [Part.Snare] = "....o.......o...",
        });

    public static readonly GenreStyle Swing = new("swing", 100, 132, 4, [Mode.Major], [[1, 4, 0, 0], [0, 5, 1, 4], [2, 5, 1, 4]],
        Swung: true, Sevenths: true, Pentatonic: false, BassStyle.Walking, ChordStyle.Comp, LeadStyle.Bebop, new Dictionary<Part, string>
        {
            [Part.Ride] = "x...x.xox...x.xo", [Part.HiHat] = "....x.......x...", [Part.Kick] = "o.......o.......",
        });

    public static readonly GenreStyle Waltz = new("waltz", 84, 108, 3, [Mode.Major, Mode.Minor], [[0, 4, 4, 0], [0, 3, 4, 0], [0, 5, 3, 4]],
        Swung: false, Sevenths: false, Pentatonic: false, BassStyle.Waltz, ChordStyle.Waltz, LeadStyle.Lyrical, new Dictionary<Part, string>
        {
            [Part.Kick] = "x...........", [Part.HiHat] = "....o...o...",
        });

    public static readonly IReadOnlyList<GenreStyle> All = [Ambient, Rock, Techno, Swing, Waltz];

    public static GenreStyle Named(string name) => All.FirstOrDefault(g => g.Name == name)
        ?? throw new UserInputException("genre", $"unknown genre '{name}' (genres: {string.Join(", ", All.Select(g => g.Name))})");
}
