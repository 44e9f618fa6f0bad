namespace JukeboxBridge.Protocol;

/// <summary>Stable error codes of the `error` message (clients switch on these; the message text is for people).</summary>
public static class ErrorCodes
{
    public const string BadMessage = "bad_message";            // not MessagePack, wrong types, missing fields, PCM length mismatch
    public const string UnsupportedVersion = "unsupported_version";
    public const string AuthRequired = "auth_required";        // anything but hello/auth/ping before authentication
    public const string AuthFailed = "auth_failed";
    public const string TooLarge = "too_large";                // message over the size limit
    public const string PromptTooLong = "prompt_too_long";
    public const string QueueFull = "queue_full";              // the client's queued-jobs limit
    public const string QuotaExceeded = "quota_exceeded";      // the client's kept jobs or their disk use is at its limit
    public const string Busy = "busy";                         // too many connections are authenticating; retry later
    public const string UnknownJob = "unknown_job";
    public const string UnknownFile = "unknown_file";          // get_file: the job has no such file (not a lyrics job, or not written yet)
    public const string BadSettings = "bad_settings";          // unknown artist, bad length, ...
    public const string ModelError = "model_error";            // the model cannot run the job (missing weights, ...)
    public const string OutOfMemory = "out_of_memory";
    public const string Cancelled = "cancelled";
    public const string Internal = "internal";
}

/// <summary>A protocol violation or refusal with its stable <see cref="Code"/>; the message never exposes internals.</summary>
public sealed class ProtocolException(string code, string message, long? request = null) : Exception(message)
{
    public string Code { get; } = code;
    /// <summary>The client's request number when the refused message was a submit that carried one.</summary>
    public long? Request { get; } = request;
}
