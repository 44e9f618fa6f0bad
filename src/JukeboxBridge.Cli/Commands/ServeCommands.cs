using System.CommandLine;
using System.Text.Json;
using JukeboxBridge.Daemon;
using JukeboxBridge.Daemon.Security;
using JukeboxBridge.Sampling.Devices;

namespace JukeboxBridge.Cli.Commands;

/// <summary>jukebox serve (the daemon) and jukebox keys (clients allowed to use it).</summary>
public static class ServeCommands
{
    public static Command Serve(CliContext ctx)
    {
        var config = new Option<string?>("--config") { Description = "JSON config file (keys as the options, snake_case: endpoint, model, jobs_dir, keys_dir, curve, max_prompt_seconds, ...); command-line options override it" };
        var endpoint = new Option<string?>("--endpoint") { Description = "where to listen (default tcp://127.0.0.1:5555; a non-loopback address needs CURVE, on by default there)" };
        var model = new Option<string?>("--model") { Description = "bundle to serve (default: the embedded default model)" };
        var jobs = new Option<string?>("--jobs") { Description = "job folders (default ~/.local/share/jukeboxbridge/jobs)" };
        var keys = new Option<string?>("--keys") { Description = "key folder (default: the per-user config folder)" };
        var curve = new Option<string?>("--curve") { Description = "auto (on for non-loopback binds), on, off" };
        var devices = new DeviceOptionSet();
        var cmd = new Command("serve", "Run the inference daemon: jobs over ZeroMQ (docs/protocol.md), streamed blocks, job folders that survive restarts")
            { config, endpoint, model, jobs, keys, curve };
        devices.AddTo(cmd);
        cmd.SetAction(r => ctx.Guard(() =>
        {
            var o = r.GetValue(config) is string path ? ReadConfig(path) : new DaemonOptions();
            o = o with
            {
                Endpoint = r.GetValue(endpoint) ?? o.Endpoint, Model = r.GetValue(model) ?? o.Model, JobsDir = r.GetValue(jobs) ?? o.JobsDir,
                KeysDir = r.GetValue(keys) ?? o.KeysDir, Curve = r.GetValue(curve) ?? o.Curve, Device = devices.Get(r),
            };
            using var daemon = new JukeboxDaemon(o, line => ctx.Err.WriteLine($"{DateTime.Now:HH:mm:ss} {line}"));
            using var stop = new ManualResetEventSlim();
            ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; stop.Set(); };
            Console.CancelKeyPress += onCancel;
            AppDomain.CurrentDomain.ProcessExit += (_, _) => stop.Set();
            daemon.Start();
            ctx.Err.WriteLine($"local client file: {daemon.Keys.LocalClientPath}; Ctrl+C stops (running jobs resume at the next start)");
            stop.Wait();
            Console.CancelKeyPress -= onCancel;
            ctx.Err.WriteLine("stopping ...");
            return 0;
        }));
        return cmd;
    }

    private static DaemonOptions ReadConfig(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"config file not found: {path}", path);
        try
        {
            return JsonSerializer.Deserialize<DaemonOptions>(File.ReadAllText(path), new JsonSerializerOptions { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower })
                   ?? new DaemonOptions();
        }
        catch (JsonException e) { throw new FormatException($"{path}: {e.Message}"); }
    }

    public static Command Keys(CliContext ctx)
    {
        var dir = new Option<string?>("--keys") { Description = "key folder (default: the per-user config folder)" };
        var name = new Argument<string>("name") { Description = "client name (letters, digits, - _ .)" };
        var endpoint = new Option<string>("--endpoint") { Description = "the daemon's address as the other machine reaches it", Required = true };
        var output = new Option<string?>("--out") { Description = "write the client file here (default: print it)" };
        var add = new Command("add-client", "Allow another machine: writes its client file (copy it into that machine's config folder as client.json)") { name, endpoint, output, dir };
        add.SetAction(r => ctx.Guard(() =>
        {
            var file = new KeyStore(r.GetValue(dir)).AddClient(r.GetValue(name)!, r.GetValue(endpoint)!);
            string json = file.ToJson();
            if (r.GetValue(output) is string path) { KeyStore.WritePrivate(path, json); ctx.Err.WriteLine($"wrote {path} (keep it secret; it is this client's password)"); }
            else ctx.Out.WriteLine(json);
            return 0;
        }));
        var revokeName = new Argument<string>("name") { Description = "client name" };
        var revoke = new Command("revoke", "Stop accepting a client") { revokeName, dir };
        revoke.SetAction(r => ctx.Guard(() =>
        {
            if (!new KeyStore(r.GetValue(dir)).Revoke(r.GetValue(revokeName)!)) throw new ArgumentException($"no client '{r.GetValue(revokeName)}'");
            ctx.Err.WriteLine($"revoked {r.GetValue(revokeName)}; its next authentication fails");
            return 0;
        }));
        var list = new Command("list", "The clients the daemon accepts") { dir };
        list.SetAction(r => ctx.Guard(() => { foreach (var c in new KeyStore(r.GetValue(dir)).Clients()) ctx.Out.WriteLine(c); return 0; }));
        return new Command("keys", "Clients allowed to use the daemon") { add, revoke, list };
    }
}
