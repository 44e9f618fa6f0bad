#include "net/daemon_link.h"
#include "net/take_export.h"
#include "plugin/shared_text.h"

#include <zmq.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <variant>

#include "common/platform.h"
#include "dsp/stream_resampler.h"
#include "net/client_file.h"
#include "plugin/styles.h"
#include "protocol/messages.h"
#include "protocol/msgpack.h"
#include "timeline/loop_capture.h"
#include "timeline/take_buffer.h"

namespace jb {
namespace {

using Clock = std::chrono::steady_clock;
constexpr int kCreditWindow = 8;                 // blocks in flight
constexpr auto kHelloTimeout = std::chrono::seconds(3);
constexpr auto kPingEvery = std::chrono::seconds(1);
constexpr auto kSilenceLimit = std::chrono::seconds(5);    // no message at all (pongs included): the daemon is gone
constexpr auto kRetryAfter = std::chrono::milliseconds(1000);
constexpr auto kMaxBackoff = std::chrono::milliseconds(8000);
constexpr auto kHealthyAfter = std::chrono::seconds(10);   // a connection this old resets the backoff
constexpr auto kRefetchEvery = std::chrono::milliseconds(500);

// What a daemon's messages are checked against (README "Hostile daemons").
constexpr std::int64_t kMaxVariations = 8;
constexpr std::int64_t kMinRate = 8000, kMaxRate = 384000;
constexpr std::int64_t kMaxBlockSeconds = 60;       // the daemon's own limit for block_seconds
constexpr std::int64_t kOffsetMarginSeconds = 10;   // a block may end this far past the take's expected end
constexpr double kMaxTakeSeconds = 3600;            // longest take a job (or a saved state) may announce
constexpr std::size_t kMaxBacklogChunks = 4096;     // chunks held here beyond the credit (about 16 MiB)
constexpr std::size_t kMaxJobIdBytes = 128;

// A line in $JUKEBOXBRIDGE_LOG, when set (diagnostics; [net-thread] only, never the audio thread).
void logLine(const char* fmt, ...) {
    static const char* path = std::getenv("JUKEBOXBRIDGE_LOG");
    if (path == nullptr || *path == '\0') return;
    FILE* f = std::fopen(path, "a");
    if (f == nullptr) return;
    va_list ap;
    va_start(ap, fmt);
    std::vfprintf(f, fmt, ap);
    va_end(ap);
    std::fputc('\n', f);
    std::fclose(f);
}

std::string lower(std::string s) {
    for (auto& c : s) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    return s;
}

const std::string* findCaseless(const std::vector<std::string>& list, const std::string& want) {
    for (const auto& s : list)
        if (lower(s) == lower(want)) return &s;
    return nullptr;
}

// Cuts resampled frames (interleaved, ch channels) into stereo chunks for the audio thread; returns how
// many were queued.
template <typename Q>
std::int64_t queueChunks(std::deque<Q>& backlog, std::uint32_t serial, std::size_t var, std::int64_t first,
                         const std::vector<float>& out, std::int64_t n, int ch) {
    std::int64_t queued = 0;
    for (std::int64_t i = 0; i < n; i += PcmChunk::kFrames) {
        Q q{};
        q.creditAfter = false;
        PcmChunk& c = q.chunk;
        c.takeSerial = serial;
        c.variation = static_cast<std::int32_t>(var);
        c.frames = static_cast<std::int32_t>(std::min<std::int64_t>(PcmChunk::kFrames, n - i));
        c.offset = first + i;
        for (int f = 0; f < c.frames; ++f) {
            const float* src = out.data() + (i + f) * ch;
            c.samples[2 * f] = src[0];
            c.samples[2 * f + 1] = ch > 1 ? src[1] : src[0];
        }
        backlog.push_back(q);
        ++queued;
    }
    return queued;
}

std::string shorten(const std::string& s) { return s.size() > 64 ? s.substr(0, 64) + "..." : s; }

// std::visit over one lambda per message type (handle()).
template <typename... F>
struct Overloaded : F... { using F::operator()...; };
template <typename... F>
Overloaded(F...) -> Overloaded<F...>;

}  // namespace

struct BlockView {
    const proto::Block* block;
    const std::vector<std::uint8_t>* pcm;
};

// One job whose take is (being) received.
struct DaemonLink::Job {
    TakeRecord record;
    std::uint32_t serial = 0;
    std::vector<std::unique_ptr<StreamResampler>> resamplers;   // per variation, created at the first block
    std::vector<std::int64_t> nextSeq;                         // per variation
    std::vector<std::int64_t> nextSource;                      // per variation: source frames after the prompt
    bool done = false;
    bool rejected = false;                 // a block did not fit: nothing more is taken from this job
    bool doneSeen = false;                 // take_done arrived (done: and every block is in)
    bool missed = false;                   // a block was refused or skipped: take_done waits for the refetch
    std::int64_t blocksPerVariation = -1;
    int channels = 0;                      // fixed by the first block
    std::int64_t expectedSource = 0;       // continuation frames at the model rate the take should have
    std::int64_t granted = 0, received = 0;   // credit sent for this job, blocks received for it
    std::int64_t creditOwed = 0;           // blocks whose chunks are in the ring (or needed none): credit to send
    std::int64_t creditDeferred = 0;       // refused while the backlog was full: credit once it drains
    std::int64_t refetchFrom = -1;         // blocks were missed or refused: fetch again from this seq
    Clock::time_point lastFetch{};
    // What the audio thread was sent, per variation (host rate, interleaved at the block's channels): for
    // "Export takes". Bounded like the take itself (the offset checks above).
    std::vector<std::vector<float>> audio;
    std::string style;                     // the Style entry's name at submit ("" for a restored take)

    void keep(std::size_t var, std::int64_t first, const std::vector<float>& out, std::int64_t n, int ch) {
        if (audio.size() <= var) audio.resize(var + 1);
        auto& a = audio[var];
        const std::size_t end = static_cast<std::size_t>((first + n) * ch);
        if (a.size() < end) a.resize(end, 0.0f);
        std::copy(out.begin(), out.begin() + n * ch, a.begin() + first * ch);
    }
};

// One connection attempt's socket and handshake state.
struct DaemonLink::Session {
    void* ctx = nullptr;
    void* sock = nullptr;
    ClientFile client;
    void* monitor = nullptr;               // PAIR socket receiving the DEALER's disconnect events
    bool authed = false;
    bool welcomed = false;                 // one welcome per connection
    bool authPending = false;              // auth sent, auth_ok not yet received
    mp::Bytes daemonNonce, clientNonce;
    Clock::time_point started, lastHeard, lastPing, authedAt;
    std::int64_t pendingRequest = -1;
    std::vector<std::string> artists, genres;
    std::vector<Style> presets;            // the daemon user's styles (the Style parameter's daemon slots)

    bool send(const proto::Message& m, const std::uint8_t* pcm = nullptr, std::size_t pcmBytes = 0) {
        const auto h = proto::encode(m);
        if (zmq_send(sock, h.data(), h.size(), pcm ? ZMQ_SNDMORE | ZMQ_DONTWAIT : ZMQ_DONTWAIT) < 0) return false;
        if (pcm != nullptr && zmq_send(sock, pcm, pcmBytes, ZMQ_DONTWAIT) < 0) return false;
        return true;
    }
    void close() {
        if (monitor) { zmq_close(monitor); monitor = nullptr; }
        if (sock) { zmq_close(sock); sock = nullptr; }
        authed = welcomed = authPending = false;
        pendingRequest = -1;
    }
};

DaemonLink::DaemonLink(LinkRings& rings, const LoopCapture& capture, const StyleList& styles)
    : rings_(rings), capture_(capture), styles_(styles) {}

DaemonLink::~DaemonLink() { stop(); }

void DaemonLink::start(double hostRate) {
    stop();
    hostRate_ = hostRate > 0 ? hostRate : 48000;
    stop_ = false;
    {
        // A (re)start at a new rate fetches the audible take again at that rate.
        std::lock_guard<std::mutex> lock(takesMutex_);
        if (!takes_.empty()) restorePending_ = true;
    }
    thread_ = std::thread([this] {
        try {
            run();
        } catch (...) {
            // run() catches per iteration; this only guards its setup and teardown: never std::terminate.
            logLine("network thread: unexpected exception at start or stop");
        }
    });
}

void DaemonLink::stop() {
    if (!thread_.joinable()) return;
    stop_ = true;
    thread_.join();
}

void DaemonLink::restore(const std::vector<TakeRecord>& takes) {
    std::lock_guard<std::mutex> lock(takesMutex_);
    takes_ = takes;
    restorePending_ = !takes_.empty();
}

std::vector<TakeRecord> DaemonLink::takes() const {
    std::lock_guard<std::mutex> lock(takesMutex_);
    return takes_;
}

void DaemonLink::run() {
    Session s;
    s.ctx = zmq_ctx_new();
    nextAttempt_ = Clock::now();
    failures_ = 0;
    while (!stop_) {
        try {
            iterate(s);
        } catch (const std::exception& e) {
            // Nothing may leave this thread: log, drop the connection, start over later.
            drop(s, Problem::Internal, std::string("network thread: ") + e.what());
        } catch (...) {
            drop(s, Problem::Internal, "network thread: unknown exception");
        }
    }
    try {
        if (s.sock != nullptr && s.authed) s.send(proto::Bye{});
    } catch (...) {
    }
    s.close();
    zmq_ctx_term(s.ctx);
    // Give back what the audio thread no longer holds; the audio side drops its own take at deactivation.
    for (TakeBuffer* t : retired_) delete t;
    retired_.clear();
    backlog_.clear();
    job_.reset();
}

void DaemonLink::backOff() {
    // 1, 2, 4, 8, 8 ... seconds after consecutive drops.
    ++failures_;
    auto wait = kRetryAfter;
    for (int k = 1; k < failures_ && wait < kMaxBackoff; ++k) wait *= 2;
    nextAttempt_ = Clock::now() + std::min(wait, kMaxBackoff);
}

void DaemonLink::note(Problem p, const std::string& why) {
    // A daemon repeating itself must not fill the disk: at most one line per problem per 200 ms.
    auto& last = lastNoted_[static_cast<int>(p) % kProblemStates];
    auto& quiet = suppressed_[static_cast<int>(p) % kProblemStates];
    const auto now = Clock::now();
    if (now - last >= std::chrono::milliseconds(200)) {
        if (quiet > 0) logLine("refused from the daemon: %s (and %u more like it)", why.c_str(), quiet);
        else logLine("refused from the daemon: %s", why.c_str());
        last = now;
        quiet = 0;
    } else {
        ++quiet;
    }
    status_.problem = p;
}

void DaemonLink::drop(Session& s, Problem p, const std::string& why) {
    logLine("refused from the daemon: %s: dropping the connection", why.c_str());
    if (p != Problem::None) status_.problem = p;
    s.close();
    if (!refused(status_.connection)) status_.connection = Connection::Offline;
    backOff();
}

void DaemonLink::iterate(Session& s) {
    static const bool logging = std::getenv("JUKEBOXBRIDGE_LOG") != nullptr;
    if (logging && Clock::now() >= nextDiag_) {
        nextDiag_ = Clock::now() + std::chrono::seconds(1);
        const AudioDiag& d = rings_.diag;
        logLine("audio: %llu blocks, mode %d, n %d, %s%s pos %lld loop %lld..%lld, pass %.2f%s%s, auto %.2f, take %s",
                (unsigned long long)d.blocks.load(), d.mode.load(), d.numSamples.load(),
                d.playing.load() ? "playing" : "stopped", d.loopActive.load() ? " looping" : "",
                (long long)d.pos.load(), (long long)d.loopStart.load(), (long long)d.loopEnd.load(), d.pass.load(),
                d.complete.load() ? " complete" : "", d.sealed.load() ? " sealed" : "", d.autoParam.load(),
                d.haveTake.load() ? "yes" : "no");
    }
    if (s.sock == nullptr && Clock::now() >= nextAttempt_) {
        nextAttempt_ = Clock::now() + kRetryAfter;
        std::string error;
        ClientFile::Refusal why = ClientFile::Refusal::None;
        const std::string path = clientPath_.empty() ? ClientFile::defaultPath() : clientPath_;
        if (ClientFile::load(path, s.client, error, &why)) {
            s.sock = zmq_socket(s.ctx, ZMQ_DEALER);
            const int zero = 0, hwm = 64, ivl = 500;
            const std::int64_t maxMsg = proto::kMaxDaemonMessageBytes;
            zmq_setsockopt(s.sock, ZMQ_LINGER, &zero, sizeof zero);
            zmq_setsockopt(s.sock, ZMQ_SNDHWM, &hwm, sizeof hwm);
            zmq_setsockopt(s.sock, ZMQ_RCVHWM, &hwm, sizeof hwm);
            zmq_setsockopt(s.sock, ZMQ_RECONNECT_IVL, &ivl, sizeof ivl);
            // A peer announcing a bigger message is disconnected by libzmq before it is buffered.
            zmq_setsockopt(s.sock, ZMQ_MAXMSGSIZE, &maxMsg, sizeof maxMsg);
            if (s.client.curve) {
                char pub[41], sec[41];
                zmq_curve_keypair(pub, sec);
                zmq_setsockopt(s.sock, ZMQ_CURVE_SERVERKEY, s.client.serverPublicKey.c_str(), 40);
                zmq_setsockopt(s.sock, ZMQ_CURVE_PUBLICKEY, pub, 40);
                zmq_setsockopt(s.sock, ZMQ_CURVE_SECRETKEY, sec, 40);
            }
            // Disconnects (the daemon went away, or libzmq refused an oversized message) end the session
            // at once: a silent auto-reconnect would leave us "authenticated" on a connection the daemon
            // does not know.
            char monitorName[64];
            std::snprintf(monitorName, sizeof monitorName, "inproc://jb-link-monitor-%p-%u", static_cast<void*>(this),
                          ++monitorSerial_);
            if (zmq_socket_monitor(s.sock, monitorName, ZMQ_EVENT_DISCONNECTED) == 0) {
                s.monitor = zmq_socket(s.ctx, ZMQ_PAIR);
                zmq_setsockopt(s.monitor, ZMQ_LINGER, &zero, sizeof zero);
                if (zmq_connect(s.monitor, monitorName) != 0) { zmq_close(s.monitor); s.monitor = nullptr; }
            }
            logLine("connecting to %s as %s", s.client.endpoint.c_str(), s.client.clientId.c_str());
            if (zmq_connect(s.sock, s.client.endpoint.c_str()) != 0) {
                s.close();
            } else {
                s.started = s.lastHeard = s.lastPing = Clock::now();
                s.send(proto::Hello{"jukeboxbridge-vst3/0.1", {proto::kVersion}});
                if (!refused(status_.connection)) status_.connection = Connection::Connecting;
            }
        } else {
            if (why == ClientFile::Refusal::Unsafe || why == ClientFile::Refusal::Insecure) {
                const Connection c = why == ClientFile::Refusal::Unsafe ? Connection::ClientFileUnsafe
                                                                        : Connection::EndpointInsecure;
                if (status_.connection != c) logLine("client file refused: %s", error.c_str());
                status_.connection = c;
            } else {
                status_.connection = Connection::Offline;
            }
        }
    }
    step(s);
    if (s.sock != nullptr) {
        const auto now = Clock::now();
        const bool helloLate = !s.authed && now - s.started > kHelloTimeout;
        // While a submit waits for its answer, allow longer: dropping the session then would lose the job.
        const bool silent = now - s.lastHeard > (s.pendingRequest >= 0 ? kSilenceLimit * 6 : kSilenceLimit);
        if (helloLate || silent) {   // the daemon is absent or stopped answering: start over
            logLine("no answer from the daemon: reconnecting");
            s.close();
            if (!refused(status_.connection)) status_.connection = Connection::Offline;
        } else if (s.authed && now - s.lastPing > kPingEvery) {
            s.lastPing = now;
            s.send(proto::Ping{static_cast<std::int64_t>(now.time_since_epoch().count())});
        }
        if (s.authed && failures_ > 0 && now - s.authedAt > kHealthyAfter) failures_ = 0;
    }
    publish();
}

void DaemonLink::step(Session& s) {
    takeFromAudio();
    submitPrompt(s);
    restoreTake(s);
    restoreOverlay(s);
    submitUpsample(s);
    exportTakes();
    flushChunks();
    grantCredit(s);

    if (s.sock == nullptr) {
        sleepMs(5);
        return;
    }
    if (checkMonitor(s)) return;
    receiveMessages(s);
}

void DaemonLink::takeFromAudio() {
    // Messages from the audio thread.
    ToNet cmd;
    while (rings_.toNet.pop(cmd)) {
        if (cmd.kind == ToNet::Kind::RetireTake) {
            delete cmd.take;
        } else if (cmd.kind == ToNet::Kind::Upsample) {
            upsampleWanted_ = std::max(0, std::min<int>(cmd.variation, static_cast<int>(kMaxVariations) - 1));
        } else if (cmd.kind == ToNet::Kind::ExportTakes) {
            exportWanted_ = true;
            status_.exported = ExportState::Waiting;
        } else {
            intakePrompt(cmd);
        }
    }
}

void DaemonLink::intakePrompt(const ToNet& cmd) {
    // Copy the sealed prompt out, interleaved, then give the capture buffer back at once.
    const std::int64_t n = std::min<std::int64_t>(cmd.prompt.frames, capture_.frames());
    promptPcm_.resize(static_cast<std::size_t>(2 * n) * sizeof(float));
    auto* f = reinterpret_cast<float*>(promptPcm_.data());
    for (std::int64_t i = 0; i < n; ++i) {
        f[2 * i] = capture_.channel(0)[i];
        f[2 * i + 1] = capture_.channel(1)[i];
    }
    prompt_ = cmd.prompt;
    prompt_.frames = n;
    havePrompt_ = true;
    ToAudio release;
    release.kind = ToAudio::Kind::ReleasePrompt;
    release.captureSerial = cmd.prompt.captureSerial;
    while (!rings_.toAudio.push(release) && !stop_) sleepMs(1);
}

void DaemonLink::submitPrompt(Session& s) {
    if (havePrompt_ && s.authed && s.pendingRequest < 0) {
        submit(s, prompt_);
        havePrompt_ = false;
    }
}

void DaemonLink::restoreTake(Session& s) {
    if (!s.authed) return;
    // Copy the take to fetch again under the lock; build and install its job outside it (installJob may
    // wait for room in the ring, and the main thread's takes()/restore() must never wait behind that).
    // The last take plays; when it is an overlay (an upsample), its base take is fetched first and the
    // overlay once the base is in.
    std::optional<TakeRecord> restore, overlay;
    {
        std::lock_guard<std::mutex> lock(takesMutex_);
        if (restorePending_ && !takes_.empty()) {
            restorePending_ = false;
            restore = takes_.back();
            if (restore->overlayVariation >= 0) {
                overlay = restore;
                restore.reset();
                for (auto it = takes_.rbegin(); it != takes_.rend(); ++it)
                    if (it->job == overlay->parent && it->overlayVariation < 0) { restore = *it; break; }
                if (!restore) { restore = overlay; restore->overlayVariation = -1; restore->parent.clear(); overlay.reset(); }
            }
        }
    }
    if (restore) {
        auto job = std::make_unique<Job>();
        job->record = std::move(*restore);
        overlayToRestore_ = std::move(overlay);
        installJob(std::move(job));
        fetchActive(s);
    }
}

void DaemonLink::restoreOverlay(Session& s) {
    if (!s.authed || !overlayToRestore_ || !job_ || !job_->done) return;
    auto job = std::make_unique<Job>();
    job->record = std::move(*overlayToRestore_);
    overlayToRestore_.reset();
    installJob(std::move(job));
    fetchActive(s);
}

void DaemonLink::exportTakes() {
    if (!exportWanted_) return;
    if (!job_ || job_->rejected) {
        exportWanted_ = false;
        status_.exported = ExportState::Failed;
        logLine("export takes: no take to export");
        return;
    }
    const Job& j = *job_;
    if (!j.done) return;   // once every block is in
    exportWanted_ = false;
    const std::string dir = userTakesDir() + "/" + j.record.job;
    // Where the takes belong on the timeline: the loop end, at the rate the audio was resampled to.
    const double scale = j.record.hostRate > 0 ? hostRate_ / j.record.hostRate : 1.0;
    const auto at = static_cast<std::uint64_t>(std::max<std::int64_t>(0, std::llround(double(j.record.loopEnd) * scale)));
    std::string error;
    bool ok = makeDirs(dir);
    if (!ok) error = "cannot create " + dir;
    for (std::size_t v = 0; ok && v < j.audio.size(); ++v) {
        ExportedTake take{j.audio[v], std::max(1, j.channels)};
        char name[32], desc[256];
        std::snprintf(name, sizeof name, "/take-%zu.wav", v + 1);
        std::snprintf(desc, sizeof desc, "JukeboxBridge job %s take %zu of %zu; style %s%s%s", j.record.job.c_str(), v + 1,
                      j.audio.size(), j.style.empty() ? "(unknown)" : j.style.c_str(), j.record.parent.empty() ? "" : "; upsample of ",
                      j.record.parent.c_str());
        ok = writeBwfWav24(dir + name, static_cast<int>(std::lround(hostRate_)), take, at, desc, &error);
    }
    if (ok && j.audio.empty()) { ok = false; error = "the take holds no audio"; }
    status_.exported = ok ? ExportState::Done : ExportState::Failed;
    if (ok) ExportedPath::instance().set(dir);
    logLine(ok ? "export takes: %zu take(s) at sample %llu into %s" : "export takes failed (%zu take(s), sample %llu): %s",
            j.audio.size(), (unsigned long long)at, ok ? dir.c_str() : error.c_str());
}

void DaemonLink::submitUpsample(Session& s) {
    if (!upsampleWanted_ || !s.authed || s.pendingRequest >= 0 || havePrompt_) return;
    if (!base_ || !job_) { upsampleWanted_.reset(); return; }   // no take to upsample
    const bool onBase = job_->record.job == base_->job;
    if (onBase && job_->rejected) { upsampleWanted_.reset(); return; }
    if (onBase && !job_->done) return;   // the daemon upsamples finished jobs only: wait for the take
    if (overlayToRestore_) return;       // a restore is still bringing the base take in
    if (!onBase && !job_->done) {        // another variation's upsample gives way
        s.send(proto::Cancel{job_->record.job});
        logLine("cancel: job %s", job_->record.job.c_str());
    }
    proto::Submit sub;
    sub.request = nextRequest_++;
    sub.mode = "upsample";
    sub.job = base_->job;
    sub.settings.variation = *upsampleWanted_;
    s.pendingRequest = sub.request;
    pendingUpsample_ = *upsampleWanted_;
    upsampleWanted_.reset();
    logLine("submit: upsample of variation %d of job %s", *pendingUpsample_ + 1, base_->job.c_str());
    status_.job = JobState::Submitted;
    status_.exported = ExportState::None;   // a new take: an export asked for the old one is moot
    exportWanted_ = false;
    status_.progress = 0;
    if (!s.send(sub)) {
        s.pendingRequest = -1;
        pendingUpsample_.reset();
        status_.job = JobState::Failed;
    }
}

void DaemonLink::acceptUpsample(Session& s, const proto::Accepted& a, int variation) {
    std::string bad;
    if (!base_) bad = "accepted an upsample with no take to lay it over";
    else if (a.variations < 1 || a.variations > kMaxVariations)
        bad = "accepted.variations " + std::to_string(a.variations) + " outside 1-8";
    else if (a.rate != base_->modelRate)
        bad = "accepted.rate " + std::to_string(a.rate) + " is not the take's " + std::to_string(base_->modelRate);
    else if (a.promptSamples != base_->promptSamples)
        bad = "accepted.prompt_samples " + std::to_string(a.promptSamples) + " is not the take's " + std::to_string(base_->promptSamples);
    else if (!proto::isSafeJobId(a.job))
        bad = "accepted.job is not 1-128 letters, digits, '.', '_' or '-'";
    if (!bad.empty()) {
        note(Problem::BadAccepted, bad);
        status_.job = JobState::Failed;
        if (!a.job.empty() && a.job.size() <= kMaxJobIdBytes) s.send(proto::Cancel{a.job});
        return;
    }
    logLine("accepted: upsample job %s of variation %d of %s", a.job.c_str(), variation + 1, base_->job.c_str());
    auto job = std::make_unique<Job>();
    job->record = *base_;
    job->record.job = a.job;
    job->record.variations = static_cast<std::int32_t>(a.variations);
    job->record.preview = false;
    job->record.overlayVariation = variation;
    job->record.parent = base_->job;
    if (job_ && job_->record.job == base_->job) job->style = job_->style;   // the upsample keeps its source's style
    {
        std::lock_guard<std::mutex> lock(takesMutex_);
        takes_.push_back(job->record);
    }
    installJob(std::move(job));
    status_.job = JobState::Generating;
    status_.progress = 0;
    status_.problem = Problem::None;
    if (s.send(proto::Credit{a.job, kCreditWindow})) job_->granted += kCreditWindow;
}

bool DaemonLink::checkMonitor(Session& s) {
    if (s.monitor == nullptr) return false;
    zmq_msg_t ev;
    zmq_msg_init(&ev);
    bool disconnected = false;
    while (zmq_msg_recv(&ev, s.monitor, ZMQ_DONTWAIT) >= 0) {
        if (zmq_msg_size(&ev) == 6) {   // the event frame (the address frame follows)
            std::uint16_t id;
            std::memcpy(&id, zmq_msg_data(&ev), 2);
            if (id == ZMQ_EVENT_DISCONNECTED) disconnected = true;
        }
        zmq_msg_close(&ev);
        zmq_msg_init(&ev);
    }
    zmq_msg_close(&ev);
    if (disconnected && s.welcomed) {
        drop(s, Problem::None, "the connection dropped (the daemon closed it, or sent a message over the " +
                                   std::to_string(proto::kMaxDaemonMessageBytes >> 20) + " MiB limit)");
        return true;
    }
    return false;
}

void DaemonLink::receiveMessages(Session& s) {
    zmq_pollitem_t item{s.sock, 0, ZMQ_POLLIN, 0};
    const int timeoutMs = backlog_.empty() ? 5 : 1;
    if (zmq_poll(&item, 1, timeoutMs) <= 0) return;
    for (int k = 0; k < 64 && !stop_; ++k) {
        std::vector<std::uint8_t> header, pcm;
        if (!readMessage(s, header, pcm)) break;
        s.lastHeard = Clock::now();
        try {
            handle(s, header, pcm);
        } catch (const std::exception& e) {
            drop(s, Problem::Internal, std::string("while handling a message: ") + e.what());
        } catch (...) {
            drop(s, Problem::Internal, "while handling a message: unknown exception");
        }
        if (s.sock == nullptr) break;
    }
}

bool DaemonLink::readMessage(Session& s, std::vector<std::uint8_t>& header, std::vector<std::uint8_t>& pcm) {
    // The header is the first frame, the PCM the second; any further frames are read and dropped.
    zmq_msg_t msg;
    zmq_msg_init(&msg);
    if (zmq_msg_recv(&msg, s.sock, ZMQ_DONTWAIT) < 0) { zmq_msg_close(&msg); return false; }
    const auto* d = static_cast<const std::uint8_t*>(zmq_msg_data(&msg));
    header.assign(d, d + zmq_msg_size(&msg));
    bool more = zmq_msg_more(&msg);
    zmq_msg_close(&msg);
    int parts = 1;
    while (more) {
        zmq_msg_init(&msg);
        if (zmq_msg_recv(&msg, s.sock, 0) < 0) { zmq_msg_close(&msg); break; }
        if (parts++ == 1) {
            d = static_cast<const std::uint8_t*>(zmq_msg_data(&msg));
            pcm.assign(d, d + zmq_msg_size(&msg));
        }
        more = zmq_msg_more(&msg);
        zmq_msg_close(&msg);
    }
    return true;
}

void DaemonLink::handle(Session& s, const std::vector<std::uint8_t>& header, const std::vector<std::uint8_t>& pcm) {
    proto::Message m;
    try {
        m = proto::decode(header);
    } catch (const proto::BadMessage& e) {
        const std::string what = e.what();
        if (what.rfind("unknown message type", 0) == 0) {   // a newer daemon's message: not for us
            logLine("ignored: %s", shorten(what).c_str());
            return;
        }
        drop(s, Problem::BadMessage, "a message that does not decode: " + shorten(what));
        return;
    }
    // Before auth_ok nothing but the handshake and errors is meaningful; pong included (lastHeard was updated).
    const bool handshake = std::holds_alternative<proto::Welcome>(m) || std::holds_alternative<proto::AuthOk>(m) ||
                           std::holds_alternative<proto::Error>(m);
    if (!s.authed && !handshake) return;
    std::visit(Overloaded{
                   [&](const proto::Welcome& w) { onWelcome(s, w); },
                   [&](const proto::AuthOk& ok) { onAuthOk(s, ok); },
                   [&](const proto::Error& e) { onError(s, e); },
                   [&](const proto::Accepted& a) { onAccepted(s, a); },
                   [&](const proto::Progress& p) { onProgress(p); },
                   [&](const proto::Block& b) { onBlock(s, BlockView{&b, &pcm}); },
                   [&](const proto::TakeDone& d) { onTakeDone(s, d); },
                   [](const auto&) {},   // pong, jobs and anything else: lastHeard was updated, nothing more to do
               },
               m);
}

void DaemonLink::onWelcome(Session& s, const proto::Welcome& w) {
    if (s.welcomed) {
        drop(s, Problem::Handshake, "a second welcome on one connection");
        return;
    }
    s.welcomed = true;
    s.daemonNonce = w.nonce;
    s.clientNonce.assign(proto::kNonceBytes, 0);
    if (!secureRandom(s.clientNonce.data(), s.clientNonce.size())) {
        drop(s, Problem::Internal, "no random bytes for the authentication nonce");
        return;
    }
    s.send(proto::Auth{s.client.clientId, proto::authMac(s.client.secret, w.nonce, s.client.clientId), s.clientNonce});
    s.authPending = true;
}

void DaemonLink::onAuthOk(Session& s, const proto::AuthOk& ok) {
    if (!s.authPending || s.authed) {
        drop(s, Problem::Handshake, "auth_ok without a pending auth");
        return;
    }
    s.authPending = false;
    const mp::Bytes expected = proto::serverMac(s.client.secret, s.clientNonce, s.daemonNonce, s.client.clientId);
    if (!proto::sameBytes(expected, ok.mac)) {
        // Whoever answers there does not hold this client's secret: give it nothing.
        logLine("the daemon could not prove it knows this client (wrong MAC in auth_ok): dropping the connection");
        status_.connection = Connection::DaemonUnproven;
        s.close();
        backOff();
        return;
    }
    s.authed = true;
    s.authedAt = Clock::now();
    s.artists = ok.styles.artists;
    s.genres = ok.styles.genres;
    s.presets.clear();
    for (const auto& p : ok.styles.presets) s.presets.push_back(Style{p.name, p.artist, p.lyrics, {p.genre}});
    std::vector<std::string> names;
    for (const auto& p : s.presets) names.push_back(p.name);
    ServedStyles::instance().publish(std::move(names));
    if (!s.presets.empty()) logLine("the daemon offers %zu style(s) of its own", s.presets.size());
    status_.connection = Connection::Connected;
    logLine("authenticated (the daemon proved it knows this client)");
    if (job_ && !job_->done && !job_->rejected) fetchActive(s);
}

void DaemonLink::onError(Session& s, const proto::Error& e) {
    logLine("error %s: %s", shorten(e.code).c_str(), shorten(e.message).c_str());
    if (e.code == "auth_failed") {
        status_.connection = Connection::AuthFailed;
        s.close();
    } else if (e.code == "auth_required" && s.authed) {
        // The daemon no longer knows this connection (it restarted, or ended an idle session).
        drop(s, Problem::None, "the daemon asks for authentication again");
    } else if (e.request && *e.request == s.pendingRequest) {
        s.pendingRequest = -1;
        pendingUpsample_.reset();
        status_.job = JobState::Failed;
    } else if (job_ && e.job && *e.job == job_->record.job) {
        status_.job = JobState::Failed;
    }
}

void DaemonLink::onAccepted(Session& s, const proto::Accepted& a) {
    if (a.request != s.pendingRequest) return;
    s.pendingRequest = -1;
    if (pendingUpsample_) {
        const int v = *pendingUpsample_;
        pendingUpsample_.reset();
        acceptUpsample(s, a, v);
        return;
    }
    const double promptSeconds = prompt_.sampleRate > 0 ? double(prompt_.frames) / prompt_.sampleRate : 0;
    std::string bad;
    if (a.variations < 1 || a.variations > kMaxVariations)
        bad = "accepted.variations " + std::to_string(a.variations) + " outside 1-8";
    else if (a.rate < kMinRate || a.rate > kMaxRate)
        bad = "accepted.rate " + std::to_string(a.rate) + " outside 8000-384000";
    else if (a.promptSamples < 0 || double(a.promptSamples) > (promptSeconds + 1.0) * double(a.rate))
        bad = "accepted.prompt_samples " + std::to_string(a.promptSamples) + " does not fit the prompt sent";
    else if (!proto::isSafeJobId(a.job))
        bad = "accepted.job is not 1-128 letters, digits, '.', '_' or '-'";
    else if (prompt_.seconds <= 0 || prompt_.seconds > kMaxTakeSeconds || hostRate_ * prompt_.seconds > 1e12)
        bad = "take length out of range";
    if (!bad.empty()) {
        note(Problem::BadAccepted, bad);
        status_.job = JobState::Failed;
        if (!a.job.empty() && a.job.size() <= kMaxJobIdBytes) s.send(proto::Cancel{a.job});
        return;
    }
    logLine("accepted: job %s, prompt %lld samples at %lld Hz, %lld variation(s)", a.job.c_str(),
            (long long)a.promptSamples, (long long)a.rate, (long long)a.variations);
    auto job = std::make_unique<Job>();
    job->record.job = a.job;
    job->record.loopStart = prompt_.loopStart;
    job->record.loopEnd = prompt_.loopEnd;
    job->record.hostRate = hostRate_;
    job->record.variations = static_cast<std::int32_t>(a.variations);
    job->record.frames = static_cast<std::int64_t>(prompt_.seconds * hostRate_ + 0.5);
    job->record.promptSamples = a.promptSamples;
    job->record.modelRate = a.rate;
    job->record.preview = prompt_.preview;
    job->style = styleAt(styles_, s.presets, prompt_.style).name;   // the style sent
    {
        std::lock_guard<std::mutex> lock(takesMutex_);
        takes_.push_back(job->record);
    }
    installJob(std::move(job));   // outside the lock: it may wait for room in the ring
    status_.job = JobState::Generating;
    status_.progress = 0;
    status_.problem = Problem::None;   // a new take: earlier refusals are history
    if (s.send(proto::Credit{a.job, kCreditWindow})) job_->granted += kCreditWindow;
}

void DaemonLink::onProgress(const proto::Progress& p) {
    if (job_ && p.job == job_->record.job && p.tokensTotal > 0 && p.tokensDone >= 0 && !job_->rejected) {
        const std::int64_t pct = p.tokensDone >= p.tokensTotal ? 100
                                 : static_cast<std::int64_t>(100.0 * double(p.tokensDone) / double(p.tokensTotal));
        status_.progress = static_cast<std::uint8_t>(std::max<std::int64_t>(0, std::min<std::int64_t>(100, pct)));
        if (status_.job != JobState::Done) status_.job = JobState::Generating;
    }
}

void DaemonLink::onTakeDone(Session& s, const proto::TakeDone& d) {
    if (job_ && d.job == job_->record.job && !job_->rejected && !job_->done) {
        if (d.blocks < 0 || d.blocks > job_->expectedSource + kOffsetMarginSeconds * kMaxRate) {
            rejectJob(s, "take_done announces " + std::to_string(d.blocks) + " blocks");
            return;
        }
        logLine("take_done: job %s, %lld blocks", d.job.c_str(), (long long)d.blocks);
        job_->blocksPerVariation = d.blocks;
        job_->doneSeen = true;
        maybeFinish();
    }
}

void DaemonLink::submit(Session& s, const PromptRequest& p) {
    // A new take replaces the one being generated: let the daemon stop that job (it stays resumable).
    if (job_ && !job_->done) {
        s.send(proto::Cancel{job_->record.job});
        logLine("cancel: job %s", job_->record.job.c_str());
    }
    proto::Submit sub;
    sub.request = nextRequest_++;
    sub.mode = "continue";
    sub.settings.seconds = p.seconds;
    sub.settings.variations = p.variations;
    sub.settings.temperature = p.temperature;
    if (p.preview) sub.settings.quality = "preview";
    // The take WAVs the daemon writes are stamped (BWF) with where they belong: the prompt starts at the loop start.
    if (p.sampleRate > 0) sub.settings.timelineSeconds = double(p.loopStart) / p.sampleRate;
    const Style& style = styleAt(styles_, s.presets, p.style);
    if (!style.artist.empty())
        if (const std::string* a = findCaseless(s.artists, style.artist)) sub.settings.artist = *a;
    for (const auto& g : style.genres)
        if (const std::string* hit = findCaseless(s.genres, g)) { sub.settings.genre = *hit; break; }
    if (!style.lyrics.empty() && sub.settings.artist) sub.settings.lyrics = style.lyrics;
    sub.prompt = proto::PromptFormat{static_cast<std::int64_t>(p.sampleRate + 0.5), 2, p.frames};
    s.pendingRequest = sub.request;
    pendingUpsample_.reset();
    upsampleWanted_.reset();           // a new take: an upsample asked for the old one is moot
    overlayToRestore_.reset();
    logLine("submit: %lld frames at %.0f Hz (loop %lld..%lld), %.3f s, %d variation(s)%s", (long long)p.frames,
            p.sampleRate, (long long)p.loopStart, (long long)p.loopEnd, p.seconds, p.variations, p.preview ? ", preview" : "");
    status_.job = JobState::Submitted;
    status_.exported = ExportState::None;   // a new take: an export asked for the old one is moot
    exportWanted_ = false;
    status_.progress = 0;
    if (!s.send(sub, promptPcm_.data(), promptPcm_.size())) {
        s.pendingRequest = -1;
        status_.job = JobState::Failed;
    }
}

void DaemonLink::installJob(std::unique_ptr<Job> job) {
    job->serial = nextSerial_++;
    // A saved state is outside input too: keep its numbers in range.
    job->record.variations = static_cast<std::int32_t>(std::max<std::int64_t>(1, std::min<std::int64_t>(kMaxVariations, job->record.variations)));
    const int nv = job->record.variations;
    job->resamplers.resize(static_cast<std::size_t>(nv));
    job->nextSeq.assign(static_cast<std::size_t>(nv), 0);
    job->nextSource.assign(static_cast<std::size_t>(nv), 0);
    // The take buffer starts at the loop end, at the host rate (a saved take recorded at another rate is
    // placed by time).
    const double scale = job->record.hostRate > 0 ? hostRate_ / job->record.hostRate : 1.0;
    const double maxFrames = kMaxTakeSeconds * hostRate_;
    const auto clampFrames = [&](double v) { return static_cast<std::int64_t>(std::max(0.0, std::min(v, 1e15))); };
    const std::int64_t start = clampFrames(job->record.loopEnd * scale + 0.5);
    const std::int64_t frames = static_cast<std::int64_t>(std::max(0.0, std::min(job->record.frames * scale + 0.5, maxFrames)));
    job->record.loopStart = clampFrames(job->record.loopStart * scale + 0.5);
    job->record.loopEnd = start;
    job->record.frames = frames;
    job->record.hostRate = hostRate_;
    const std::int64_t modelRate = job->record.modelRate >= kMinRate && job->record.modelRate <= kMaxRate ? job->record.modelRate : 44100;
    job->expectedSource = static_cast<std::int64_t>(double(frames) * double(modelRate) / hostRate_ + 0.5);
    ToAudio install;
    install.kind = ToAudio::Kind::InstallTake;
    install.take = new TakeBuffer(job->serial, nv, frames, start);
    install.overlayVariation = job->record.overlayVariation;
    if (job->record.overlayVariation < 0) {
        backlog_.clear();   // chunks of an older take are of no use any more
        pendingLengths_.clear();
        base_ = job->record;
    }   // an overlay: the base take's last chunks and length still go out (an older overlay's are dropped by serial)
    if (job_) {
        pastJobs_.push_back(job_->record.job);
        if (pastJobs_.size() > 16) pastJobs_.pop_front();
    }
    job_ = std::move(job);
    while (!rings_.toAudio.push(install) && !stop_) sleepMs(1);
    if (stop_) delete install.take;   // never reached the audio thread
}

void DaemonLink::fetchActive(Session& s) {
    if (!job_) return;
    std::int64_t from = job_->nextSeq.empty() ? 0 : *std::min_element(job_->nextSeq.begin(), job_->nextSeq.end());
    s.send(proto::Fetch{job_->record.job, from});
    job_->lastFetch = Clock::now();
    job_->refetchFrom = -1;
    if (s.send(proto::Credit{job_->record.job, kCreditWindow})) job_->granted += kCreditWindow;
    if (status_.job == JobState::None) status_.job = JobState::Generating;
}

void DaemonLink::rejectJob(Session& s, const std::string& why) {
    note(Problem::BadBlock, "job " + shorten(job_->record.job) + ": " + why + ": the rest of this take is refused");
    job_->rejected = true;
    status_.job = JobState::Failed;
    s.send(proto::Cancel{job_->record.job});
}

void DaemonLink::onBlock(Session& s, const BlockView& v) {
    const proto::Block& b = *v.block;
    if (!job_ || b.job != job_->record.job) {
        if (std::find(pastJobs_.begin(), pastJobs_.end(), b.job) == pastJobs_.end())
            note(Problem::UnknownJob, "a block for job '" + shorten(b.job) + "', which this plugin did not ask for");
        return;   // and no credit for it
    }
    Job& j = *job_;
    if (j.rejected || j.done) return;
    ++j.received;
    const auto var = static_cast<std::size_t>(b.variation);
    const std::int64_t rate = b.rate;
    const std::int64_t margin = kOffsetMarginSeconds * rate;
    const std::int64_t at = b.offset - j.record.promptSamples;   // source frames after the prompt
    // Every field against the job, before anything is allocated for the block.
    if (v.pcm->size() != proto::pcmBytes(proto::Message(b)))
        return rejectJob(s, "PCM frame of " + std::to_string(v.pcm->size()) + " bytes, the header announces " +
                                std::to_string(b.frames) + " x " + std::to_string(b.channels) + " x 4");
    if (b.variation >= j.record.variations)
        return rejectJob(s, "variation " + std::to_string(b.variation) + " of a take with " +
                                std::to_string(j.record.variations));
    if (j.record.modelRate > 0 && rate != j.record.modelRate)
        return rejectJob(s, "rate " + std::to_string(rate) + " Hz, the job was accepted at " + std::to_string(j.record.modelRate));
    if (j.channels == 0) j.channels = static_cast<int>(b.channels);
    if (b.channels != j.channels)
        return rejectJob(s, std::to_string(b.channels) + " channel(s), the job's first block had " + std::to_string(j.channels));
    if (b.frames > kMaxBlockSeconds * rate)
        return rejectJob(s, std::to_string(b.frames) + " frames in one block (at most " + std::to_string(kMaxBlockSeconds) + " s)");
    if (at > j.expectedSource + margin || at + b.frames > j.expectedSource + margin)
        return rejectJob(s, "offset " + std::to_string(b.offset) + " beyond the take's expected end (" +
                                std::to_string(j.record.promptSamples + j.expectedSource) + " + " +
                                std::to_string(kOffsetMarginSeconds) + " s)");
    if (b.seq > j.expectedSource + margin)
        return rejectJob(s, "seq " + std::to_string(b.seq) + " beyond any block of this take");
    if (b.seq < j.nextSeq[var]) {   // a duplicate after a fetch: its credit back, nothing else
        ++j.creditOwed;
        return;
    }
    if (j.received > j.granted && backlog_.size() >= kMaxBacklogChunks) {
        // More than the credit while the audio thread has not taken what is here: refuse, fetch later.
        note(Problem::Credit, "blocks beyond the credit (" + std::to_string(j.received) + " received, " +
                                  std::to_string(j.granted) + " granted) while " + std::to_string(backlog_.size()) +
                                  " chunks wait");
        ++j.creditDeferred;
        j.missed = true;
        const std::int64_t from = *std::min_element(j.nextSeq.begin(), j.nextSeq.end());
        j.refetchFrom = j.refetchFrom < 0 ? from : std::min(j.refetchFrom, from);
        return;
    }
    if (b.seq > j.nextSeq[var]) {   // blocks went missing: take them again, in order
        ++j.creditOwed;
        j.missed = true;
        const std::int64_t from = *std::min_element(j.nextSeq.begin(), j.nextSeq.end());
        if (j.refetchFrom < 0) logLine("block %lld of variation %zu arrived before %lld: fetching again",
                                       (long long)b.seq, var, (long long)j.nextSeq[var]);
        j.refetchFrom = j.refetchFrom < 0 ? from : std::min(j.refetchFrom, from);
        return;
    }
    j.nextSeq[var] = b.seq + 1;
    if (!j.resamplers[var])
        j.resamplers[var] = std::make_unique<StreamResampler>(static_cast<int>(rate), static_cast<int>(hostRate_),
                                                              static_cast<int>(b.channels));
    StreamResampler& r = *j.resamplers[var];
    const auto* samples = reinterpret_cast<const float*>(v.pcm->data());
    std::int64_t frames = b.frames, skip = 0;
    if (at > r.inputFrames()) r.pushSilence(at - r.inputFrames());   // a gap: silence (bounded by the checks above)
    if (at < r.inputFrames()) skip = std::min(frames, r.inputFrames() - at);   // overlap: already have it
    // Unaligned float data inside the zmq frame was copied into pcm (a vector), so it is aligned.
    r.push(samples + skip * b.channels, frames - skip);
    std::vector<float> out;
    const std::int64_t first = r.outputFrames();
    const std::int64_t n = r.pull(out);
    j.keep(var, first, out, n, r.channels());
    if (queueChunks(backlog_, j.serial, var, first, out, n, r.channels()) > 0) backlog_.back().creditAfter = true;
    else ++j.creditOwed;   // nothing held for it here (the resampler's latency): its credit now
    if (j.doneSeen) maybeFinish();
}

void DaemonLink::maybeFinish() {
    Job& j = *job_;
    if (!j.doneSeen || j.done) return;
    // Blocks were refused or skipped here: wait until a fetch has brought every one of them.
    const bool complete = std::all_of(j.nextSeq.begin(), j.nextSeq.end(),
                                      [&](std::int64_t n) { return n >= j.blocksPerVariation; });
    if (j.missed && !complete) {
        if (j.refetchFrom < 0) j.refetchFrom = *std::min_element(j.nextSeq.begin(), j.nextSeq.end());
        return;
    }
    j.done = true;
    // Flush every variation's resampler tail.
    for (std::size_t v = 0; v < j.resamplers.size(); ++v) {
        if (!j.resamplers[v]) continue;
        j.resamplers[v]->finish();
        std::vector<float> out;
        const std::int64_t at = j.resamplers[v]->outputFrames();
        const std::int64_t n = j.resamplers[v]->pull(out);
        j.keep(v, at, out, n, j.resamplers[v]->channels());
        queueChunks(backlog_, j.serial, v, at, out, n, j.resamplers[v]->channels());
    }
    // The daemon rounds the length to whole codes: tell the audio thread where the take really ends
    // (after the chunks, through the same ordering: chunks first, then this message once they are out).
    std::int64_t length = 0;
    for (const auto& r : j.resamplers)
        if (r) length = std::max(length, r->outputFrames());
    pendingLengths_.emplace_back(j.serial, length);
    status_.job = JobState::Done;
    status_.progress = 100;
}

void DaemonLink::flushChunks() {
    while (!backlog_.empty() && rings_.pcm.push(backlog_.front().chunk)) {
        if (backlog_.front().creditAfter && job_ && backlog_.front().chunk.takeSerial == job_->serial) ++job_->creditOwed;
        backlog_.pop_front();
    }
    while (backlog_.empty() && !pendingLengths_.empty()) {
        ToAudio m;
        m.kind = ToAudio::Kind::TakeLength;
        m.captureSerial = pendingLengths_.front().first;
        m.frames = pendingLengths_.front().second;
        if (!rings_.toAudio.push(m)) break;
        pendingLengths_.pop_front();
    }
}

void DaemonLink::grantCredit(Session& s) {
    if (!job_ || job_->rejected || !s.authed || s.sock == nullptr) return;
    Job& j = *job_;
    if (backlog_.size() < kMaxBacklogChunks / 2 && j.creditDeferred > 0) {
        j.creditOwed += j.creditDeferred;
        j.creditDeferred = 0;
    }
    if (j.creditOwed > 0 && !j.done) {
        if (s.send(proto::Credit{j.record.job, j.creditOwed})) j.granted += j.creditOwed;
        j.creditOwed = 0;
    }
    if (j.refetchFrom >= 0 && !j.done && backlog_.size() < kMaxBacklogChunks / 2 && Clock::now() - j.lastFetch > kRefetchEvery) {
        s.send(proto::Fetch{j.record.job, j.refetchFrom});
        j.lastFetch = Clock::now();
        j.refetchFrom = -1;
    }
}

void DaemonLink::publish() {
    if (publishedOnce_ && status_ == published_) return;
    ToAudio m;
    m.kind = ToAudio::Kind::Status;
    m.status = status_;
    if (rings_.toAudio.push(m)) {
        published_ = status_;
        publishedOnce_ = true;
    }
}

}  // namespace jb
