// An in-process stand-in for `jukebox serve`, for the benchmark and the shim's tests: a ROUTER socket that
// speaks protocol v1 (mutual HMAC auth, submit → accepted, blocks within credit, take_done). It streams a
// continuation of sine blocks at a fixed pace so that blocks keep arriving while process() is measured.
// With hostile(...) it misbehaves once in one chosen way (tests/host/test_hostile_daemon.cpp), then
// behaves again, so the tests can check that the plugin survives and is served afterwards.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace jbbench {

enum class Hostile {
    None,
    FramesOverflow,   // a block header with frames = 2^62 (frames x 4 wraps to 0) and an empty PCM frame
    ChannelChange,    // the job's first blocks stereo, a later one mono (fewer channels than the first)
    HugeOffset,       // a block at offset 2^40
    Variations,       // accepted.variations = value() (2^40, 0, 9)
    Oversize,         // a 17 MiB frame after auth_ok (over the plugin's ZMQ_MAXMSGSIZE)
    UnknownJob,       // a block for a job nobody asked for, in the middle of a good take
    Garbage,          // a header that is not MessagePack
    DuplicateKeys,    // a progress header with "job" twice
    SecondWelcome,    // another welcome after auth_ok, on the same connection
    WrongServerMac,   // auth_ok with a MAC that is not HMAC(secret, ...): the plugin must not submit
    IgnoreCredit,     // every block of a take at once, credit or not (stays on)
    TooManyStyles,    // auth_ok offering 65 styles of its own (the protocol allows 64)
    JobIdPath,        // accepted.job "../../escape" (a path out of the plugin's takes folder)
};

class FakeDaemon {
public:
    // seconds: continuation length; blockSeconds: audio per block; paceMs: wall time between blocks.
    FakeDaemon(double seconds, double blockSeconds, int paceMs, int variations);
    ~FakeDaemon();
    std::string endpoint() const { return endpoint_; }
    // Writes a client file for the plugin (secret, id) into path, mode 0600 unless told otherwise;
    // endpoint: instead of this daemon's (to test the plugin's refusal of remote endpoints).
    void writeClientFile(const std::string& path, int mode = 0600, const std::string& endpoint = "") const;
    // Misbehave once (IgnoreCredit: always) in one way; value: for Variations.
    void hostile(Hostile h, std::int64_t value = 0) {
        hostileValue_ = value;
        hostile_ = h;
    }
    bool hostileDone() const { return hostile_.load() == Hostile::None; }
    std::uint64_t hellos() const { return hellos_.load(); }
    std::uint64_t authOks() const { return authOks_.load(); }
    std::uint64_t submits() const { return submits_.load(); }
    std::uint64_t creditsReceived() const { return creditBlocks_.load(); }
    std::uint64_t blocksSent() const { return sent_.load(); }
    // A daemon that already knows this job (as after a restart): `fetch` streams it from from_seq.
    void knowJob(const std::string& job, std::int64_t promptSamples);
    // Stop answering anything (a daemon that hung or whose machine went away).
    void goSilent() { silent_ = true; }
    std::uint64_t fetches() const { return fetches_.load(); }
    // The styles the welcome offers (before a client connects), and what the last submit asked for.
    void offerStyles(std::vector<std::string> artists, std::vector<std::string> genres) {
        artists_ = std::move(artists);
        genres_ = std::move(genres);
    }
    struct SubmitSeen {
        bool seen = false;
        double seconds = 0, temperature = 0, promptRate = 0;
        std::int64_t variations = 0, promptFrames = 0, promptChannels = 0, pcmBytes = 0;
        std::string artist, genre;
    };
    SubmitSeen lastSubmit() const {
        std::lock_guard<std::mutex> lock(mutex_);
        return lastSubmit_;
    }
    std::uint64_t cancels() const { return cancels_.load(); }

private:
    void run();
    std::string endpoint_;
    std::vector<std::uint8_t> secret_;
    double seconds_, blockSeconds_;
    int paceMs_, variations_;
    std::atomic<bool> stop_{false};
    std::atomic<std::uint64_t> sent_{0}, fetches_{0}, cancels_{0}, hellos_{0}, authOks_{0}, submits_{0}, creditBlocks_{0};
    std::atomic<Hostile> hostile_{Hostile::None};
    std::atomic<std::int64_t> hostileValue_{0};
    std::atomic<bool> silent_{false};
    std::vector<std::string> artists_, genres_;
    SubmitSeen lastSubmit_;
    mutable std::mutex mutex_;
    std::string knownJob_;
    std::int64_t knownPrompt_ = 0;
    std::atomic<bool> knownSet_{false};
    std::thread thread_;
    void* ctx_ = nullptr;
    void* sock_ = nullptr;
};

}  // namespace jbbench
