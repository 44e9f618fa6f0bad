using JukeboxBridge.Errors;

namespace JukeboxBridge.Checkpoints;

/// <summary>A checkpoint (or codes) file that cannot be read: corrupt, truncated, unsupported or unsafe. The message names the problem.</summary>
public class CheckpointFormatException : ModelInputException
{
    public CheckpointFormatException(string message) : base("checkpoint", message) { }
    public CheckpointFormatException(string message, Exception inner) : base("checkpoint", message, inner) { }
}

/// <summary>A pickle asked for a global or an opcode we do not allow (it could run code).</summary>
public sealed class UnsafePickleException : CheckpointFormatException
{
    public UnsafePickleException(string message) : base(message) { }
}
