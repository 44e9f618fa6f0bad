using JukeboxBridge.Errors;
using JukeboxBridge.Audio;
using JukeboxBridge.Audio.Resampling;
using JukeboxBridge.Audio.Wav;
using JukeboxBridge.Daemon.Jobs;
using JukeboxBridge.Daemon.Security;
using JukeboxBridge.Model.Labels;
using JukeboxBridge.Protocol;
using JukeboxBridge.Protocol.Messages;
using JukeboxBridge.Protocol.Security;
using JukeboxBridge.Sampling;
using JukeboxBridge.Sampling.Styles;
using JukeboxBridge.Sampling.Jobs;
using Microsoft.Extensions.Logging;
using NetMQ;
using NetMQ.Monitoring;
using NetMQ.Sockets;

namespace JukeboxBridge.Daemon.Server;

/// <summary>
/// The daemon's network side: a ROUTER socket and a poller on one thread (the only thread touching the socket).
/// Sessions authenticate with the mutual HMAC challenge before anything else is served; submitted jobs get a folder and
/// go to the worker's fair queue; progress, blocks (within each client's credit, read back from the job folder) and
/// completion are sent to the session attached to each job. Worker events arrive through a queue on the poller.
/// Limits act before buffering: the socket refuses frames over the largest legitimate message and reads at most a few
/// messages ahead per connection; extra frames are dropped as they are read. Every handler and event ends in a reply or
/// a log line: nothing a peer sends stops the poller.
/// </summary>
public sealed class DaemonServer : IJobEvents, IDisposable
{
    private readonly DaemonOptions _o;
    private readonly ModelBundle _bundle;
    private readonly JobBook _book;
    private readonly KeyStore _keys;
    private readonly ILogger _log;
    private readonly RouterSocket _router;
    private readonly NetMQQueue<Action> _events = new();
    private readonly NetMQPoller _poller;
    private readonly SessionTable _sessions;
    private readonly Dictionary<string, BlockStream> _streams = new();
    private readonly NetMQTimer _tick = new(TimeSpan.FromSeconds(1));
    private readonly NetMQMonitor _monitor;
    private readonly string _fingerprint;
    private readonly FrameLimits _limits;
    private readonly IReadOnlyList<string> _artists, _genres;
    private readonly IReadOnlyList<StylePreset> _presets;
    private DecodedBlock? _cachedBlock;
    private (string Job, int Seq) _cachedKey;

    public string Endpoint { get; }

    public DaemonServer(DaemonOptions o, ModelBundle bundle, JobBook book, KeyStore keys, ILogger log, string fingerprint)
    {
        _o = o; _bundle = bundle; _book = book; _keys = keys; _log = log; _fingerprint = fingerprint;
        _limits = new FrameLimits(o.EffectiveMaxMessageBytes);
        _sessions = new SessionTable(o.MaxPendingSessions, TimeSpan.FromSeconds(o.PendingSessionSeconds), TimeSpan.FromSeconds(o.SessionIdleSeconds));
        (_artists, _genres) = Styles(bundle);
        _presets = Presets(o, bundle, log);
        _router = new RouterSocket();
        _router.Options.RouterMandatory = true;
        _router.Options.SendHighWatermark = o.SendHighWatermark;
        _router.Options.ReceiveHighWatermark = o.ReceiveHighWatermark;
        _router.Options.MaxMsgSize = o.EffectiveMaxMessageBytes;             // a bigger frame drops the connection before it is buffered
        // ZMTP heartbeats: a connection that stops answering (or stalls in the middle of a frame) is dropped.
        _router.Options.HeartbeatInterval = TimeSpan.FromSeconds(10);
        _router.Options.HeartbeatTimeout = TimeSpan.FromSeconds(60);
        _router.Options.Linger = TimeSpan.Zero;
        if (o.UseCurve)
        {
            _router.Options.CurveServer = true;
            _router.Options.CurveCertificate = keys.ServerCertificate();
        }
        if (o.Endpoint.EndsWith(":*"))
        {
            int port = _router.BindRandomPort(o.Endpoint[..^2]);
            Endpoint = $"{o.Endpoint[..^2]}:{port}";
        }
        else
        {
            _router.Bind(o.Endpoint);
            Endpoint = o.Endpoint;
        }
        _router.ReceiveReady += (_, _) => Guarded("receive", ReceiveAll);
        _events.ReceiveReady += (_, e) => { while (e.Queue.TryDequeue(out var a, TimeSpan.Zero)) Guarded("worker event", a); };
        _tick.Elapsed += (_, _) => Guarded("session expiry", Tick);
        _poller = new NetMQPoller { _router, _events, _tick };
        // A dropped connection leaves its routing id free for anyone: probe the sessions so the departed one ends now.
        _monitor = new NetMQMonitor(_router, $"inproc://jukebox-monitor-{Guid.NewGuid():N}", SocketEvents.Disconnected);
        _monitor.Disconnected += (_, _) => _probeDue = true;                 // probed on the next tick: a flood of disconnects costs one probe a second
        _monitor.AttachToPoller(_poller);
    }

    public void RunAsync() => _poller.RunAsync("jukebox-server");
    public void Stop() { if (_poller.IsRunning) _poller.Stop(); }

    /// <summary>Sessions now (for tests and the log): all, and those not authenticated yet.</summary>
    public (int All, int Pending) SessionCounts => (_sessionCount, _pendingCount);
    private volatile int _sessionCount, _pendingCount;                    // written by the poller thread after each change

    private void PublishCounts() { _sessionCount = _sessions.Count; _pendingCount = _sessions.Pending; }

    /// <summary>Runs a poller-thread action; whatever it throws is logged with an id, never allowed to stop the poller.</summary>
    private void Guarded(string what, Action action)
    {
        try { action(); }
        catch (Exception e) { _log.LogError(e, "Internal error {ErrorId} in the daemon's {What}", ErrorId.New(), what); }
        finally { PublishCounts(); }
    }


    private static (IReadOnlyList<string>, IReadOnlyList<string>) Styles(ModelBundle b)
    {
        if (b.IdsDir is null || !b.Priors.Any(p => p.Options.Labels)) return ([], []);
        try
        {
            var t = StyleTable.Load(b.IdsDir, "v2");
            return (t.Artists.Keys.Order().Take(4000).ToList(), t.Genres.Keys.Order().Take(4000).ToList());
        }
        catch (IOException) { return ([], []); }
    }

    /// <summary>
    /// The user's styles (`jukebox styles add`) the served model can take, checked once at start; the others are
    /// logged and left out. Bounded by <see cref="StyleLists.MaxPresets"/> and <see cref="StyleLists.MaxPresetLyricsChars"/>.
    /// </summary>
    private static IReadOnlyList<StylePreset> Presets(DaemonOptions o, ModelBundle bundle, ILogger log)
    {
        if (!bundle.Priors.Any(p => p.Options.Labels)) return [];
        var store = o.StylesDir is { Length: > 0 } d ? new UserStyleStore(d) : UserStyleStore.Default();
        var offered = new List<StylePreset>();
        long lyricChars = 0;
        foreach (var style in store.List())
        {
            try { StyleCheck.Validate(bundle, style, bundle.IdsDir); }
            catch (Exception e) when (e is UserInputException or IOException)
            {
                log.LogWarning("Style {Style} ({Dir}) is not offered: {Reason}", style.Name, store.Dir, e.Message);
                continue;
            }
            if (offered.Count >= StyleLists.MaxPresets || lyricChars + style.Lyrics.Length > StyleLists.MaxPresetLyricsChars)
            {
                log.LogWarning("Style {Style} is not offered: at most {Max} styles and {Chars} characters of lyrics go to clients", style.Name, StyleLists.MaxPresets, StyleLists.MaxPresetLyricsChars);
                continue;
            }
            lyricChars += style.Lyrics.Length;
            offered.Add(new StylePreset(style.Name, style.Artist, style.Genre, style.Lyrics.Length > 0 ? style.Lyrics : null));
        }
        if (offered.Count > 0) log.LogInformation("Offering {Count} style(s) from {Dir}", offered.Count, store.Dir);
        return offered;
    }

    // ---- receiving

    /// <summary>
    /// Reads what the socket has, frame by frame: the routing id, then at most two payload frames (header, PCM); any
    /// further frames of the same message are read and dropped at once, so a peer cannot make the daemon hold more.
    /// </summary>
    private void ReceiveAll()
    {
        for (int n = 0; n < 256 && _router.TryReceiveFrameBytes(TimeSpan.Zero, out var identity, out bool more); n++)
        {
            var frames = new List<ReadOnlyMemory<byte>>(2);
            int extra = 0;
            while (more)
            {
                var f = _router.ReceiveFrameBytes(out more);
                if (frames.Count < 2) frames.Add(f); else extra++;
            }
            if (frames.Count == 0) continue;
            if (extra > 0) { Send(identity, new Error(ErrorCodes.BadMessage, $"a message has 1 or 2 frames, got {frames.Count + extra}")); continue; }
            Handle(identity, frames);
        }
    }

    /// <summary>
    /// Routing ids the ROUTER made itself: 5 bytes, a zero, then a counter from a random start. Clients never choose one;
    /// a peer that does (to take over a departed client's id) is refused, and one that mimics this form has to guess
    /// a random 32-bit id in the moment before the disconnect probe ends the old session.
    /// </summary>
    private static bool IsGeneratedId(byte[] identity) => identity.Length == 5 && identity[0] == 0;

    private void Handle(byte[] identity, List<ReadOnlyMemory<byte>> frames)
    {
        if (!IsGeneratedId(identity))
        {
            Send(identity, new Error(ErrorCodes.BadMessage, "clients must not set their own routing id (ZMQ_ROUTING_ID)"));
            return;
        }
        var now = DateTime.UtcNow;
        Message msg;
        try { msg = MessageCodec.FromFrames(frames, _limits); }
        catch (ProtocolException e) { Send(identity, new Error(e.Code, e.Message, e.Request)); return; }

        var session = _sessions.Find(identity, now);
        try
        {
            switch (msg)
            {
                case Hello h: OnHello(identity, h, now); return;
                case Ping p: Send(identity, new Pong(p.T)); return;
                case Pong: return;
                case Auth a: OnAuth(identity, session, a); return;
                case Bye: EndSession(identity); return;
            }
            if (session?.Client is not string client)
            {
                Send(identity, new Error(ErrorCodes.AuthRequired, "say hello and authenticate first"));
                return;
            }
            switch (msg)
            {
                case Submit s: OnSubmit(session, client, s); break;
                case Credit c: OnCredit(session, client, c); break;
                case Cancel c: OnCancel(session, client, c); break;
                case Fetch f: OnFetch(session, client, f); break;
                case GetFile g: OnGetFile(identity, client, g); break;
                case ListJobs l: OnListJobs(identity, client, l); break;
                default: Send(identity, new Error(ErrorCodes.BadMessage, $"a client does not send '{msg.Type}'")); break;
            }
        }
        catch (ProtocolException e) { Send(identity, new Error(e.Code, e.Message, (msg as Submit)?.Request)); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            string id = ErrorId.New();
            _log.LogError(e, "I/O error {ErrorId} serving {Type} of client {Client}", id, msg.Type, session?.Client);
            Send(identity, new Error(ErrorCodes.Internal, $"the daemon could not use its job folder (error {id}, see its log)", (msg as Submit)?.Request));
        }
        catch (Exception e)
        {
            string id = ErrorId.New();
            _log.LogError(e, "Internal error {ErrorId} serving {Type} of client {Client}", id, msg.Type, session?.Client);
            Send(identity, new Error(ErrorCodes.Internal, $"internal error {id} (details in the daemon's log)", (msg as Submit)?.Request));
        }
    }

    /// <summary>The session ends; jobs go on, and their streams wait for the client's next session.</summary>
    private void EndSession(byte[] identity)
    {
        _sessions.Remove(identity);
        foreach (var s in _streams.Values.Where(s => s.Identity is not null && s.Identity.AsSpan().SequenceEqual(identity))) s.Identity = null;
    }

    /// <summary>Once a second: pending sessions past their time, idle ones, and those of revoked clients end.</summary>
    private int _ticks;
    private bool _probeDue;

    private void Tick()
    {
        if (_probeDue) ProbeSessions();
        if (++_ticks % 3600 == 0 && _o.RetainDays > 0 && _book.Prune(DateTimeOffset.UtcNow.AddDays(-_o.RetainDays)) is > 0 and var pruned)
            _log.LogInformation("Deleted {Count} finished job(s) older than {Days} days", pruned, _o.RetainDays);
        foreach (var s in _sessions.Expire(DateTime.UtcNow))
        {
            if (s.Authenticated) _log.LogInformation("Session of client {Client} ended: idle for {Seconds} s", s.Client, _o.SessionIdleSeconds);
            EndSession(s.Identity);
        }
        foreach (var s in _sessions.All.Where(s => s.Authenticated && _keys.Secret(s.Client!) is null).ToList())
        {
            _log.LogWarning("Client {Client} was revoked: its session ends", s.Client);
            Send(s.Identity, new Error(ErrorCodes.AuthFailed, "this client was revoked"));
            EndSession(s.Identity);
        }
    }

    /// <summary>After a disconnect: a ping to every session; the one whose connection is gone fails to route and ends.</summary>
    private void ProbeSessions()
    {
        long t = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        bool unsure = false;
        foreach (var s in _sessions.All.ToList())
            if (!Send(s.Identity, new Ping(t)) && _sessions.Contains(s.Identity)) unsure = true;   // pipe closing or full: again next tick
        _probeDue = unsure;
        foreach (var stream in _streams.Values.Where(x => x.Identity is not null && x.Credit > 0).ToList()) Pump(stream);   // a probe may have taken a stream's room
    }

    private void OnHello(byte[] identity, Hello h, DateTime now)
    {
        if (!h.Versions.Contains(Message.Version))
        {
            Send(identity, new Error(ErrorCodes.UnsupportedVersion, $"this daemon speaks protocol version {Message.Version}; the client offers {string.Join(", ", h.Versions)}"));
            return;
        }
        var session = _sessions.Open(identity, now);
        if (session is null)
        {
            _log.LogWarning("Refused a hello: {Pending} connections are already waiting to authenticate", _sessions.Pending);
            Send(identity, new Error(ErrorCodes.Busy, "too many connections are authenticating; try again in a few seconds"));
            return;
        }
        long memory = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        Send(identity, new Welcome("jukeboxbridge/0.1", Message.Version, session.Nonce, [Path.GetFileNameWithoutExtension(_bundle.Source)],
            _o.Device.Device, Math.Round(memory / 1e9, 1), new ServerLimits(_o.EffectiveMaxMessageBytes, _o.MaxPromptSeconds, _o.MaxQueuedJobsPerClient, _o.MaxVariations)));
    }

    private void OnAuth(byte[] identity, Session? session, Auth a)
    {
        if (session is null) { Send(identity, new Error(ErrorCodes.AuthRequired, "say hello first: the challenge comes in welcome")); return; }
        if (session.Authenticated) { Send(identity, new Error(ErrorCodes.BadMessage, "this connection has authenticated already")); return; }
        var secret = _keys.Secret(a.ClientId);
        if (secret is not null && HmacAuth.Verify(secret, session.Nonce, a.ClientId, a.Mac))
        {
            session.Client = a.ClientId;
            _log.LogInformation("Client {Client} authenticated", a.ClientId);
            Send(identity, new AuthOk(HmacAuth.ServerMac(secret, a.Nonce, session.Nonce, a.ClientId), new StyleLists(_artists, _genres, _presets)));
            return;
        }
        session.Failures++;
        _log.LogWarning("Authentication failed for client id {ClientId} (attempt {Failures})", a.ClientId, session.Failures);
        Send(identity, new Error(ErrorCodes.AuthFailed, "authentication failed"));
        if (session.Failures >= 3) _sessions.Remove(identity);
    }

    private void OnListJobs(byte[] identity, string client, ListJobs l)
    {
        var all = _book.Of(client);
        int offset = (int)Math.Min(l.Offset ?? 0, all.Count), limit = (int)(l.Limit ?? ListJobs.DefaultLimit);
        Send(identity, new JobList(all.Skip(offset).Take(limit).Select(j => j.Info()).ToList(), offset, all.Count));
    }

    private void OnSubmit(Session session, string client, Submit s)
    {
        var st = s.Settings;
        void Refuse(string code, string message) => throw new ProtocolException(code, message);
        if (st.Variations is long v && (v < 1 || v > _o.MaxVariations)) Refuse(ErrorCodes.BadSettings, $"variations must be 1 to {_o.MaxVariations}");
        if (st.Seconds is double sec && (!(sec > 0) || sec > _o.MaxSeconds)) Refuse(ErrorCodes.BadSettings, $"seconds must be in (0, {_o.MaxSeconds}]");
        if (st.Model is string m && m != Path.GetFileNameWithoutExtension(_bundle.Source)) Refuse(ErrorCodes.BadSettings, $"this daemon serves '{Path.GetFileNameWithoutExtension(_bundle.Source)}', not '{m}'");
        if (_book.Queued(client) >= _o.MaxQueuedJobsPerClient) Refuse(ErrorCodes.QueueFull, $"{_o.MaxQueuedJobsPerClient} jobs are already waiting; cancel one or wait");
        if (s.Mode != "resume") CheckQuota(client);

        DaemonJob job;
        if (s.Mode == "resume")
        {
            job = _book.Find(s.Job ?? "", client) ?? throw new ProtocolException(ErrorCodes.UnknownJob, $"no job '{s.Job}'");
            if (job.State is JobLifecycle.Running or JobLifecycle.Queued) Refuse(ErrorCodes.BadSettings, $"job {job.Id} is {job.State.WireName()} already");
            if (job.State == JobLifecycle.Done) Refuse(ErrorCodes.BadSettings, $"job {job.Id} is done: fetch its blocks");
            job.RenewCancel();                                                // a cancelled token cannot be reset: the resumed run gets a new one
        }
        else
        {
            long promptSamples = 0;
            if (s.Mode == "continue")
            {
                var p = s.Prompt ?? throw new ProtocolException(ErrorCodes.BadMessage, "continue needs a prompt (PCM frame)");
                if (p.Rate > _o.MaxPromptRate) Refuse(ErrorCodes.BadSettings, $"prompt.rate is {p.Rate} Hz; prompts are at most {_o.MaxPromptRate} Hz");
                if (p.Channels > DaemonOptions.MaxPromptChannels) Refuse(ErrorCodes.BadSettings, $"prompt.channels is {p.Channels}; prompts are mono or stereo");
                if (p.Frames / (double)p.Rate > _o.MaxPromptSeconds) Refuse(ErrorCodes.PromptTooLong, $"the prompt is {p.Frames / (double)p.Rate:F1} s; the limit is {_o.MaxPromptSeconds} s");
                int unit = _bundle.Vqvae.Options.LengthMultiple, rate = _bundle.Vqvae.Options.SampleRate;
                long resampled = p.Rate == rate ? p.Frames : new Resampler((int)p.Rate, rate).OutputLength((int)p.Frames);
                promptSamples = resampled / unit * unit;
                if (promptSamples == 0) Refuse(ErrorCodes.BadSettings, "the prompt is too short");
            }
            else if (s.Mode == "upsample")
            {
                if (_book.Find(s.Job ?? "", client) is not { State: JobLifecycle.Done } source) throw new ProtocolException(ErrorCodes.UnknownJob, $"no finished job '{s.Job}' to upsample");
                if (source.Request.ModelFingerprint is { } fp && fp != _fingerprint)
                    Refuse(ErrorCodes.ModelError, $"job {source.Id} was made with another model; this daemon cannot upsample its codes");
                if (st.Variation is long k && k >= source.Variations)
                    Refuse(ErrorCodes.BadSettings, $"settings.variation is {k}; job {source.Id} has {source.Variations} variation(s) (0 to {source.Variations - 1})");
                promptSamples = source.Request.PromptSamples;                   // the source's prompt is kept: blocks start after it
            }
            string id = $"{DateTime.UtcNow:yyyyMMdd-HHmmss}-{Convert.ToHexString(HmacAuth.NewNonce()[..3]).ToLowerInvariant()}";
            string dir = Path.Combine(_book.Dir, client, id);
            Directory.CreateDirectory(dir);
            job = new DaemonJob(JobRequest.From(id, client, s, promptSamples, _fingerprint), dir)
            {
                // What accepted announces: the request's count, else the source job's rows (upsample: one for a chosen variation) or the model's default.
                Variations = (int)(st.Variations ?? (s.Mode != "upsample" ? _bundle.Sampling.Variations : st.Variation is null ? _book.Find(s.Job!, client)!.Variations : 1)),
            };
            if (s.Prompt is { } fmt) WavWriter.Write(job.PromptPath,
                AudioClip.FromInterleaved((int)fmt.Rate, (int)fmt.Channels, System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(s.PromptPcm!.Value.Span)),
                WavSampleFormat.Float32);                                   // the wire's PCM: interleaved little-endian float32
            JukeboxBridge.Storage.AtomicFile.WriteAllText(job.RequestPath, job.Request.ToJson());
            _book.Add(job);
        }
        _streams[job.Id] = new BlockStream(job.Id, client) { Identity = session.Identity };
        _book.Enqueue(job);
        _log.LogInformation("Job {Job} of {Client} accepted: {Mode}{Quality}, {Seconds} s, {Variations} variation(s)", job.Id, client, s.Mode,
            job.Request.IsPreview ? " (preview)" : "", st.Seconds, job.Variations);
        Send(session.Identity, new Accepted(s.Request, job.Id, job.Request.PromptSamples, _bundle.Vqvae.Options.SampleRate, job.Variations));
    }

    /// <summary>Per-client job count and disk quota (finished jobs count until deleted; `jukebox jobs --prune` or retention frees them).</summary>
    private void CheckQuota(string client)
    {
        var jobs = _book.Of(client);
        if (jobs.Count >= _o.MaxJobsPerClient)
            throw new ProtocolException(ErrorCodes.QuotaExceeded, $"this client keeps {jobs.Count} jobs, the limit is {_o.MaxJobsPerClient}: delete old ones with `jukebox jobs --prune`");
        long bytes = jobs.Sum(j => j.DiskBytes());
        if (bytes >= _o.MaxDiskBytesPerClient)
            throw new ProtocolException(ErrorCodes.QuotaExceeded, $"this client's jobs use {bytes / 1e9:F1} GB, the limit is {_o.MaxDiskBytesPerClient / 1e9:F1} GB: delete old ones with `jukebox jobs --prune`");
    }

    private BlockStream StreamOf(Session session, string client, string jobId)
    {
        var job = _book.Find(jobId, client) ?? throw new ProtocolException(ErrorCodes.UnknownJob, $"no job '{jobId}'");
        if (!_streams.TryGetValue(job.Id, out var stream)) _streams[job.Id] = stream = new BlockStream(job.Id, client);
        stream.Identity = session.Identity;                                  // the latest session of the client gets the stream
        return stream;
    }

    private void OnCredit(Session session, string client, Credit c)
    {
        if (c.Blocks < 0) throw new ProtocolException(ErrorCodes.BadMessage, "credit must be >= 0");
        var stream = StreamOf(session, client, c.Job);
        stream.Credit = Math.Min(stream.Credit + c.Blocks, 1 << 20);
        Pump(stream);
    }

    private void OnFetch(Session session, string client, Fetch f)
    {
        var stream = StreamOf(session, client, f.Job);
        stream.NextSeq = (int)Math.Max(0, f.FromSeq);
        stream.NextVariation = 0;
        stream.DoneSent = false;
        Pump(stream);
    }

    /// <summary>One extra file of one of the client's jobs (lyrics-K.mid, alignment-K.png): the name is checked by the codec.</summary>
    private void OnGetFile(byte[] identity, string client, GetFile g)
    {
        var job = _book.Find(g.Job, client) ?? throw new ProtocolException(ErrorCodes.UnknownJob, $"no job '{g.Job}'");
        var path = Path.Combine(job.Dir, g.Name);
        var info = new FileInfo(path);
        if (!info.Exists) throw new ProtocolException(ErrorCodes.UnknownFile, $"job {job.Id} has no {g.Name}");
        if (info.Length > JobFile.MaxBytes) throw new ProtocolException(ErrorCodes.TooLarge, $"{g.Name} of job {job.Id} is {info.Length} bytes; at most {JobFile.MaxBytes} are sent");
        Send(identity, new FileData(job.Id, g.Name, File.ReadAllBytes(path)));
    }

    private void OnCancel(Session session, string client, Cancel c)
    {
        var job = _book.Find(c.Job, client) ?? throw new ProtocolException(ErrorCodes.UnknownJob, $"no job '{c.Job}'");
        if (_book.CancelQueued(job))                                        // out of the queue, cancelled, written down, under the book's lock
        {
            Send(session.Identity, new Error(ErrorCodes.Cancelled, "cancelled before it started", Job: job.Id));
            return;
        }
        job.Cancel.Cancel();                                                 // running: the worker stops within one step
    }

    // ---- sending

    /// <summary>Sends the stream's next blocks within its credit (one message per variation), then take_done once everything is out.</summary>
    private void Pump(BlockStream stream)
    {
        if (stream.Identity is null || _book.Find(stream.Job, stream.Client) is not { } job || job.Store is null) return;
        while (stream.Credit > 0 && stream.NextSeq < job.BlocksWritten)
        {
            DecodedBlock block;
            try { block = Block(job, stream.NextSeq); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or JukeboxBridge.Checkpoints.CheckpointFormatException)
            {
                string id = ErrorId.New();
                _log.LogError(e, "Error {ErrorId}: block {Seq} of job {Job} cannot be read", id, stream.NextSeq, job.Id);
                Send(stream.Identity, new Error(ErrorCodes.Internal, $"block {stream.NextSeq} of the job cannot be read (error {id}, see the daemon's log)", Job: job.Id));
                stream.Credit = 0;                                           // the client's next credit or fetch retries
                return;
            }
            int v = stream.NextVariation;
            var audio = block.Audio[v];
            var bytes = new byte[audio.Length * 4];
            Buffer.BlockCopy(audio, 0, bytes, 0, bytes.Length);
            if (!Send(stream.Identity, new Block(job.Id, v, block.Seq, block.SampleOffset, new PcmFormat(block.SampleRate, 1, audio.Length), bytes, job.Request.IsPreview))) return;
            stream.Credit--;
            if (++stream.NextVariation >= block.Audio.Length) { stream.NextVariation = 0; stream.NextSeq++; }
        }
        if (job.State == JobLifecycle.Done && stream.NextSeq >= job.BlocksWritten && !stream.DoneSent)
        {
            stream.DoneSent = Send(stream.Identity, new TakeDone(job.Id, job.Variations, job.BlocksWritten, job.Seconds));
        }
    }

    private DecodedBlock Block(DaemonJob job, int seq)
    {
        if (_cachedBlock is null || _cachedKey != (job.Id, seq))
        {
            _cachedBlock = job.Store!.ReadBlock(seq);
            _cachedKey = (job.Id, seq);
        }
        return _cachedBlock;
    }

    /// <summary>Sends without blocking; false when the peer is gone or its queue is full (the stream retries on the next credit or block).</summary>
    private bool Send(byte[] identity, Message m)
    {
        try
        {
            var frames = MessageCodec.ToFrames(m);
            if (!_router.TrySendFrame(TimeSpan.Zero, identity, more: true)) return false;
            for (int i = 0; i < frames.Count; i++) _router.SendFrame(frames[i].ToArray(), more: i < frames.Count - 1);
            return true;
        }
        catch (NetMQ.HostUnreachableException)
        {
            EndSession(identity);
            return false;
        }
    }

    // ---- worker events (worker thread → poller thread)

    public void Started(DaemonJob job) { }

    /// <summary>Hands an event to the poller; after Dispose the event is dropped, never thrown at the worker.</summary>
    private void Post(Action a)
    {
        try { _events.Enqueue(a); }
        catch (Exception e) when (e is ObjectDisposedException or InvalidOperationException or NetMQException) { }
    }

    public void Progress(DaemonJob job, JobProgress p) => Post(() =>
    {
        if (_streams.TryGetValue(job.Id, out var s) && s.Identity is not null)
            Send(s.Identity, new Progress(job.Id, p.Level, p.WindowsDone, p.WindowsTotal, p.JobTokensDone, p.JobTokensTotal, p.ElapsedSeconds, p.EtaSeconds));
    });

    public void BlockWritten(DaemonJob job, int seq) => Post(() => { if (_streams.TryGetValue(job.Id, out var s)) Pump(s); });

    public void Finished(DaemonJob job, string? code, string? message) => Post(() =>
    {
        if (!_streams.TryGetValue(job.Id, out var s)) return;
        if (code is not null && s.Identity is not null) Send(s.Identity, new Error(code, message ?? code, Job: job.Id));
        Pump(s);
    });

    public void Dispose()
    {
        Stop();
        _monitor.DetachFromPoller();
        _monitor.Dispose();
        _poller.Dispose();
        _router.Dispose();
        _events.Dispose();
    }
}
