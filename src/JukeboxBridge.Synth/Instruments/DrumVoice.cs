using JukeboxBridge.Synth.Music;

namespace JukeboxBridge.Synth.Instruments;

/// <summary>Synthesised drums: a pitch-swept sine kick, a tone + noise snare, noise hats (closed/open) and a metallic ride.</summary>
public static class DrumVoice
{
    public static void Render(Span<float> mix, int rate, DrumKit kit, Part part, int start, double velocity, uint seed)
    {
        var noise = new Noise(seed);
        double length = part switch { Part.Kick => 0.6, Part.Snare => 0.35, Part.HiHat => 0.15, Part.OpenHat => 0.5, _ => 1.2 };
        int end = Math.Min(mix.Length, start + (int)(length * rate));
        double phase = 0, hp = 0, prev = 0, lp = 0;
        double hpA = Math.Exp(-2 * Math.PI * Math.Min(kit.HatCutoff, 0.45 * rate) / rate);
        for (int n = start; n < end; n++)
        {
            double t = (n - start) / (double)rate, y;
            switch (part)
            {
                case Part.Kick:
                {
                    double f = kit.KickHz + (150 - kit.KickHz) * Math.Exp(-t / 0.03);
                    phase += f / rate;
                    y = Math.Sin(2 * Math.PI * phase) * Math.Exp(-t / kit.KickDecay * 3) + (t < 0.002 ? 0.3 * noise.Next() : 0);
                    break;
                }
                case Part.Snare:
                {
                    phase += kit.SnareHz / rate;
                    double nz = noise.Next();
                    lp = 0.6 * nz + 0.4 * lp;
                    y = (1 - kit.SnareNoise) * Math.Sin(2 * Math.PI * phase) * Math.Exp(-t / 0.05) + kit.SnareNoise * lp * Math.Exp(-t / 0.09);
                    break;
                }
                case Part.Ride:
                {
                    double metal = 0;
                    foreach (double r in new[] { 1.0, 1.483, 1.932, 2.546, 2.63 }) metal += Math.Sin(2 * Math.PI * 420 * r * t);
                    double nz = noise.Next();
                    hp = hpA * (hp + nz - prev); prev = nz;
                    y = (0.12 * metal + 0.4 * hp) * Math.Exp(-t / 0.35);
                    break;
                }
                default:
                {
                    // High-passed noise: closed hats short, open hats long.
                    double nz = noise.Next();
                    hp = hpA * (hp + nz - prev); prev = nz;
                    y = hp * Math.Exp(-t / (part == Part.OpenHat ? 0.12 : kit.HatDecay)) * 0.6;
                    break;
                }
            }
            mix[n] += (float)(y * velocity * kit.Gain * 0.8);
        }
    }
}
