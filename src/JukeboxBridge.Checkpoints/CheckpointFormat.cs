namespace JukeboxBridge.Checkpoints;

public enum CheckpointFormat
{
    /// <summary>torch.save pre-1.6 stream (OpenAI's released .pth.tar files).</summary>
    Legacy,
    /// <summary>torch.save zip container (torch >= 1.6).</summary>
    Zip,
    Safetensors,
}

public static class CheckpointFormats
{
    public static string Name(this CheckpointFormat f) => f switch
    {
        CheckpointFormat.Legacy => "legacy",
        CheckpointFormat.Zip => "zip",
        _ => "safetensors",
    };
}
