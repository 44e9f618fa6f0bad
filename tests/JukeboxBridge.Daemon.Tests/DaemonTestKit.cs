using JukeboxBridge.Daemon.Client;
using JukeboxBridge.TestSupport;

namespace JukeboxBridge.Daemon.Tests;

/// <summary>What every daemon test starts from: the tiny model on a free loopback port, its folders in the test's temp dir.</summary>
internal static class DaemonTestKit
{
    public static DaemonOptions Options(TempDir dir, string curve = "auto") => new()
    {
        Endpoint = "tcp://127.0.0.1:*", Model = "tiny", JobsDir = Path.Combine(dir.Path, "jobs"), KeysDir = Path.Combine(dir.Path, "keys"), Curve = curve,
    };

    /// <summary>The local client, authenticated.</summary>
    public static DaemonClient Connect(JukeboxDaemon d)
    {
        var c = new DaemonClient(d.LocalClient, curve: false);
        c.Handshake();
        return c;
    }
}
