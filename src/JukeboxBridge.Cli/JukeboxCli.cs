using System.CommandLine;
using JukeboxBridge.Cli.Commands;

namespace JukeboxBridge.Cli;

/// <summary>The `jukebox` command line: thin verbs that parse options and call the libraries.</summary>
public static class JukeboxCli
{
    public static RootCommand Build(CliContext ctx)
    {
        var root = new RootCommand("JukeboxBridge: OpenAI Jukebox in your DAW. Inference daemon, tools and command-line client.");
        root.Subcommands.Add(InspectCommand.Create(ctx));
        root.Subcommands.Add(ConvertCommand.Create(ctx));
        root.Subcommands.Add(SamplingCommands.Continue(ctx));
        root.Subcommands.Add(SamplingCommands.Sample(ctx));
        root.Subcommands.Add(SamplingCommands.Upsample(ctx));
        root.Subcommands.Add(SamplingCommands.Resume(ctx));
        root.Subcommands.Add(VqvaeCommands.Encode(ctx));
        root.Subcommands.Add(VqvaeCommands.Decode(ctx));
        root.Subcommands.Add(TrainCommands.Create(ctx));
        root.Subcommands.Add(DatasetCommands.Create(ctx));
        root.Subcommands.Add(EvalCommand.Create(ctx));
        root.Subcommands.Add(ServeCommands.Serve(ctx));
        root.Subcommands.Add(ServeCommands.Keys(ctx));
        root.Subcommands.Add(DaemonCommands.Jobs(ctx));
        root.Subcommands.Add(DaemonCommands.Cancel(ctx));
        root.Subcommands.Add(DaemonCommands.Fetch(ctx));
        root.Subcommands.Add(StylesCommand.Create(ctx));
        root.Subcommands.Add(DoctorCommand.Create(ctx));
        return root;
    }

    /// <summary>Runs the CLI with the given writers (tests pass StringWriters). Returns the exit code.</summary>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        var ctx = new CliContext(stdout, stderr);
        var parse = Build(ctx).Parse(args);
        return parse.Invoke(new InvocationConfiguration { Output = stdout, Error = stderr });
    }
}

/// <summary>Where a command writes: results to Out (machine-readable with --json), messages and progress to Err.</summary>
public sealed record CliContext(TextWriter Out, TextWriter Err)
{
    /// <summary>Runs a command body, turning the errors a user can cause into one clear line and exit code 1.</summary>
    public int Guard(Func<int> body)
    {
        try { return body(); }
        catch (Exception e) when (e is JukeboxBridge.Audio.AudioFormatException or JukeboxBridge.Checkpoints.CheckpointFormatException
                                      or FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException
                                      or ArgumentException or IOException or FormatException or JukeboxBridge.Model.Checkpoints.ModelLoadException)
        {
            Err.WriteLine($"error: {e.Message}");
            return 1;
        }
    }
}
