using JukeboxBridge.Errors;
using System.CommandLine;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using JukeboxBridge.Daemon;
using JukeboxBridge.Daemon.Security;
using JukeboxBridge.Sampling.Devices;

namespace JukeboxBridge.Cli.Commands;

/// <summary>jukebox serve (the daemon) and jukebox keys (clients allowed to use it).</summary>
public static class ServeCommands
{
    public static Command Serve(CliContext ctx)
    {
        var config = new Option<string?>("--config") { Description = "JSON config file: {\"daemon\": {\"endpoint\": ..., \"model\": ..., \"jobs_dir\": ..., \"keys_dir\": ..., \"curve\": ..., \"max_prompt_seconds\": ...}, \"logging\": {...}}; command-line options override it" };
        var endpoint = new Option<string?>("--endpoint") { Description = "where to listen (default tcp://127.0.0.1:5555; a non-loopback address needs CURVE, on by default there)" };
        var model = new Option<string?>("--model") { Description = "bundle to serve (default: the embedded default model)" };
        var jobs = new Option<string?>("--jobs") { Description = "job folders (default ~/.local/share/jukeboxbridge/jobs)" };
        var keys = new Option<string?>("--keys") { Description = "key folder (default: the per-user config folder)" };
        var stylesDir = new Option<string?>("--styles-dir") { Description = "styles offered to clients (`jukebox styles add`; default: the per-user styles folder)" };
        var curve = new Option<string?>("--curve") { Description = "auto (on for non-loopback binds), on, off" };
        var logFormat = new Option<string>("--log-format") { Description = "text, or json (one structured JSON object per line)", DefaultValueFactory = _ => "text" };
        logFormat.AcceptOnlyFromAmong("text", "json");
        var devices = new DeviceOptionSet();
        var nats = new NatsOptionSet(required: false);
        var cmd = new Command("serve", "Run the inference daemon: jobs over ZeroMQ (docs/protocol.md), streamed blocks, job folders that survive restarts")
            { config, endpoint, model, jobs, keys, stylesDir, curve, logFormat };
        devices.AddTo(cmd);
        nats.AddTo(cmd);
        cmd.SetAction(r => ctx.Guard(() =>
        {
            var scaleOut = nats.Get(r);
            _ = scaleOut?.ToNatsOpts("check");                                  // option errors before anything starts
            var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
            if (r.GetValue(config) is string path)
            {
                if (!File.Exists(path)) throw new FileNotFoundException($"config file not found: {path}", path);
                builder.Configuration.AddJsonFile(Path.GetFullPath(path), optional: false);
            }
            // Command-line options override the file ("daemon:" section, snake_case keys as in the file).
            var overrides = new Dictionary<string, string?>
            {
                ["daemon:endpoint"] = r.GetValue(endpoint), ["daemon:model"] = r.GetValue(model), ["daemon:jobs_dir"] = r.GetValue(jobs),
                ["daemon:keys_dir"] = r.GetValue(keys), ["daemon:curve"] = r.GetValue(curve), ["daemon:styles_dir"] = r.GetValue(stylesDir),
            };
            builder.Configuration.AddInMemoryCollection(overrides.Where(kv => kv.Value is not null));
            var o = Bind(builder.Configuration.GetSection("daemon")) with { Device = devices.Get(r) };
            builder.Logging.AddConfiguration(builder.Configuration.GetSection("logging"));
            if (r.GetValue(logFormat) == "json") builder.Logging.AddJsonConsole(j => j.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ");
            else builder.Logging.AddSimpleConsole(s => { s.SingleLine = true; s.TimestampFormat = "HH:mm:ss "; });
            builder.Services.AddSingleton(o);
            if (scaleOut is not null) builder.Services.AddSingleton<IJobExecutorFactory>(new JukeboxBridge.ScaleOut.NatsExecutorFactory(scaleOut));
            builder.Services.AddHostedService<DaemonService>();
            using var host = builder.Build();
            host.Run();                                                          // until Ctrl+C or SIGTERM
            return 0;
        }));
        return cmd;
    }

    /// <summary>DaemonOptions from a configuration section with snake_case keys (missing keys keep their defaults).</summary>
    private static DaemonOptions Bind(IConfigurationSection s)
    {
        var d = new DaemonOptions();
        string? S(string k) => s[k];
        T N<T>(string k, T def) where T : IParsable<T> => s[k] is string v ? T.Parse(v, System.Globalization.CultureInfo.InvariantCulture) : def;
        return d with
        {
            Endpoint = S("endpoint") ?? d.Endpoint, Model = S("model") ?? d.Model, JobsDir = S("jobs_dir") ?? d.JobsDir, KeysDir = S("keys_dir") ?? d.KeysDir, StylesDir = S("styles_dir") ?? d.StylesDir,
            Curve = S("curve") ?? d.Curve, MaxMessageBytes = N("max_message_bytes", d.MaxMessageBytes), MaxPromptSeconds = N("max_prompt_seconds", d.MaxPromptSeconds),
            MaxSeconds = N("max_seconds", d.MaxSeconds), MaxQueuedJobsPerClient = N("max_queued_jobs", d.MaxQueuedJobsPerClient),
            MaxVariations = N("max_variations", d.MaxVariations), MaxPromptRate = N("max_prompt_rate", d.MaxPromptRate),
            MaxPendingSessions = N("max_pending_sessions", d.MaxPendingSessions), PendingSessionSeconds = N("pending_session_seconds", d.PendingSessionSeconds),
            SessionIdleSeconds = N("session_idle_seconds", d.SessionIdleSeconds), MaxJobsPerClient = N("max_jobs_per_client", d.MaxJobsPerClient),
            MaxDiskBytesPerClient = s["max_disk_gb_per_client"] is string gb ? (long)(double.Parse(gb, System.Globalization.CultureInfo.InvariantCulture) * 1e9) : d.MaxDiskBytesPerClient,
            RetainDays = N("retain_days", d.RetainDays), MaxJobCrashes = N("max_job_crashes", d.MaxJobCrashes),
        };
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
            if (!new KeyStore(r.GetValue(dir)).Revoke(r.GetValue(revokeName)!)) throw new UserInputException("--revoke", $"no client '{r.GetValue(revokeName)}'");
            ctx.Err.WriteLine($"revoked {r.GetValue(revokeName)}; its next authentication fails");
            return 0;
        }));
        var list = new Command("list", "The clients the daemon accepts") { dir };
        list.SetAction(r => ctx.Guard(() => { foreach (var c in new KeyStore(r.GetValue(dir)).Clients()) ctx.Out.WriteLine(c); return 0; }));
        return new Command("keys", "Clients allowed to use the daemon") { add, revoke, list };
    }
}
