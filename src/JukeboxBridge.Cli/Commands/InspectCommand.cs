using System.CommandLine;
using JukeboxBridge.Checkpoints;

namespace JukeboxBridge.Cli.Commands;

/// <summary>jukebox inspect FILE [--json]: every tensor of a checkpoint as stored, with its metadata.</summary>
public static class InspectCommand
{
    public static Command Create(CliContext ctx)
    {
        var file = new Argument<string>("file") { Description = "checkpoint: OpenAI .pth.tar (legacy), torch zip .pth, or .safetensors" };
        var json = new Option<bool>("--json") { Description = "print one JSON object: {format, metadata, tensors: [{name, dtype, shape, sum}]}" };
        var cmd = new Command("inspect", "List every tensor of a checkpoint (name as stored, dtype, shape, sum) and its metadata") { file, json };
        cmd.SetAction(r => ctx.Guard(() =>
        {
            using var ckpt = CheckpointFile.Open(r.GetValue(file)!);
            ctx.Out.Write(r.GetValue(json) ? CheckpointReport.ToJson(ckpt) + "\n" : CheckpointReport.ToText(ckpt));
            return 0;
        }));
        return cmd;
    }
}
