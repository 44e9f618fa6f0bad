// An in-process stand-in for `jukebox serve`, for the benchmark only: a ROUTER socket that speaks
// protocol v1 (HMAC auth, submit → accepted, blocks within credit, take_done). It streams a continuation
// of sine blocks at a fixed pace so that blocks keep arriving while process() is measured.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace jbbench {

class FakeDaemon {
public:
    // seconds: continuation length; blockSeconds: audio per block; paceMs: wall time between blocks.
    FakeDaemon(double seconds, double blockSeconds, int paceMs, int variations);
    ~FakeDaemon();
    std::string endpoint() const { return endpoint_; }
    // Writes a client file for the plugin (secret, id) into path.
    void writeClientFile(const std::string& path) const;
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
    std::atomic<std::uint64_t> sent_{0}, fetches_{0}, cancels_{0};
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
