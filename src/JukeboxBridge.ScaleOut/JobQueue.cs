using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;

namespace JukeboxBridge.ScaleOut;

/// <summary>
/// The names on NATS and the JetStream objects behind them. Jobs: a work-queue stream, one subject and one durable
/// pull consumer per served model (the bundle's fingerprint), so a worker only ever receives jobs for the weights it
/// loaded. Events, cancels and worker announcements are plain NATS subjects: losing one costs latency, not data, since
/// the job folder is the record (the front reads it back every second).
/// </summary>
public sealed class JobQueue(NatsOptions o)
{
    public string Stream => $"{o.Prefix.ToUpperInvariant().Replace('-', '_')}_JOBS";
    public string JobsSubject(string fingerprint) => $"{o.Prefix}.jobs.{fingerprint}";
    public string Consumer(string fingerprint) => $"workers-{fingerprint}";
    public string EventsSubject(string job) => $"{o.Prefix}.events.{job}";
    public string AllEvents => $"{o.Prefix}.events.>";
    public string CancelSubject(string job) => $"{o.Prefix}.cancel.{job}";
    public string AllCancels => $"{o.Prefix}.cancel.>";
    public string Workers => $"{o.Prefix}.workers";

    /// <summary>The stream (file storage: jobs survive a server restart) and the model's consumer, created or updated.</summary>
    public async Task<INatsJSConsumer> EnsureAsync(INatsJSContext js, string fingerprint, CancellationToken ct)
    {
        await js.CreateOrUpdateStreamAsync(new StreamConfig(Stream, [$"{o.Prefix}.jobs.>"])
        {
            Retention = StreamConfigRetention.Workqueue, Storage = StreamConfigStorage.File,
            Discard = StreamConfigDiscard.New, MaxMsgSize = 64 << 10,
        }, ct);
        return await js.CreateOrUpdateConsumerAsync(Stream, new ConsumerConfig(Consumer(fingerprint))
        {
            FilterSubject = JobsSubject(fingerprint), AckPolicy = ConsumerConfigAckPolicy.Explicit, AckWait = o.AckWait,
            // Unlimited: a hand-back (a stopping worker, a busy lock) is no failure. Poison jobs are counted by the runs that
            // died under them (the folder's attempts file), which only a crash leaves behind.
            MaxDeliver = -1, DeliverPolicy = ConsumerConfigDeliverPolicy.All,
        }, ct);
    }

    /// <summary>Connects, waiting for the server (it may start after us or be restarting) until <paramref name="ct"/>.</summary>
    public static async Task<NatsConnection> ConnectAsync(NatsOpts opts, CancellationToken ct)
    {
        while (true)
        {
            var c = new NatsConnection(opts);
            try { await c.ConnectAsync(); return c; }
            catch (NatsException) when (!ct.IsCancellationRequested)
            {
                await c.DisposeAsync();
                await Task.Delay(500, ct);
            }
        }
    }
}
