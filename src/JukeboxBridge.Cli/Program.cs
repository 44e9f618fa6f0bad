return JukeboxBridge.Cli.JukeboxCli.Run(args, Console.Out, Console.Error, process: true);
