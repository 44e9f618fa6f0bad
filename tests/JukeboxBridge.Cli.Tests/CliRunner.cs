namespace JukeboxBridge.Cli.Tests;

internal static class CliRunner
{
    public static (int Code, string Out, string Err) Run(params string[] args)
    {
        var o = new StringWriter();
        var e = new StringWriter();
        int code = JukeboxCli.Run(args, o, e);
        return (code, o.ToString(), e.ToString());
    }
}
