using JukeboxBridge.Errors;

namespace JukeboxBridge.Audio;

/// <summary>An audio file that cannot be read as asked: corrupt, truncated or unsupported. The message names the problem.</summary>
public sealed class AudioFormatException : UserInputException
{
    public AudioFormatException(string message) : base("audio", message) { }
    public AudioFormatException(string message, Exception inner) : base("audio", message, inner) { }
}
