using JukeboxBridge.Checkpoints;
using JukeboxBridge.Daemon.Jobs;
using JukeboxBridge.Errors;
using JukeboxBridge.Model.Labels;
using JukeboxBridge.Protocol;

namespace JukeboxBridge.Daemon.Tests;

/// <summary>What a failed job tells its client: the user's input as it is, the model apart, and a bug only as an id.</summary>
public class ErrorClassificationTests
{
    [Fact]
    public void User_input_model_problems_and_bugs_get_their_own_codes()
    {
        Assert.Equal((ErrorCodes.BadSettings, "variations must be 1 to 64, got 0"),
            JobRunner.Classify(new UserInputException("variations", "variations must be 1 to 64, got 0"), "0badc0de"));
        Assert.Equal(ErrorCodes.BadSettings, JobRunner.Classify(new UnknownStyleException("artist", "unknown artist 'x'", []), "1").Code);
        Assert.Equal(ErrorCodes.BadSettings, JobRunner.Classify(new JobInputException("source_job", "job 'x' has no codes to upsample"), "1").Code);
        Assert.Equal(ErrorCodes.ModelError, JobRunner.Classify(new ModelMismatchException("another model"), "1").Code);
        Assert.Equal(ErrorCodes.ModelError, JobRunner.Classify(new CheckpointFormatException("truncated"), "1").Code);
        Assert.Equal(ErrorCodes.ModelError, JobRunner.Classify(new ModelInputException("model", "3 priors for a 2-level VQ-VAE"), "1").Code);

        // A shape bug is not the user's bad settings: it names no internals, and its id finds the trace in the log.
        foreach (var bug in new Exception[] { new ArgumentException("shape [1, 2] vs [1, 3]"), new InvalidOperationException("state"), new FormatException("x") })
        {
            var (code, message) = JobRunner.Classify(bug, "3f9c1a2b");
            Assert.Equal(ErrorCodes.Internal, code);
            Assert.Contains("internal error 3f9c1a2b", message);
            Assert.DoesNotContain("shape", message);
        }
    }
}
