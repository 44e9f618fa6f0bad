namespace JukeboxBridge.Errors;

/// <summary>
/// A short id that ties what a user sees of an internal error ("internal error 3f9c1a2b") to the trace in the log.
/// </summary>
public static class ErrorId
{
    public static string New() => Guid.NewGuid().ToString("N")[..8];
}
