namespace JukeboxBridge.Training;

/// <summary>Reported after every step: where training is and the step's loss and metrics.</summary>
public sealed record TrainingProgress(long Step, long TotalSteps, double Loss, IReadOnlyDictionary<string, double> Metrics, double SecondsPerStep, string? Saved = null);
