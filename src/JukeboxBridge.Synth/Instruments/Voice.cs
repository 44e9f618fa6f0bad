namespace JukeboxBridge.Synth.Instruments;

/// <summary>
/// Renders one pitched note of a <see cref="Timbre"/> into a buffer (added to what is there): band-limited
/// oscillators (polyBLEP saw/square), FM, additive organ, Karplus-Strong pluck; ADSR; two-pole low-pass; drive.
/// </summary>
public static class Voice
{
    public static double Hz(int midi) => 440 * Math.Pow(2, (midi - 69) / 12.0);

    public static void Render(Span<float> mix, int rate, Timbre t, int startSample, double length, int midi, double velocity, uint seed)
    {
        double f0 = Hz(midi);
        int total = (int)((length + t.Release) * rate);
        int end = Math.Min(mix.Length, startSample + total);
        if (startSample >= end) return;
        double cutoff = Math.Min(0.45 * rate, t.Brightness * f0);
        double a = Math.Exp(-2 * Math.PI * cutoff / rate);                     // one-pole coefficient, used twice
        double lp1 = 0, lp2 = 0;
        int oscillators = t.DetuneCents != 0 ? 2 : 1;
        var phase = new double[2];
        double[]? ks = null;
        int ksPos = 0;
        if (t.Wave == Wave.Pluck)
        {
            // Karplus-Strong: a delay line of one period, filled with low-passed noise, averaged as it recirculates.
            ks = new double[Math.Max(2, (int)Math.Round(rate / f0))];
            var noise = new Noise(seed);
            double z = 0, k = Math.Exp(-2 * Math.PI * Math.Min(0.45 * rate, t.Brightness * f0) / rate);
            for (int i = 0; i < ks.Length; i++) { z = (1 - k) * noise.Next() + k * z; ks[i] = z * 2; }
        }
        for (int n = startSample; n < end; n++)
        {
            double time = (n - startSample) / (double)rate;
            double env = Envelope(t, time, length);
            double vib = t.VibratoCents > 0 && time > 0.15 ? Math.Pow(2, t.VibratoCents / 1200 * Math.Sin(2 * Math.PI * t.VibratoHz * time)) : 1;
            double x = 0;
            if (ks is not null)
            {
                int next = (ksPos + 1) % ks.Length;
                x = ks[ksPos];
                ks[ksPos] = 0.5 * (ks[ksPos] + ks[next]) * 0.996;
                ksPos = next;
            }
            else
            {
                for (int o = 0; o < oscillators; o++)
                {
                    double f = f0 * vib * (o == 0 ? 1 : Math.Pow(2, t.DetuneCents / 1200));
                    double dt = f / rate;
                    x += Oscillator(t, phase[o], dt, time, env) / oscillators;
                    phase[o] += dt;
                    if (phase[o] >= 1) phase[o] -= 1;
                }
            }
            lp1 = (1 - a) * x + a * lp1;
            lp2 = (1 - a) * lp1 + a * lp2;
            double y = t.Wave is Wave.Sine or Wave.Fm or Wave.Organ or Wave.Triangle ? x : lp2;
            if (t.Drive > 0) y = Math.Tanh(y * (1 + t.Drive)) / Math.Tanh(1 + t.Drive);
            mix[n] += (float)(y * env * velocity * t.Gain);
        }
    }

    private static double Oscillator(Timbre t, double p, double dt, double time, double env) => t.Wave switch
    {
        Wave.Sine => Math.Sin(2 * Math.PI * p),
        Wave.Triangle => 1 - 4 * Math.Abs(p - 0.5),
        Wave.Saw => 2 * p - 1 - PolyBlep(p, dt),
        Wave.Square => (p < 0.5 ? 1 : -1) + PolyBlep(p, dt) - PolyBlep((p + 0.5) % 1, dt),
        Wave.Fm => Math.Sin(2 * Math.PI * p + t.FmIndex * (0.3 + 0.7 * env) * Math.Sin(2 * Math.PI * p * t.FmRatio)),
        Wave.Organ => (Math.Sin(2 * Math.PI * p) + 0.5 * Math.Sin(4 * Math.PI * p) + 0.35 * Math.Sin(6 * Math.PI * p) + 0.2 * Math.Sin(8 * Math.PI * p)) / 2.05,
        _ => 0,
    };

    /// <summary>Polynomial band-limited step correction around the wrap of a phase in [0, 1).</summary>
    private static double PolyBlep(double p, double dt)
    {
        if (p < dt) { double x = p / dt; return x + x - x * x - 1; }
        if (p > 1 - dt) { double x = (p - 1) / dt; return x * x + x + x + 1; }
        return 0;
    }

    private static double Envelope(Timbre t, double time, double length)
    {
        double Held(double s)
        {
            if (s < t.Attack) return s / Math.Max(t.Attack, 1e-4);
            double d = s - t.Attack;
            return t.Sustain + (1 - t.Sustain) * Math.Exp(-d / Math.Max(t.Decay / 4, 1e-4));
        }
        if (time < length) return Held(time);
        return Held(length) * Math.Exp(-(time - length) / Math.Max(t.Release / 4, 1e-4));
    }
}
