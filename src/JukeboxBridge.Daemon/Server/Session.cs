namespace JukeboxBridge.Daemon.Server;

/// <summary>One connected DEALER (by routing id): its challenge, failed attempts, and the client id once authenticated.</summary>
public sealed class Session(byte[] identity, byte[] nonce)
{
    public byte[] Identity { get; } = identity;
    public byte[] Nonce { get; } = nonce;
    public string? Client { get; set; }
    public int Failures { get; set; }
    public bool Authenticated => Client is not null;
}

/// <summary>Where a job's blocks are going: the session attached to it, the client's remaining credit, the next block and variation to send.</summary>
public sealed class BlockStream(string job, string client)
{
    public string Job { get; } = job;
    public string Client { get; } = client;
    public byte[]? Identity { get; set; }
    public long Credit { get; set; }
    public int NextSeq { get; set; }
    public int NextVariation { get; set; }
    public bool DoneSent { get; set; }
}
