using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace JukeboxBridge.Daemon;

/// <summary>The daemon as a hosted service of the .NET generic host (`jukebox serve`): started and stopped with the host.</summary>
public sealed class DaemonService(DaemonOptions options, ILogger<DaemonService> logger, IJobExecutorFactory? executor = null) : IHostedService
{
    private JukeboxDaemon? _daemon;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _daemon = new JukeboxDaemon(options, logger, executor);
        _daemon.Start();
        logger.LogInformation("Local client file: {ClientFile}; stop with Ctrl+C (running jobs resume at the next start)", _daemon.Keys.LocalClientPath);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        logger.LogInformation("Stopping");
        _daemon?.Dispose();
        return Task.CompletedTask;
    }
}
