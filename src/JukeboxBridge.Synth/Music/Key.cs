using JukeboxBridge.Errors;
namespace JukeboxBridge.Synth.Music;

public enum Mode { Major, Minor }

/// <summary>
/// A key: tonic pitch class (0 = C … 11 = B) and mode. The generator uses all 24 major and minor keys;
/// the key estimator chooses among the same 24.
/// </summary>
public readonly record struct Key(int Tonic, Mode Mode)
{
    public const int Count = 24;
    private static readonly string[] Names = ["C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B"];
    private static readonly int[] MajorSteps = [0, 2, 4, 5, 7, 9, 11];
    private static readonly int[] MinorSteps = [0, 2, 3, 5, 7, 8, 10];

    /// <summary>0 … 23: majors first.</summary>
    public int Index => (Mode == Mode.Major ? 0 : 12) + Tonic;
    public static Key FromIndex(int i) => new(i % 12, i < 12 ? Mode.Major : Mode.Minor);

    /// <summary>Semitones above the tonic of the seven scale degrees.</summary>
    public IReadOnlyList<int> Steps => Mode == Mode.Major ? MajorSteps : MinorSteps;

    /// <summary>MIDI note of scale degree <paramref name="degree"/> (any integer: wraps into octaves) above the tonic in <paramref name="octave"/> (C4 = 60).</summary>
    public int Note(int degree, int octave)
    {
        int o = (int)Math.Floor(degree / 7.0);
        int d = degree - 7 * o;
        return 12 * (octave + 1 + o) + Tonic + Steps[d];
    }

    public override string ToString() => $"{Names[Tonic]} {(Mode == Mode.Major ? "major" : "minor")}";

    public static Key Parse(string s)
    {
        var parts = s.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        int t = Array.IndexOf(Names, parts[0]);
        if (parts.Length != 2 || t < 0) throw new UserInputException("key", $"not a key: '{s}' (e.g. 'Eb minor')");
        return new Key(t, parts[1] == "major" ? Mode.Major : parts[1] == "minor" ? Mode.Minor : throw new UserInputException("key", $"not a key: '{s}'"));
    }
}
