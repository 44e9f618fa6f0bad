using System.CommandLine;
using JukeboxBridge.ScaleOut;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace JukeboxBridge.Cli.Commands;

/// <summary>The NATS options `jukebox serve --nats` and `jukebox worker` share (docs/scale-out.md).</summary>
internal sealed class NatsOptionSet(bool required)
{
    public readonly Option<string?> Url = new("--nats") { Description = required ? "NATS server with JetStream (nats://host:4222, tls://...)" : "hand jobs to `jukebox worker` processes through this NATS JetStream server instead of running them here (docs/scale-out.md)", Required = required };
    public readonly Option<string?> Credentials = new("--nats-credentials") { Description = "JSON file {\"user\": ..., \"password\": ...}, mode 0600 (required off loopback)" };
    public readonly Option<string> Tls = new("--nats-tls") { Description = "auto (required off loopback), on, off", DefaultValueFactory = _ => "auto" };
    public readonly Option<string?> Ca = new("--nats-ca") { Description = "CA certificate (PEM) of the NATS server's certificate" };
    public readonly Option<double> AckWait = new("--ack-wait") { Description = "seconds without word from a worker before its job goes to another (front and workers: the same value)", DefaultValueFactory = _ => 60 };
    public readonly Option<int> MaxDeliveries = new("--max-deliveries") { Description = "a job whose workers died under it this many times is marked failed", DefaultValueFactory = _ => 3 };
    public readonly Option<string> Prefix = new("--nats-prefix") { Description = "subject prefix and stream name (several deployments on one server)", DefaultValueFactory = _ => "jukebox" };

    public void AddTo(Command cmd) { foreach (var o in new Option[] { Url, Credentials, Tls, Ca, AckWait, MaxDeliveries, Prefix }) cmd.Options.Add(o); }

    public NatsOptions? Get(ParseResult r) => r.GetValue(Url) is not string url ? null : new NatsOptions
    {
        Url = url, CredentialsFile = r.GetValue(Credentials), Tls = r.GetValue(Tls)!, TlsCaFile = r.GetValue(Ca),
        AckWait = TimeSpan.FromSeconds(r.GetValue(AckWait)), MaxDeliveries = r.GetValue(MaxDeliveries), Prefix = r.GetValue(Prefix)!,
    };
}

/// <summary>jukebox worker: one inference process of a scale-out deployment.</summary>
public static class ScaleOutCommands
{
    public static Command Worker(CliContext ctx)
    {
        var nats = new NatsOptionSet(required: true);
        var model = new Option<string?>("--model") { Description = "bundle to serve (default: the embedded default model); takes only jobs of a front serving the same weights" };
        var jobs = new Option<string>("--jobs") { Description = "the jobs folder the front writes (shared: the same disk or a network file system with locks)", Required = true };
        var name = new Option<string?>("--name") { Description = "this worker's name in the logs (default host-pid)" };
        var logFormat = new Option<string>("--log-format") { Description = "text, or json", DefaultValueFactory = _ => "text" };
        logFormat.AcceptOnlyFromAmong("text", "json");
        var devices = new DeviceOptionSet();
        var cmd = new Command("worker", "Run jobs from a NATS JetStream queue for `jukebox serve --nats` (scale-out; docs/scale-out.md)") { model, jobs, name, logFormat };
        nats.AddTo(cmd);
        devices.AddTo(cmd);
        cmd.SetAction(r => ctx.Guard(() =>
        {
            var n = nats.Get(r)!;
            _ = n.ToNatsOpts("check");                                          // option errors before the model loads
            var w = new WorkerOptions { JobsDir = Path.GetFullPath(r.GetValue(jobs)!), Model = r.GetValue(model), Device = devices.Get(r) };
            if (r.GetValue(name) is string given) w = w with { Name = given };
            var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
            if (r.GetValue(logFormat) == "json") builder.Logging.AddJsonConsole(j => j.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ");
            else builder.Logging.AddSimpleConsole(s => { s.SingleLine = true; s.TimestampFormat = "HH:mm:ss "; });
            builder.Services.AddSingleton(sp => new NatsWorker(n, w, sp.GetRequiredService<ILoggerFactory>().CreateLogger("worker")));
            builder.Services.AddHostedService<WorkerService>();
            using var host = builder.Build();
            host.Run();
            return 0;
        }));
        return cmd;
    }

    private sealed class WorkerService(NatsWorker worker, IHostApplicationLifetime life, ILogger<WorkerService> log) : BackgroundService
    {
        protected override async Task ExecuteAsync(CancellationToken stop)
        {
            try { await Task.Run(() => worker.RunAsync(stop), CancellationToken.None); }
            catch (OperationCanceledException) when (stop.IsCancellationRequested) { }
            catch (Exception e)
            {
                log.LogCritical(e, "The worker stopped: {Error}", e.Message);
                Environment.ExitCode = 1;
                life.StopApplication();
            }
        }
    }
}
