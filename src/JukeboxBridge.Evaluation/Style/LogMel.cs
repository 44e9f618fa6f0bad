using TorchSharp;
using static TorchSharp.torch;

namespace JukeboxBridge.Evaluation.Style;

/// <summary>
/// Log-mel spectrogram features of mono audio for the style classifier: Hann STFT (2048 points, hop 1024 at 44.1 kHz:
/// 43 frames a second), 64 mel bands from 30 Hz to 16 kHz (HTK mel scale, triangular filters), log(power + 1e-6),
/// centred per clip (so a quieter copy of the same music gives the same features) and scaled to about unit range.
/// </summary>
public static class LogMel
{
    public const int Bands = 64, Fft = 2048, Hop = 1024;
    public const double LowHz = 30, HighHz = 16000;

    /// <summary>(N, T) samples -> (N, Bands, frames).</summary>
    public static Tensor Features(Tensor audio, int rate)
    {
        using var scope = NewDisposeScope();
        using var window = hann_window(Fft, dtype: audio.dtype, device: audio.device);
        var spec = stft(audio, Fft, Hop, window: window, center: false, return_complex: true);   // (N, Fft/2+1, frames)
        var power = spec.abs().square();
        var mel = matmul(Filterbank(rate, audio.device), power);                                     // (N, Bands, frames)
        var logMel = (mel + 1e-6).log();
        var centred = logMel - logMel.mean(new long[] { 1, 2 }, keepdim: true);
        return (centred / 4.0).MoveToOuterDisposeScope();
    }

    /// <summary>Seconds of audio that give at least one frame.</summary>
    public static int MinSamples => Fft;

    private static Tensor Filterbank(int rate, Device device)
    {
        int bins = Fft / 2 + 1;
        static double Mel(double hz) => 2595 * Math.Log10(1 + hz / 700);
        static double Hz(double mel) => 700 * (Math.Pow(10, mel / 2595) - 1);
        double lo = Mel(LowHz), hi = Mel(Math.Min(HighHz, rate / 2.0));
        var edges = Enumerable.Range(0, Bands + 2).Select(i => Hz(lo + (hi - lo) * i / (Bands + 1))).ToArray();
        var w = new float[Bands * bins];
        for (int b = 0; b < Bands; b++)
            for (int k = 0; k < bins; k++)
            {
                double f = (double)k * rate / Fft;
                double up = (f - edges[b]) / (edges[b + 1] - edges[b]), down = (edges[b + 2] - f) / (edges[b + 2] - edges[b + 1]);
                w[b * bins + k] = (float)Math.Max(0, Math.Min(up, down));
            }
        return tensor(w, device: device).view(Bands, bins);
    }
}
