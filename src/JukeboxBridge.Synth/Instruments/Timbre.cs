namespace JukeboxBridge.Synth.Instruments;

/// <summary>Oscillator families of the pitched voices.</summary>
public enum Wave { Sine, Triangle, Saw, Square, Fm, Pluck, Organ }

/// <summary>
/// A pitched voice: oscillator, ADSR envelope (seconds; sustain level 0..1), a two-pole low-pass at
/// <see cref="Brightness"/> times the note's frequency, two oscillators detuned by <see cref="DetuneCents"/>,
/// FM ratio/index (Fm), vibrato, soft-clip drive and output gain.
/// </summary>
public sealed record Timbre(Wave Wave, double Attack, double Decay, double Sustain, double Release, double Brightness = 8,
                            double DetuneCents = 0, double FmRatio = 2, double FmIndex = 2, double VibratoHz = 0, double VibratoCents = 0,
                            double Drive = 0, double Gain = 1);

/// <summary>A drum kit's character: kick pitch and length, snare tone and noise, hat brightness and length.</summary>
public sealed record DrumKit(double KickHz, double KickDecay, double SnareHz, double SnareNoise, double HatCutoff, double HatDecay, double Gain = 1);
