using JukeboxBridge.Errors;
using JukeboxBridge.Synth.Instruments;

namespace JukeboxBridge.Synth.Music;

/// <summary>
/// A labelled "artist" of the synthetic dataset: a timbre set (lead, chords, bass, drum kit). Any artist can play any
/// genre, so artist and genre labels carry different information (timbre vs. tempo/rhythm/harmony).
/// </summary>
public sealed record Artist(string Name, Timbre Lead, Timbre Chords, Timbre Bass, DrumKit Drums)
{
    public static readonly Artist Aurora = new("aurora",
        Lead: new Timbre(Wave.Fm, 0.005, 0.6, 0.2, 0.4, Brightness: 12, FmRatio: 3.5, FmIndex: 3, Gain: 0.5),
        Chords: new Timbre(Wave.Sine, 0.4, 0.5, 0.8, 0.8, DetuneCents: 6, Gain: 0.35),
        Bass: new Timbre(Wave.Sine, 0.01, 0.3, 0.8, 0.1, Gain: 0.8),
        Drums: new DrumKit(52, 0.35, 190, 0.5, 7000, 0.05, 0.7));

    public static readonly Artist BrassCity = new("brass_city",
        Lead: new Timbre(Wave.Saw, 0.03, 0.2, 0.7, 0.1, Brightness: 6, DetuneCents: 8, VibratoHz: 5.5, VibratoCents: 12, Gain: 0.35),
        Chords: new Timbre(Wave.Organ, 0.01, 0.1, 0.9, 0.08, Gain: 0.25),
        Bass: new Timbre(Wave.Saw, 0.005, 0.2, 0.6, 0.06, Brightness: 4, Gain: 0.55),
        Drums: new DrumKit(58, 0.25, 210, 0.7, 8000, 0.04));

    public static readonly Artist Wooden = new("wooden",
        Lead: new Timbre(Wave.Pluck, 0.001, 0.9, 0.0, 0.2, Brightness: 10, Gain: 0.7),
        Chords: new Timbre(Wave.Pluck, 0.001, 1.2, 0.0, 0.3, Brightness: 6, Gain: 0.4),
        Bass: new Timbre(Wave.Pluck, 0.001, 1.0, 0.0, 0.1, Brightness: 3, Gain: 0.9),
        Drums: new DrumKit(48, 0.3, 170, 0.4, 5000, 0.06, 0.6));

    public static readonly Artist Neon = new("neon",
        Lead: new Timbre(Wave.Square, 0.005, 0.15, 0.6, 0.05, Brightness: 5, DetuneCents: 10, Gain: 0.3),
        Chords: new Timbre(Wave.Saw, 0.02, 0.2, 0.5, 0.1, Brightness: 3, DetuneCents: 14, Gain: 0.25),
        Bass: new Timbre(Wave.Square, 0.003, 0.15, 0.7, 0.04, Brightness: 2.5, Gain: 0.5),
        Drums: new DrumKit(45, 0.45, 230, 0.8, 10000, 0.03, 1.1));

    public static readonly Artist Velvet = new("velvet",
        Lead: new Timbre(Wave.Triangle, 0.02, 0.3, 0.6, 0.2, VibratoHz: 4.5, VibratoCents: 15, Gain: 0.6),
        Chords: new Timbre(Wave.Fm, 0.003, 0.8, 0.3, 0.3, Brightness: 10, FmRatio: 1, FmIndex: 1.5, Gain: 0.3),
        Bass: new Timbre(Wave.Triangle, 0.01, 0.4, 0.6, 0.08, Gain: 0.8),
        Drums: new DrumKit(55, 0.2, 200, 0.35, 6000, 0.05, 0.6));

    public static readonly Artist Grit = new("grit",
        Lead: new Timbre(Wave.Saw, 0.005, 0.2, 0.8, 0.08, Brightness: 14, DetuneCents: 5, Drive: 3, Gain: 0.25),
        Chords: new Timbre(Wave.Square, 0.005, 0.2, 0.7, 0.06, Brightness: 8, Drive: 2, Gain: 0.2),
        Bass: new Timbre(Wave.Saw, 0.003, 0.2, 0.8, 0.05, Brightness: 5, Drive: 2, Gain: 0.45),
        Drums: new DrumKit(60, 0.2, 240, 0.9, 9000, 0.035, 1.0));

    public static readonly IReadOnlyList<Artist> All = [Aurora, BrassCity, Wooden, Neon, Velvet, Grit];

    public static Artist Named(string name) => All.FirstOrDefault(a => a.Name == name)
        ?? throw new UserInputException("artist", $"unknown artist '{name}' (artists: {string.Join(", ", All.Select(a => a.Name))})");
}
