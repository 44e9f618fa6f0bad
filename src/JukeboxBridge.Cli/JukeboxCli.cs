using System.CommandLine;
using JukeboxBridge.Errors;
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
        root.Subcommands.Add(ScaleOutCommands.Worker(ctx));
        root.Subcommands.Add(DaemonCommands.Jobs(ctx));
        root.Subcommands.Add(DaemonCommands.Cancel(ctx));
        root.Subcommands.Add(DaemonCommands.Fetch(ctx));
        root.Subcommands.Add(StylesCommand.Create(ctx));
        root.Subcommands.Add(DoctorCommand.Create(ctx));
        root.Options.Add(ThreadsOption);
        return root;
    }

    /// <summary>--threads auto|N on every command: Torch's intra-op threads while sampling (docs/priors.md, "Threads").</summary>
    public static readonly Option<string> ThreadsOption = new("--threads")
    {
        Description = "Torch threads while sampling: auto (the cores other processes leave free, re-checked every second) or a count; default JUKEBOX_THREADS, else auto",
        Recursive = true,
    };

    /// <summary>
    /// Runs the CLI with the given writers (tests pass StringWriters). Returns the exit code. <paramref name="process"/>:
    /// this is the jukebox process itself (Program), so process-wide settings (threads) apply; in-process callers keep theirs.
    /// </summary>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr, bool process = false)
    {
        var ctx = new CliContext(stdout, stderr);
        var parse = Build(ctx).Parse(args);
        if (process && parse.Errors.Count == 0)
        {
            try { JukeboxBridge.Model.TorchThreads.Request(JukeboxBridge.Model.TorchThreads.FromEnvironment(parse.GetValue(ThreadsOption))); }
            catch (UserInputException e)
            {
                stderr.WriteLine($"error: {e.Message}");
                return CliContext.UserErrorExit;
            }
        }
        return parse.Invoke(new InvocationConfiguration { Output = stdout, Error = stderr });
    }
}

/// <summary>Where a command writes: results to Out (machine-readable with --json), messages and progress to Err.</summary>
public sealed record CliContext(TextWriter Out, TextWriter Err)
{
    /// <summary>Exit code of a command that failed on what the user gave (a setting, a name, a file) or on the machine (I/O).</summary>
    public const int UserErrorExit = 1;

    /// <summary>Exit code of a bug (sysexits' EX_SOFTWARE): the message carries an id, the trace follows it.</summary>
    public const int InternalErrorExit = 70;

    /// <summary>
    /// Runs a command body. Errors a user can cause (<see cref="UserInputException"/>, files that are missing, locked or
    /// unwritable) and a daemon's refusal become one line and exit code 1; anything else is a bug: one line with an error id, then its trace, and
    /// exit code 70 (Ctrl+C is not an error).
    /// </summary>
    public int Guard(Func<int> body)
    {
        try { return body(); }
        catch (Exception e) when (e is UserInputException or IOException or UnauthorizedAccessException)
        {
            Err.WriteLine($"error: {e.Message}");
            return UserErrorExit;
        }
        catch (JukeboxBridge.Protocol.ProtocolException e)                // the daemon's answer: its own log holds any trace
        {
            Err.WriteLine($"error: daemon: {e.Message} ({e.Code})");
            return UserErrorExit;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            string id = ErrorId.New();
            Err.WriteLine($"internal error {id}: {e.GetType().Name}: {e.Message}");
            Err.WriteLine($"(a bug, not your input; please report it with this trace)\n{e}");
            return InternalErrorExit;
        }
    }
}
