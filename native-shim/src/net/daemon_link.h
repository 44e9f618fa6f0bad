// The network thread: one DEALER socket to the daemon (docs/protocol.md). It connects with the client
// file, authenticates (HMAC challenge), submits the prompts the audio thread seals, receives the streamed
// blocks, resamples them to the host rate and hands them to the audio thread as PcmChunks, granting the
// daemon one block of credit for each block handed on. It reconnects by itself (re-reading the client
// file each time) and re-fetches an unfinished take after a reconnect, or the saved takes after a
// project is reopened.
//
// It talks to the audio thread only through the three SPSC rings in LinkRings. The audio thread never
// waits for it: with no daemon, no take ever arrives and the audio passes through.
//
// Threads: start()/stop()/restore()/takes() [main-thread]; run() is the [net-thread].
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/spsc_ring.h"
#include "plugin/rt_messages.h"
#include "plugin/state.h"

namespace jb {

class LoopCapture;
class StyleList;

struct LinkRings {
    SpscRing<ToNet> toNet{64};        // audio → net
    SpscRing<ToAudio> toAudio{256};   // net → audio
    SpscRing<PcmChunk> pcm{512};      // net → audio: about 5 s of stereo at 48 kHz
    AudioDiag diag;                   // audio → net, diagnostics only
};

class DaemonLink {
public:
    DaemonLink(LinkRings& rings, const LoopCapture& capture, const StyleList& styles);
    ~DaemonLink();

    // Starts the network thread for a host rate; restarts it when already running. [main-thread]
    void start(double hostRate);
    // Stops and joins it (returns within a few milliseconds; never waits on the network). [main-thread]
    void stop();
    bool running() const { return thread_.joinable(); }

    // The takes to fetch again (from a saved state); the last one becomes the audible take. [main-thread]
    void restore(const std::vector<TakeRecord>& takes);
    // The takes received so far, for getState. [main-thread]
    std::vector<TakeRecord> takes() const;

    // Client file to use instead of the default one (tests). [main-thread, before start()]
    void setClientFilePath(const std::string& path) { clientPath_ = path; }

private:
    struct Job;
    struct Session;
    void run();
    void step(Session& s);
    void handle(Session& s, const std::vector<std::uint8_t>& header, const std::vector<std::uint8_t>& pcm);
    void submit(Session& s, const PromptRequest& p);
    void onBlock(Session& s, const struct BlockView& b);
    void flushChunks();
    void installJob(std::unique_ptr<Job> job);
    void fetchActive(Session& s);
    void publish();

    LinkRings& rings_;
    const LoopCapture& capture_;
    const StyleList& styles_;
    std::string clientPath_;
    double hostRate_ = 48000;
    std::thread thread_;
    std::atomic<bool> stop_{false};

    mutable std::mutex takesMutex_;           // main ↔ net only, never the audio thread
    std::vector<TakeRecord> takes_;
    bool restorePending_ = false;

    // net-thread state
    std::unique_ptr<Job> job_;
    std::deque<PcmChunk> backlog_;
    std::int64_t pendingLength_ = -1;          // a TakeLength to send once the backlog is out
    std::uint32_t pendingLengthSerial_ = 0;
    std::vector<TakeBuffer*> retired_;
    NetStatus status_, published_;
    bool publishedOnce_ = false;
    std::uint32_t nextSerial_ = 1;
    std::int64_t nextRequest_ = 1;
    bool havePrompt_ = false;
    std::vector<std::uint8_t> promptPcm_;
    PromptRequest prompt_;
};

}  // namespace jb
