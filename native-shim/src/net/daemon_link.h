// The network thread: one DEALER socket to the daemon (docs/protocol.md). It connects with the client
// file, authenticates both ways (HMAC challenge; the daemon must prove in auth_ok that it holds the same
// secret), submits the prompts the audio thread seals, receives the streamed blocks, resamples them to
// the host rate and hands them to the audio thread as PcmChunks, granting the daemon one block of credit
// once a block's chunks have reached the audio thread's ring. It reconnects by itself (re-reading the
// client file each time) and re-fetches an unfinished take after a reconnect, or the saved takes after a
// project is reopened.
//
// Nothing a daemon sends may take the host down: every message is checked against the handshake state
// and its job (README "Hostile daemons"); a violation drops the connection (reconnect with backoff) or
// the job, the status names the problem, and any exception on this thread is caught here.
//
// It talks to the audio thread only through the three SPSC rings in LinkRings. The audio thread never
// waits for it: with no daemon, no take ever arrives and the audio passes through.
//
// Threads: start()/stop()/restore()/takes() [main-thread]; run() is the [net-thread].
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "common/spsc_ring.h"
#include "plugin/rt_messages.h"
#include "plugin/state.h"

namespace jb {

class LoopCapture;
class StyleList;
namespace proto {
struct Welcome;
struct AuthOk;
struct Error;
struct Accepted;
struct Progress;
struct TakeDone;
}  // namespace proto

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
    // Retires the takes the audio thread gave back and takes in the prompts it sealed. [net-thread]
    void takeFromAudio();
    // Copies a sealed prompt out of the capture buffer and hands the buffer back at once. [net-thread]
    void intakePrompt(const ToNet& cmd);
    // Submits the sealed prompt once authenticated and no submit is waiting for its answer. [net-thread]
    void submitPrompt(Session& s);
    // "Upsample selected": once the audible take is finished on the daemon, submits the upsample of the
    // chosen variation; its take is installed over that variation (an overlay). [net-thread]
    void submitUpsample(Session& s);
    void acceptUpsample(Session& s, const proto::Accepted& a, int variation);
    // "Export takes": once the current job is done, its takes as BWF WAVs into userTakesDir()/JOB. [net-thread]
    void exportTakes();
    // A restored overlay whose base take has arrived: fetch it now. [net-thread]
    void restoreOverlay(Session& s);
    // Once authenticated, fetches a restored take again (takesMutex_ held only to copy it). [net-thread]
    void restoreTake(Session& s);
    // Drains the socket monitor; true when a disconnect dropped the session. [net-thread]
    bool checkMonitor(Session& s);
    // Polls the socket and hands up to 64 messages to handle(), catching what it throws. [net-thread]
    void receiveMessages(Session& s);
    // Reads one multipart message (header, then PCM); false when none is waiting. [net-thread]
    static bool readMessage(Session& s, std::vector<std::uint8_t>& header, std::vector<std::uint8_t>& pcm);
    void iterate(Session& s);
    // Decodes one message and hands it to its handler below; before auth_ok only welcome, auth_ok and
    // error reach one. [net-thread]
    void handle(Session& s, const std::vector<std::uint8_t>& header, const std::vector<std::uint8_t>& pcm);
    void onWelcome(Session& s, const proto::Welcome& w);
    void onAuthOk(Session& s, const proto::AuthOk& ok);
    void onError(Session& s, const proto::Error& e);
    void onAccepted(Session& s, const proto::Accepted& a);
    void onProgress(const proto::Progress& p);
    void onBlock(Session& s, const struct BlockView& b);
    void onTakeDone(Session& s, const proto::TakeDone& d);
    void submit(Session& s, const PromptRequest& p);
    void rejectJob(Session& s, const std::string& why);
    void maybeFinish();
    void flushChunks();
    void grantCredit(Session& s);
    void installJob(std::unique_ptr<Job> job);
    void fetchActive(Session& s);
    void publish();
    // Closes the connection for a daemon's violation (status, log) and delays the next attempt.
    void drop(Session& s, Problem p, const std::string& why);
    // Records a refused message without closing the connection.
    void note(Problem p, const std::string& why);
    void backOff();

    LinkRings& rings_;
    const LoopCapture& capture_;
    const StyleList& styles_;
    std::string clientPath_;
    double hostRate_ = 48000;
    std::thread thread_;
    std::atomic<bool> stop_{false};

    // Held only to copy takes_/restorePending_ in or out: never across a wait, a spin or installJob().
    mutable std::mutex takesMutex_;           // main ↔ net only, never the audio thread
    std::vector<TakeRecord> takes_;
    bool restorePending_ = false;

    // net-thread state
    struct Queued {
        PcmChunk chunk;
        bool creditAfter;   // the last chunk of a block: one block of credit once it is in the ring
    };
    std::unique_ptr<Job> job_;
    std::deque<Queued> backlog_;
    std::deque<std::string> pastJobs_;        // replaced jobs: their late blocks are dropped quietly
    std::chrono::steady_clock::time_point nextAttempt_{}, nextDiag_{};
    int failures_ = 0;                         // consecutive dropped connections (backoff)
    std::uint32_t monitorSerial_ = 0;
    std::chrono::steady_clock::time_point lastNoted_[kProblemStates]{};   // note(): log rate limit
    unsigned suppressed_[kProblemStates]{};
    // TakeLengths (serial, frames) to send once the backlog is out (a base take's and its overlay's).
    std::deque<std::pair<std::uint32_t, std::int64_t>> pendingLengths_;
    std::optional<TakeRecord> base_;           // the audible take (an overlay's source)
    std::optional<int> upsampleWanted_;        // Upsample selected: the variation, not yet submitted
    bool exportWanted_ = false;                // Export takes pressed, written once the job is done
    std::optional<int> pendingUpsample_;       // the submit waiting for its answer is an upsample of this variation
    std::optional<TakeRecord> overlayToRestore_;   // a saved overlay, fetched once its base is in
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
