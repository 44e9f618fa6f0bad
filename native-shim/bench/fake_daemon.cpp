#include "fake_daemon.h"

#include <zmq.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <random>

#include <sys/stat.h>

#include "protocol/messages.h"

namespace jbbench {
namespace {
using Clock = std::chrono::steady_clock;
}

FakeDaemon::FakeDaemon(double seconds, double blockSeconds, int paceMs, int variations)
    : seconds_(seconds), blockSeconds_(blockSeconds), paceMs_(paceMs), variations_(variations) {
    std::mt19937 rng(42);
    for (int i = 0; i < 32; ++i) secret_.push_back(static_cast<std::uint8_t>(rng()));
    ctx_ = zmq_ctx_new();
    sock_ = zmq_socket(ctx_, ZMQ_ROUTER);
    const int zero = 0;
    zmq_setsockopt(sock_, ZMQ_LINGER, &zero, sizeof zero);
    zmq_bind(sock_, "tcp://127.0.0.1:*");
    char buf[256];
    size_t len = sizeof buf;
    zmq_getsockopt(sock_, ZMQ_LAST_ENDPOINT, buf, &len);
    endpoint_ = buf;
    thread_ = std::thread([this] { run(); });
}

FakeDaemon::~FakeDaemon() {
    stop_ = true;
    thread_.join();
    zmq_close(sock_);
    zmq_ctx_term(ctx_);
}

void FakeDaemon::writeClientFile(const std::string& path, int mode, const std::string& endpoint) const {
    static const char* hex = "0123456789abcdef";
    std::string s;
    for (auto b : secret_) { s += hex[b >> 4]; s += hex[b & 15]; }
    {
        std::ofstream f(path + ".tmp");
        f << "{\n  \"endpoint\": \"" << (endpoint.empty() ? endpoint_ : endpoint) << "\",\n  \"server_public_key\": \"\",\n  \"client_id\": \"bench\",\n"
      << "  \"secret\": \"" << s << "\",\n  \"curve\": false\n}\n";
    }
    ::chmod((path + ".tmp").c_str(), static_cast<mode_t>(mode));
    std::rename((path + ".tmp").c_str(), path.c_str());   // the plugin never reads a half-written file
}

void FakeDaemon::knowJob(const std::string& job, std::int64_t promptSamples) {
    knownJob_ = job;
    knownPrompt_ = promptSamples;
    knownSet_ = true;
}

void FakeDaemon::run() {
    using namespace jb::proto;
    std::vector<std::uint8_t> identity, nonce(32, 7);
    std::string job;
    std::int64_t credit = 0, seq = 0, promptSamples = 0, totalBlocks = 0;
    int variation = 0, channels = 1, jobVariations = variations_;
    bool streaming = false, doneSent = false;
    const int rate = 44100;
    const std::int64_t blockFrames = static_cast<std::int64_t>(blockSeconds_ * rate);
    auto nextSend = Clock::now();
    bool knownTaken = false;
    int jobCount = 0;
    auto sendRaw = [&](const std::vector<std::uint8_t>& h, const void* pcm, std::size_t pcmBytes) {
        zmq_send(sock_, identity.data(), identity.size(), ZMQ_SNDMORE);
        zmq_send(sock_, h.data(), h.size(), pcm ? ZMQ_SNDMORE : 0);
        if (pcm) zmq_send(sock_, pcm, pcmBytes, 0);
    };
    auto send = [&](const Message& m, const std::vector<float>* pcm) {
        sendRaw(encode(m), pcm ? pcm->data() : nullptr, pcm ? pcm->size() * sizeof(float) : 0);
    };
    auto sine = [&](std::int64_t s0, int var, int ch) {
        std::vector<float> pcm(static_cast<std::size_t>(blockFrames * ch));
        for (std::int64_t i = 0; i < blockFrames; ++i)
            for (int c = 0; c < ch; ++c)
                pcm[static_cast<std::size_t>(i * ch + c)] =
                    static_cast<float>(0.2 * std::sin(2 * M_PI * (220.0 + 110 * var) * double(s0 * blockFrames + i) / rate));
        return pcm;
    };
    // Hostile acts right after auth_ok (they all end that connection's good standing).
    auto afterAuth = [&]() {
        const Hostile h = hostile_.load();
        if (h == Hostile::SecondWelcome) {
            Welcome w;
            w.server = "fake/0"; w.auth = "hmac-sha256"; w.nonce = std::vector<std::uint8_t>(32, 9); w.models = {"fake"};
            w.device = "cpu"; w.limits = Limits{64 << 20, 60, 4, 8};
            send(w, nullptr);
        } else if (h == Hostile::Garbage) {
            sendRaw({0xC1, 0xFF, 0x00, 0x13, 0x37}, nullptr, 0);
        } else if (h == Hostile::DuplicateKeys) {
            jb::mp::Writer w;
            w.mapHeader(10).key("v").integer(1).key("type").str("progress").key("job").str("a").key("job").str("b")
                .key("level").integer(0).key("windows_done").integer(0).key("windows_total").integer(1)
                .key("tokens_done").integer(0).key("tokens_total").integer(1).key("elapsed").float64(0);
            sendRaw(w.bytes(), nullptr, 0);
        } else if (h == Hostile::Oversize) {
            std::vector<std::uint8_t> big(17u << 20, 0x20);
            sendRaw(big, nullptr, 0);
        } else {
            return;
        }
        hostile_ = Hostile::None;
    };
    while (!stop_) {
        if (!knownTaken && knownSet_) {
            knownTaken = true;
            job = knownJob_;
            promptSamples = knownPrompt_;
            totalBlocks = static_cast<std::int64_t>(std::ceil(seconds_ / blockSeconds_));
        }
        zmq_pollitem_t item{sock_, 0, ZMQ_POLLIN, 0};
        if (zmq_poll(&item, 1, 2) > 0) {
            std::vector<std::vector<std::uint8_t>> frames;
            int more = 1;
            while (more) {
                zmq_msg_t m;
                zmq_msg_init(&m);
                if (zmq_msg_recv(&m, sock_, 0) < 0) { zmq_msg_close(&m); break; }
                const auto* d = static_cast<const std::uint8_t*>(zmq_msg_data(&m));
                frames.emplace_back(d, d + zmq_msg_size(&m));
                more = zmq_msg_more(&m);
                zmq_msg_close(&m);
            }
            if (frames.size() < 2 || silent_) continue;
            identity = frames[0];
            Message msg;
            try { msg = decode(frames[1]); } catch (const BadMessage&) { continue; }
            if (std::holds_alternative<Hello>(msg)) {
                ++hellos_;
                Welcome w;
                w.server = "fake/0"; w.auth = "hmac-sha256"; w.nonce = nonce; w.models = {"fake"}; w.device = "cpu";
                w.limits = Limits{64 << 20, 60, 4, 8};
                send(w, nullptr);
            } else if (const auto* a = std::get_if<Auth>(&msg)) {
                if (a->mac == authMac(secret_, nonce, a->clientId)) {
                    AuthOk ok;
                    ok.mac = serverMac(secret_, a->nonce, nonce, a->clientId);
                    if (hostile_.load() == Hostile::WrongServerMac) {
                        ok.mac = authMac(secret_, nonce, a->clientId);   // a replay of the client's own MAC
                        hostile_ = Hostile::None;
                    }
                    ok.styles.artists = artists_;
                    ok.styles.genres = genres_;
                    if (hostile_.load() == Hostile::TooManyStyles) {
                        ok.styles.presets.assign(65, StylePreset{"Mine", "aurora", "ambient", "la la"});
                        hostile_ = Hostile::None;
                    }
                    ++authOks_;
                    send(ok, nullptr);
                    afterAuth();
                } else {
                    send(Error{"auth_failed", "bad mac", {}, {}}, nullptr);
                }
            } else if (const auto* s = std::get_if<Submit>(&msg)) {
                ++submits_;
                SubmitSeen seen;
                seen.seen = true;
                seen.seconds = s->settings.seconds.value_or(0);
                seen.temperature = s->settings.temperature.value_or(0);
                seen.variations = s->settings.variations.value_or(0);
                seen.artist = s->settings.artist.value_or("");
                seen.genre = s->settings.genre.value_or("");
                if (s->prompt) {
                    seen.promptRate = double(s->prompt->rate);
                    seen.promptFrames = s->prompt->frames;
                    seen.promptChannels = s->prompt->channels;
                }
                seen.pcmBytes = frames.size() > 2 ? static_cast<std::int64_t>(frames[2].size()) : 0;
                {
                    std::lock_guard<std::mutex> lock(mutex_);
                    lastSubmit_ = seen;
                }
                job = "bench-job-" + std::to_string(++jobCount);
                if (jobCount == 1) job = "bench-job";
                promptSamples = s->prompt ? (s->prompt->frames * rate / s->prompt->rate) / 128 * 128 : 0;
                totalBlocks = static_cast<std::int64_t>(std::ceil(seconds_ / blockSeconds_));
                seq = 0; variation = 0; streaming = true; doneSent = false; credit = 0;
                channels = hostile_.load() == Hostile::ChannelChange ? 2 : 1;
                jobVariations = variations_;
                std::int64_t announced = variations_;
                if (hostile_.load() == Hostile::Variations) {
                    announced = hostileValue_.load();
                    hostile_ = Hostile::None;
                    streaming = false;   // a daemon this broken sends nothing more for the job
                }
                if (hostile_.load() == Hostile::JobIdPath) {
                    hostile_ = Hostile::None;
                    streaming = false;
                    send(Accepted{s->request, "../../escape", promptSamples, rate, announced}, nullptr);
                } else {
                    send(Accepted{s->request, job, promptSamples, rate, announced}, nullptr);
                }
            } else if (const auto* c = std::get_if<Credit>(&msg)) {
                if (c->job == job) credit += c->blocks;
                creditBlocks_ += static_cast<std::uint64_t>(std::max<std::int64_t>(0, c->blocks));
            } else if (const auto* f = std::get_if<Fetch>(&msg)) {
                ++fetches_;
                if (f->job == job) { seq = f->fromSeq; variation = 0; streaming = true; doneSent = false; }
                else send(Error{"unknown_job", "no such job", {}, f->job}, nullptr);
            } else if (std::holds_alternative<Cancel>(msg)) {
                ++cancels_;
                streaming = false;
            } else if (const auto* p = std::get_if<Ping>(&msg)) {
                send(Pong{p->t}, nullptr);
            }
        }
        if (silent_) continue;
        const bool flood = hostile_.load() == Hostile::IgnoreCredit;
        while (!stop_ && streaming && (credit > 0 || flood) && seq < totalBlocks && Clock::now() >= nextSend) {
            const Hostile h = hostile_.load();
            const std::int64_t offset = promptSamples + seq * blockFrames;
            if (seq == 2 && variation == 0 && h == Hostile::FramesOverflow) {
                Block b{job, 0, seq, offset, rate, 1, std::int64_t(1) << 62};
                sendRaw(encode(b), "", 0);
                hostile_ = Hostile::None;
            } else if (seq == 2 && variation == 0 && h == Hostile::HugeOffset) {
                auto pcm = sine(seq, 0, channels);
                send(Block{job, 0, seq, std::int64_t(1) << 40, rate, channels, blockFrames}, &pcm);
                hostile_ = Hostile::None;
            } else if (seq == 2 && variation == 0 && h == Hostile::ChannelChange) {
                auto pcm = sine(seq, 0, 1);
                send(Block{job, 0, seq, offset, rate, 1, blockFrames}, &pcm);   // mono after stereo
                hostile_ = Hostile::None;
            } else if (seq == 2 && variation == 0 && h == Hostile::UnknownJob) {
                auto pcm = sine(seq, 0, channels);
                send(Block{"nobody-asked-for-this", 0, seq, offset, rate, channels, blockFrames}, &pcm);
                hostile_ = Hostile::None;
                continue;   // the real block 2 follows
            }
            auto pcm = sine(seq, variation, channels);
            send(Block{job, variation, seq, offset, rate, channels, blockFrames}, &pcm);
            ++sent_;
            if (credit > 0) --credit;
            if (++variation >= jobVariations) {
                variation = 0;
                ++seq;
                if (!flood) nextSend = Clock::now() + std::chrono::milliseconds(paceMs_);
            }
            if (!flood) break;
        }
        if (streaming && seq >= totalBlocks && !doneSent) {
            send(TakeDone{job, jobVariations, totalBlocks, seconds_}, nullptr);
            doneSent = true;
        }
    }
}

}  // namespace jbbench
