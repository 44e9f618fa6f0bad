namespace JukeboxBridge.Audio;

/// <summary>An audio file that cannot be read as asked: corrupt, truncated or unsupported. The message names the problem.</summary>
public sealed class AudioFormatException : Exception
{
    public AudioFormatException(string message) : base(message) { }
    public AudioFormatException(string message, Exception inner) : base(message, inner) { }
}
