using JukeboxBridge.Errors;
namespace JukeboxBridge.Audio.Wav;

/// <summary>How samples are stored in a WAV file.</summary>
public enum WavSampleFormat { Pcm8, Pcm16, Pcm24, Pcm32, Float32, Float64 }

public static class WavSampleFormats
{
    public static int Bits(this WavSampleFormat f) => f switch
    {
        WavSampleFormat.Pcm8 => 8, WavSampleFormat.Pcm16 => 16, WavSampleFormat.Pcm24 => 24,
        WavSampleFormat.Pcm32 or WavSampleFormat.Float32 => 32, _ => 64,
    };

    public static bool IsFloat(this WavSampleFormat f) => f is WavSampleFormat.Float32 or WavSampleFormat.Float64;

    /// <summary>Parses the CLI spelling: 8, 16, 24, 32 (integer PCM), 32f, 64f.</summary>
    public static WavSampleFormat Parse(string s) => s.Trim().ToLowerInvariant() switch
    {
        "8" => WavSampleFormat.Pcm8, "16" => WavSampleFormat.Pcm16, "24" => WavSampleFormat.Pcm24,
        "32" => WavSampleFormat.Pcm32, "32f" or "float" => WavSampleFormat.Float32, "64f" => WavSampleFormat.Float64,
        _ => throw new UserInputException("--bits", $"unknown sample format '{s}': use 8, 16, 24, 32, 32f or 64f"),
    };

    public static string Label(this WavSampleFormat f) => f switch
    {
        WavSampleFormat.Float32 => "32-bit float", WavSampleFormat.Float64 => "64-bit float",
        _ => $"{f.Bits()}-bit PCM",
    };
}
