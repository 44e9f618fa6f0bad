namespace JukeboxBridge.Audio.Analysis;

/// <summary>
/// Short-time Fourier magnitudes of a mono signal: Hann window of <c>FftSize</c>, frames every <c>Hop</c> samples,
/// rows = frames, columns = bins 0 … FftSize/2 (bin k is k·rate/FftSize Hz).
/// </summary>
public sealed class Spectrogram
{
    public int FftSize { get; }
    public int Hop { get; }
    public int SampleRate { get; }
    public double[][] Magnitudes { get; }

    private Spectrogram(int fftSize, int hop, int rate, double[][] mags) { FftSize = fftSize; Hop = hop; SampleRate = rate; Magnitudes = mags; }

    public double BinHz => (double)SampleRate / FftSize;

    public static Spectrogram Compute(ReadOnlySpan<float> x, int rate, int fftSize = 2048, int hop = 512)
    {
        if (hop <= 0) throw new ArgumentException("hop must be positive");
        var window = new double[fftSize];
        for (int i = 0; i < fftSize; i++) window[i] = 0.5 - 0.5 * Math.Cos(2 * Math.PI * i / fftSize);
        int frames = x.Length <= fftSize ? 1 : 1 + (x.Length - fftSize + hop - 1) / hop;
        var mags = new double[frames][];
        var frame = new double[fftSize];
        for (int f = 0; f < frames; f++)
        {
            int start = f * hop;
            for (int i = 0; i < fftSize; i++) frame[i] = start + i < x.Length ? x[start + i] * window[i] : 0;
            mags[f] = Fft.Magnitudes(frame, fftSize);
        }
        return new Spectrogram(fftSize, hop, rate, mags);
    }
}
