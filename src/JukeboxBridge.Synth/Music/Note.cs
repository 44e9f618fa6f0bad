namespace JukeboxBridge.Synth.Music;

/// <summary>Which part of the arrangement plays a note (each part has its own timbre from the artist).</summary>
public enum Part { Lead, Chords, Bass, Kick, Snare, HiHat, OpenHat, Ride }

/// <summary>One note of a piece: start and length in seconds, MIDI pitch (drums ignore it), velocity 0..1.</summary>
public readonly record struct Note(Part Part, double Start, double Length, int Pitch, double Velocity);
