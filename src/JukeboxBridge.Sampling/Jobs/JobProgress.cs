namespace JukeboxBridge.Sampling.Jobs;

/// <summary>
/// A progress event: the level being sampled, its windows and new tokens (over all variations) done and planned,
/// the same token counts for the whole job, time since the run started and an estimate of the time left.
/// </summary>
public sealed record JobProgress(int Level, int WindowsDone, int WindowsTotal, long TokensDone, long TokensTotal,
                                 long JobTokensDone, long JobTokensTotal, double ElapsedSeconds, double? EtaSeconds);

/// <summary>A finished job's takes (prompt + continuation per variation, model rate, mono) and the files written for them.</summary>
public sealed record TakeResult(JukeboxBridge.Audio.AudioClip[] Takes, double PromptSeconds, IReadOnlyList<string> Files);
