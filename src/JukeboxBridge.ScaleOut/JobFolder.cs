using JukeboxBridge.Daemon.Jobs;
using JukeboxBridge.Sampling.Jobs;

namespace JukeboxBridge.ScaleOut;

/// <summary>
/// The shared job folder as the scale-out record: the front writes request.json and prompt.wav, the worker that holds
/// the job's lock writes settings, codes after every window, blocks and job.json; the front only reads them. The
/// cancel marker is how a cancel reaches a job that is waiting in the stream (or whose worker missed the message).
/// </summary>
public static class JobFolder
{
    public static string LockPath(string dir) => Path.Combine(dir, "worker.lock");
    public static string CancelMarker(string dir) => Path.Combine(dir, "cancel-requested");

    /// <summary>The job's exclusive lock (one worker at a time; released by the OS when the worker dies), or null when another worker holds it.</summary>
    public static FileStream? TryLock(string dir)
    {
        try { return new FileStream(LockPath(dir), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None); }
        catch (IOException) { return null; }
    }

    /// <summary>
    /// Under the lock, before a run: temporary files of a dead worker go, and a folder whose worker died between
    /// settings.json and the first codes starts again from its request (what a local daemon does at its start).
    /// </summary>
    public static void Tidy(string dir)
    {
        JukeboxBridge.Storage.AtomicFile.CleanOrphans(dir, recursive: true);
        if (File.Exists(Path.Combine(dir, "settings.json")) && !File.Exists(Path.Combine(dir, "codes.safetensors")))
            foreach (var f in new[] { "settings.json", "job.json" }) File.Delete(Path.Combine(dir, f));
    }

    /// <summary>The store, once the folder has settings and codes (null before).</summary>
    public static TakeStore? TryOpen(string dir)
    {
        if (!File.Exists(Path.Combine(dir, "settings.json")) || !File.Exists(Path.Combine(dir, "codes.safetensors"))) return null;
        try { return TakeStore.Open(dir); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
    }

    public static JobStatus? TryStatus(string dir)
    {
        try { return TakeStore.ReadStatus(dir); }
        catch (Exception e) when (e is IOException or System.Text.Json.JsonException or UnauthorizedAccessException) { return null; }
    }

    public static DaemonJob Load(string dir) => new(JobRequest.FromJson(File.ReadAllText(Path.Combine(dir, "request.json"))), dir);
}
