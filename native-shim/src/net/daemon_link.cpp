#include "net/daemon_link.h"

#include <zmq.h>

#include <algorithm>
#include <chrono>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <variant>

#include "common/platform.h"
#include "dsp/stream_resampler.h"
#include "net/client_file.h"
#include "plugin/styles.h"
#include "protocol/messages.h"
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

// Cuts resampled frames (interleaved, ch channels) into stereo chunks for the audio thread.
void queueChunks(std::deque<PcmChunk>& backlog, std::uint32_t serial, std::size_t var, std::int64_t first,
                 const std::vector<float>& out, std::int64_t n, int ch) {
    for (std::int64_t i = 0; i < n; i += PcmChunk::kFrames) {
        PcmChunk c;
        c.takeSerial = serial;
        c.variation = static_cast<std::int32_t>(var);
        c.frames = static_cast<std::int32_t>(std::min<std::int64_t>(PcmChunk::kFrames, n - i));
        c.offset = first + i;
        for (int f = 0; f < c.frames; ++f) {
            const float* src = out.data() + (i + f) * ch;
            c.samples[2 * f] = src[0];
            c.samples[2 * f + 1] = ch > 1 ? src[1] : src[0];
        }
        backlog.push_back(c);
    }
}

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
    std::int64_t blocksPerVariation = -1;
};

// One connection attempt's socket and handshake state.
struct DaemonLink::Session {
    void* ctx = nullptr;
    void* sock = nullptr;
    ClientFile client;
    bool authed = false;
    Clock::time_point started, lastHeard, lastPing;
    std::int64_t pendingRequest = -1;
    std::vector<std::string> artists, genres;

    bool send(const proto::Message& m, const std::uint8_t* pcm = nullptr, std::size_t pcmBytes = 0) {
        const auto h = proto::encode(m);
        if (zmq_send(sock, h.data(), h.size(), pcm ? ZMQ_SNDMORE | ZMQ_DONTWAIT : ZMQ_DONTWAIT) < 0) return false;
        if (pcm != nullptr && zmq_send(sock, pcm, pcmBytes, ZMQ_DONTWAIT) < 0) return false;
        return true;
    }
    void close() {
        if (sock) { zmq_close(sock); sock = nullptr; }
        authed = false;
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
    thread_ = std::thread([this] { run(); });
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
    auto nextAttempt = Clock::now();
    auto nextDiag = Clock::now();
    const bool logging = std::getenv("JUKEBOXBRIDGE_LOG") != nullptr;
    while (!stop_) {
        if (logging && Clock::now() >= nextDiag) {
            nextDiag = Clock::now() + std::chrono::seconds(1);
            const AudioDiag& d = rings_.diag;
            logLine("audio: %llu blocks, mode %d, n %d, %s%s pos %lld loop %lld..%lld, pass %.2f%s%s, auto %.2f, take %s",
                    (unsigned long long)d.blocks.load(), d.mode.load(), d.numSamples.load(),
                    d.playing.load() ? "playing" : "stopped", d.loopActive.load() ? " looping" : "",
                    (long long)d.pos.load(), (long long)d.loopStart.load(), (long long)d.loopEnd.load(), d.pass.load(),
                    d.complete.load() ? " complete" : "", d.sealed.load() ? " sealed" : "", d.autoParam.load(),
                    d.haveTake.load() ? "yes" : "no");
        }
        if (s.sock == nullptr && Clock::now() >= nextAttempt) {
            nextAttempt = Clock::now() + kRetryAfter;
            std::string error;
            if (ClientFile::load(clientPath_.empty() ? ClientFile::defaultPath() : clientPath_, s.client, error)) {
                s.sock = zmq_socket(s.ctx, ZMQ_DEALER);
                const int zero = 0, hwm = 64, ivl = 500;
                zmq_setsockopt(s.sock, ZMQ_LINGER, &zero, sizeof zero);
                zmq_setsockopt(s.sock, ZMQ_SNDHWM, &hwm, sizeof hwm);
                zmq_setsockopt(s.sock, ZMQ_RCVHWM, &hwm, sizeof hwm);
                zmq_setsockopt(s.sock, ZMQ_RECONNECT_IVL, &ivl, sizeof ivl);
                if (s.client.curve) {
                    char pub[41], sec[41];
                    zmq_curve_keypair(pub, sec);
                    zmq_setsockopt(s.sock, ZMQ_CURVE_SERVERKEY, s.client.serverPublicKey.c_str(), 40);
                    zmq_setsockopt(s.sock, ZMQ_CURVE_PUBLICKEY, pub, 40);
                    zmq_setsockopt(s.sock, ZMQ_CURVE_SECRETKEY, sec, 40);
                }
                logLine("connecting to %s as %s", s.client.endpoint.c_str(), s.client.clientId.c_str());
                if (zmq_connect(s.sock, s.client.endpoint.c_str()) != 0) {
                    s.close();
                } else {
                    s.started = s.lastHeard = s.lastPing = Clock::now();
                    s.send(proto::Hello{"jukeboxbridge-vst3/0.1", {proto::kVersion}});
                    status_.connection = Connection::Connecting;
                }
            } else {
                status_.connection = Connection::Offline;
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
                if (status_.connection != Connection::AuthFailed) status_.connection = Connection::Offline;
            } else if (s.authed && now - s.lastPing > kPingEvery) {
                s.lastPing = now;
                s.send(proto::Ping{static_cast<std::int64_t>(now.time_since_epoch().count())});
            }
        }
        publish();
    }
    if (s.sock != nullptr && s.authed) s.send(proto::Bye{});
    s.close();
    zmq_ctx_term(s.ctx);
    // Give back what the audio thread no longer holds; the audio side drops its own take at deactivation.
    for (TakeBuffer* t : retired_) delete t;
    retired_.clear();
    backlog_.clear();
    job_.reset();
}

void DaemonLink::step(Session& s) {
    // Messages from the audio thread.
    ToNet cmd;
    while (rings_.toNet.pop(cmd)) {
        if (cmd.kind == ToNet::Kind::RetireTake) {
            delete cmd.take;
        } else {
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
    }
    if (havePrompt_ && s.authed && s.pendingRequest < 0) {
        submit(s, prompt_);
        havePrompt_ = false;
    }
    if (s.authed) {
        bool restore = false;
        {
            std::lock_guard<std::mutex> lock(takesMutex_);
            if (restorePending_ && !takes_.empty()) {
                restorePending_ = false;
                restore = true;
                auto job = std::make_unique<Job>();
                job->record = takes_.back();
                installJob(std::move(job));
            }
        }
        if (restore) fetchActive(s);
    }
    flushChunks();

    if (s.sock == nullptr) {
        sleepMs(5);
        return;
    }
    zmq_pollitem_t item{s.sock, 0, ZMQ_POLLIN, 0};
    const int timeoutMs = backlog_.empty() ? 5 : 1;
    if (zmq_poll(&item, 1, timeoutMs) <= 0) return;
    for (int k = 0; k < 64 && !stop_; ++k) {
        std::vector<std::uint8_t> header, pcm;
        zmq_msg_t msg;
        zmq_msg_init(&msg);
        if (zmq_msg_recv(&msg, s.sock, ZMQ_DONTWAIT) < 0) { zmq_msg_close(&msg); break; }
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
        s.lastHeard = Clock::now();
        handle(s, header, pcm);
        if (s.sock == nullptr) break;
    }
}

void DaemonLink::handle(Session& s, const std::vector<std::uint8_t>& header, const std::vector<std::uint8_t>& pcm) {
    proto::Message m;
    try {
        m = proto::decode(header);
    } catch (const proto::BadMessage&) {
        return;   // not ours to answer; the daemon never sends these
    }
    if (const auto* w = std::get_if<proto::Welcome>(&m)) {
        s.artists = w->styles.artists;
        s.genres = w->styles.genres;
        s.send(proto::Auth{s.client.clientId, proto::authMac(s.client.secret, w->nonce, s.client.clientId)});
    } else if (std::holds_alternative<proto::AuthOk>(m)) {
        s.authed = true;
        status_.connection = Connection::Connected;
        logLine("authenticated");
        if (job_ && !job_->done) fetchActive(s);
    } else if (const auto* e = std::get_if<proto::Error>(&m)) {
        logLine("error %s: %s", e->code.c_str(), e->message.c_str());
        if (e->code == "auth_failed") {
            status_.connection = Connection::AuthFailed;
            s.close();
        } else if (e->request && *e->request == s.pendingRequest) {
            s.pendingRequest = -1;
            status_.job = JobState::Failed;
        } else if (job_ && e->job && *e->job == job_->record.job) {
            status_.job = JobState::Failed;
        }
    } else if (const auto* a = std::get_if<proto::Accepted>(&m)) {
        if (a->request != s.pendingRequest) return;
        s.pendingRequest = -1;
        logLine("accepted: job %s, prompt %lld samples at %lld Hz, %lld variation(s)", a->job.c_str(),
                (long long)a->promptSamples, (long long)a->rate, (long long)a->variations);
        auto job = std::make_unique<Job>();
        job->record.job = a->job;
        job->record.loopStart = prompt_.loopStart;
        job->record.loopEnd = prompt_.loopEnd;
        job->record.hostRate = hostRate_;
        job->record.variations = static_cast<std::int32_t>(std::max<std::int64_t>(1, a->variations));
        job->record.frames = static_cast<std::int64_t>(prompt_.seconds * hostRate_ + 0.5);
        job->record.promptSamples = a->promptSamples;
        job->record.modelRate = a->rate;
        {
            std::lock_guard<std::mutex> lock(takesMutex_);
            takes_.push_back(job->record);
        }
        installJob(std::move(job));
        status_.job = JobState::Generating;
        status_.progress = 0;
        s.send(proto::Credit{a->job, kCreditWindow});
    } else if (const auto* p = std::get_if<proto::Progress>(&m)) {
        if (job_ && p->job == job_->record.job && p->tokensTotal > 0) {
            status_.progress = static_cast<std::uint8_t>(std::min<std::int64_t>(100, 100 * p->tokensDone / p->tokensTotal));
            if (status_.job != JobState::Done) status_.job = JobState::Generating;
        }
    } else if (const auto* b = std::get_if<proto::Block>(&m)) {
        if (pcm.size() != proto::pcmBytes(m)) return;
        BlockView v{b, &pcm};
        onBlock(s, v);
        s.send(proto::Credit{b->job, 1});
    } else if (const auto* d = std::get_if<proto::TakeDone>(&m)) {
        if (job_ && d->job == job_->record.job) {
            logLine("take_done: job %s, %lld blocks", d->job.c_str(), (long long)d->blocks);
            job_->blocksPerVariation = d->blocks;
            job_->done = true;
            // Flush every variation's resampler tail.
            for (std::size_t v = 0; v < job_->resamplers.size(); ++v) {
                if (!job_->resamplers[v]) continue;
                job_->resamplers[v]->finish();
                std::vector<float> out;
                const std::int64_t at = job_->resamplers[v]->outputFrames();
                const std::int64_t n = job_->resamplers[v]->pull(out);
                queueChunks(backlog_, job_->serial, v, at, out, n, job_->resamplers[v]->channels());
            }
            // The daemon rounds the length to whole codes: tell the audio thread where the take really ends
            // (after the chunks, through the same ordering: chunks first, then this message once they are out).
            std::int64_t length = 0;
            for (const auto& r : job_->resamplers)
                if (r) length = std::max(length, r->outputFrames());
            pendingLength_ = length;
            pendingLengthSerial_ = job_->serial;
            status_.job = JobState::Done;
            status_.progress = 100;
        }
    }
    // pong, jobs and anything else: lastHeard was updated, nothing more to do
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
    const Style& style = styles_.at(p.style);
    if (!style.artist.empty())
        if (const std::string* a = findCaseless(s.artists, style.artist)) sub.settings.artist = *a;
    for (const auto& g : style.genres)
        if (const std::string* hit = findCaseless(s.genres, g)) { sub.settings.genre = *hit; break; }
    if (!style.lyrics.empty() && sub.settings.artist) sub.settings.lyrics = style.lyrics;
    sub.prompt = proto::PromptFormat{static_cast<std::int64_t>(p.sampleRate + 0.5), 2, p.frames};
    s.pendingRequest = sub.request;
    logLine("submit: %lld frames at %.0f Hz (loop %lld..%lld), %.3f s, %d variation(s)", (long long)p.frames,
            p.sampleRate, (long long)p.loopStart, (long long)p.loopEnd, p.seconds, p.variations);
    status_.job = JobState::Submitted;
    status_.progress = 0;
    if (!s.send(sub, promptPcm_.data(), promptPcm_.size())) {
        s.pendingRequest = -1;
        status_.job = JobState::Failed;
    }
}

void DaemonLink::installJob(std::unique_ptr<Job> job) {
    job->serial = nextSerial_++;
    const int nv = job->record.variations;
    job->resamplers.resize(static_cast<std::size_t>(nv));
    job->nextSeq.assign(static_cast<std::size_t>(nv), 0);
    job->nextSource.assign(static_cast<std::size_t>(nv), 0);
    // The take buffer starts at the loop end, at the host rate (a saved take recorded at another rate is
    // placed by time).
    const double scale = job->record.hostRate > 0 ? hostRate_ / job->record.hostRate : 1.0;
    const std::int64_t start = static_cast<std::int64_t>(job->record.loopEnd * scale + 0.5);
    const std::int64_t frames = static_cast<std::int64_t>(job->record.frames * scale + 0.5);
    job->record.loopStart = static_cast<std::int64_t>(job->record.loopStart * scale + 0.5);
    job->record.loopEnd = start;
    job->record.frames = frames;
    job->record.hostRate = hostRate_;
    ToAudio install;
    install.kind = ToAudio::Kind::InstallTake;
    install.take = new TakeBuffer(job->serial, nv, frames, start);
    backlog_.clear();   // chunks of an older take are of no use any more
    pendingLength_ = -1;
    job_ = std::move(job);
    while (!rings_.toAudio.push(install) && !stop_) sleepMs(1);
    if (stop_) delete install.take;   // never reached the audio thread
}

void DaemonLink::fetchActive(Session& s) {
    if (!job_) return;
    std::int64_t from = job_->nextSeq.empty() ? 0 : *std::min_element(job_->nextSeq.begin(), job_->nextSeq.end());
    s.send(proto::Fetch{job_->record.job, from});
    s.send(proto::Credit{job_->record.job, kCreditWindow});
    if (status_.job == JobState::None) status_.job = JobState::Generating;
}

void DaemonLink::onBlock(Session& s, const BlockView& v) {
    const proto::Block& b = *v.block;
    if (!job_ || b.job != job_->record.job) return;
    const auto var = static_cast<std::size_t>(b.variation);
    if (var >= job_->resamplers.size()) return;
    if (b.seq < job_->nextSeq[var]) return;   // a duplicate after a fetch
    job_->nextSeq[var] = b.seq + 1;
    if (!job_->resamplers[var])
        job_->resamplers[var] = std::make_unique<StreamResampler>(static_cast<int>(b.rate), static_cast<int>(hostRate_),
                                                                  static_cast<int>(b.channels));
    StreamResampler& r = *job_->resamplers[var];
    const std::int64_t promptSamples = job_->record.promptSamples;
    std::int64_t at = b.offset - promptSamples;                 // source frames after the prompt
    const auto* samples = reinterpret_cast<const float*>(v.pcm->data());
    std::int64_t frames = b.frames, skip = 0;
    if (at > r.inputFrames()) r.pushSilence(at - r.inputFrames());   // a gap: silence
    if (at < r.inputFrames()) skip = std::min(frames, r.inputFrames() - at);   // overlap: already have it
    // Unaligned float data inside the zmq frame was copied into pcm (a vector), so it is aligned.
    r.push(samples + skip * b.channels, frames - skip);
    std::vector<float> out;
    const std::int64_t first = r.outputFrames();
    const std::int64_t n = r.pull(out);
    queueChunks(backlog_, job_->serial, var, first, out, n, r.channels());
    (void)s;
}

void DaemonLink::flushChunks() {
    while (!backlog_.empty() && rings_.pcm.push(backlog_.front())) backlog_.pop_front();
    if (backlog_.empty() && pendingLength_ >= 0) {
        ToAudio m;
        m.kind = ToAudio::Kind::TakeLength;
        m.captureSerial = pendingLengthSerial_;
        m.frames = pendingLength_;
        if (rings_.toAudio.push(m)) pendingLength_ = -1;
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
