namespace JukeboxBridge.Daemon.Server;

/// <summary>
/// One connection (by the routing id the ROUTER knows it by): its challenge, failed attempts, when it was last heard,
/// and the client id once authenticated. A session lives only as long as its connection: it ends on bye, when the
/// peer is gone (a send fails, or a disconnect probe finds no route), when it is idle too long, or when its client
/// is revoked, so a new connection that reuses the routing id starts unauthenticated.
/// </summary>
public sealed class Session(byte[] identity, byte[] nonce, DateTime opened)
{
    public byte[] Identity { get; } = identity;
    public byte[] Nonce { get; } = nonce;
    public string? Client { get; set; }
    public int Failures { get; set; }
    public DateTime Opened { get; } = opened;
    public DateTime LastSeen { get; set; } = DateTime.UtcNow;
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
