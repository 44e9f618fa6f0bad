#include "fake_daemon.h"

#include <zmq.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <random>

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

void FakeDaemon::writeClientFile(const std::string& path) const {
    static const char* hex = "0123456789abcdef";
    std::string s;
    for (auto b : secret_) { s += hex[b >> 4]; s += hex[b & 15]; }
    std::ofstream f(path);
    f << "{\n  \"endpoint\": \"" << endpoint_ << "\",\n  \"server_public_key\": \"\",\n  \"client_id\": \"bench\",\n"
      << "  \"secret\": \"" << s << "\",\n  \"curve\": false\n}\n";
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
    int variation = 0;
    bool streaming = false, doneSent = false;
    const int rate = 44100;
    const std::int64_t blockFrames = static_cast<std::int64_t>(blockSeconds_ * rate);
    auto nextSend = Clock::now();
    bool knownTaken = false;
    auto send = [&](const Message& m, const std::vector<float>* pcm) {
        const auto h = encode(m);
        zmq_send(sock_, identity.data(), identity.size(), ZMQ_SNDMORE);
        zmq_send(sock_, h.data(), h.size(), pcm ? ZMQ_SNDMORE : 0);
        if (pcm) zmq_send(sock_, pcm->data(), pcm->size() * sizeof(float), 0);
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
                Welcome w;
                w.server = "fake/0"; w.auth = "hmac-sha256"; w.nonce = nonce; w.models = {"fake"}; w.device = "cpu";
                w.limits = Limits{64 << 20, 60, 4, 8};
                w.styles.artists = artists_;
                w.styles.genres = genres_;
                send(w, nullptr);
            } else if (const auto* a = std::get_if<Auth>(&msg)) {
                if (a->mac == authMac(secret_, nonce, a->clientId)) send(AuthOk{}, nullptr);
                else send(Error{"auth_failed", "bad mac", {}, {}}, nullptr);
            } else if (const auto* s = std::get_if<Submit>(&msg)) {
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
                job = "bench-job";
                promptSamples = s->prompt ? (s->prompt->frames * rate / s->prompt->rate) / 128 * 128 : 0;
                totalBlocks = static_cast<std::int64_t>(std::ceil(seconds_ / blockSeconds_));
                seq = 0; variation = 0; streaming = true; doneSent = false;
                send(Accepted{s->request, job, promptSamples, rate, variations_}, nullptr);
            } else if (const auto* c = std::get_if<Credit>(&msg)) {
                credit += c->blocks;
            } else if (const auto* f = std::get_if<Fetch>(&msg)) {
                ++fetches_;
                if (f->job == job) { seq = f->fromSeq; variation = 0; streaming = true; doneSent = false; }
                else send(Error{"unknown_job", "no such job", {}, f->job}, nullptr);
            } else if (std::holds_alternative<Cancel>(msg)) {
                ++cancels_;
            } else if (const auto* p = std::get_if<Ping>(&msg)) {
                send(Pong{p->t}, nullptr);
            }
        }
        if (silent_) continue;
        if (streaming && credit > 0 && seq < totalBlocks && Clock::now() >= nextSend) {
            std::vector<float> pcm(static_cast<std::size_t>(blockFrames));
            for (std::int64_t i = 0; i < blockFrames; ++i)
                pcm[i] = static_cast<float>(0.2 * std::sin(2 * M_PI * (220.0 + 110 * variation) * double(seq * blockFrames + i) / rate));
            send(Block{job, variation, seq, promptSamples + seq * blockFrames, rate, 1, blockFrames}, &pcm);
            ++sent_;
            --credit;
            if (++variation >= variations_) { variation = 0; ++seq; nextSend = Clock::now() + std::chrono::milliseconds(paceMs_); }
        }
        if (streaming && seq >= totalBlocks && !doneSent) {
            send(TakeDone{job, variations_, totalBlocks, seconds_}, nullptr);
            doneSent = true;
        }
    }
}

}  // namespace jbbench
