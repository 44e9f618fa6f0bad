using JukeboxBridge.Protocol.Security;

namespace JukeboxBridge.Daemon.Server;

/// <summary>
/// The sessions of the poller thread (not thread-safe: only that thread uses it), with the limits that keep peers which
/// never authenticate from costing the daemon anything that grows: at most <see cref="MaxPending"/> of them, each for
/// at most <see cref="PendingLifetime"/>; authenticated ones end after <see cref="IdleLifetime"/> of silence.
/// </summary>
public sealed class SessionTable(int maxPending, TimeSpan pendingLifetime, TimeSpan idleLifetime)
{
    private readonly Dictionary<string, Session> _byKey = new();

    public int MaxPending { get; } = maxPending;
    public TimeSpan PendingLifetime { get; } = pendingLifetime;
    public TimeSpan IdleLifetime { get; } = idleLifetime;
    public int Count => _byKey.Count;
    public int Pending => _byKey.Values.Count(s => !s.Authenticated);
    public IEnumerable<Session> All => _byKey.Values;

    public static string Key(byte[] identity) => Convert.ToHexString(identity);

    public Session? Find(byte[] identity, DateTime now)
    {
        if (!_byKey.TryGetValue(Key(identity), out var s)) return null;
        s.LastSeen = now;
        return s;
    }

    /// <summary>
    /// A fresh unauthenticated session for a hello, or null when the pending limit is reached. A connection that says
    /// hello again keeps its original opening time (re-hellos cannot keep a slot alive past its lifetime), and an
    /// authenticated one starts over only once a slot is free. Expiry is the tick's (which ends streams too).
    /// </summary>
    public Session? Open(byte[] identity, DateTime now)
    {
        _byKey.TryGetValue(Key(identity), out var old);
        bool wasPending = old is { Authenticated: false };
        if (!wasPending && Pending >= MaxPending) return null;
        var s = new Session(identity, HmacAuth.NewNonce(), wasPending ? old!.Opened : now);
        _byKey[Key(identity)] = s;
        return s;
    }

    public bool Contains(byte[] identity) => _byKey.ContainsKey(Key(identity));

    public bool Remove(byte[] identity) => _byKey.Remove(Key(identity));

    /// <summary>Ends pending sessions past their time and authenticated ones idle too long; returns the ended ones.</summary>
    public IReadOnlyList<Session> Expire(DateTime now)
    {
        var gone = _byKey.Values.Where(s => s.Authenticated ? now - s.LastSeen > IdleLifetime : now - s.Opened > PendingLifetime).ToList();
        foreach (var s in gone) _byKey.Remove(Key(s.Identity));
        return gone;
    }
}
