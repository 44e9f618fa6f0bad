// The plugin's real-time behaviour, apart from the VST3 calls: capture of the loop, sending it (through
// the ring to the network thread), playback of the received take after the loop end, parameters and
// status.
//
// Threads:
//   prepare(), release()                 [main-thread], while not processing and with the network
//                                         thread stopped
//   setParamsFromState(), paramValue()   [main-thread] (atomics)
//   process(), setParam(), status()      [audio-thread]: no allocation, no lock, no system call, no
//                                         waiting; except in offline processing (bounce), where a block
//                                         whose take audio has not arrived may wait for it (sleeping 1 ms
//                                         at a time, up to a timeout).
#pragma once

#include <atomic>
#include <cstdint>
#include <vector>

#include "net/daemon_link.h"
#include "plugin/params.h"
#include "timeline/loop_capture.h"
#include "timeline/transport.h"

namespace jb {

class TakeBuffer;

class AudioEngine {
public:
    static constexpr double kMaxPromptSeconds = 60.0;
    static constexpr int kChunksPerBlock = 16;          // PCM chunks taken from the ring per process()
    static constexpr double kOfflineWaitSeconds = 120.0; // bounce: longest wait without any new audio

    AudioEngine(LinkRings& rings, const ParamTable& params);
    ~AudioEngine();

    void prepare(double sampleRate, int maxBlock);
    // Deletes the take and anything still in the rings (the network thread is stopped). [main-thread]
    void release();

    LoopCapture& capture() { return capture_; }

    void setParam(std::uint32_t id, double normalized);
    double paramValue(std::uint32_t id) const { return params_[id].load(std::memory_order_relaxed); }
    void setParamFromState(std::uint32_t id, double normalized) { params_[id].store(normalized, std::memory_order_relaxed); }
    // A saved take will be fetched again (setState): an offline bounce waits for it, and for the upsample
    // laid over its variation overlayVariation (>= 0) when the state has one. [main-thread]
    void expectRestoredTake(int overlayVariation = -1) {
        expectOverlay_.store(overlayVariation, std::memory_order_relaxed);
        expectTake_.store(true, std::memory_order_release);
    }

    // One block. in/out: two channels each (the processor maps mono onto them). [audio-thread]
    void process(const Transport& t, const float* const* in, float* const* out, int n, bool offline);

    StatusValue status() const { return status_; }
    const TakeBuffer* take() const { return take_; }
    // The full-quality take played over variation overlayVariation() of take() (an upsample), or null.
    const TakeBuffer* overlay() const { return overlay_; }
    int overlayVariation() const { return overlayVariation_; }

private:
    void drainMessages();
    int drainPcm(int maxChunks);
    void maybeSend(const Transport& t);
    void render(const Transport& t, const float* const* in, float* const* out, int n, bool offline);
    void waitOffline(std::int64_t from, std::int64_t to, int variation, bool overlay);
    void waitOfflineForTake();
    void waitOfflineForOverlay(int variation);
    // Hands a take buffer back to the network thread (or keeps it for the next block when the ring is full).
    void retire(TakeBuffer* t);
    void install(const ToAudio& m);
    void maybeUpsample();
    void maybeExport();

    LinkRings& rings_;
    const ParamTable& table_;
    LoopCapture capture_;
    std::atomic<double> params_[kParamCount];
    double sampleRate_ = 48000;
    TakeBuffer* take_ = nullptr;
    TakeBuffer* overlay_ = nullptr;           // an upsample of take_'s variation overlayVariation_
    int overlayVariation_ = -1;
    TakeBuffer* retirePending_[2] = {};       // an install retires at most two buffers (a take and its overlay)
    NetStatus net_;
    StatusValue status_;
    bool generateHeld_ = false;      // Generate parameter level (edge detection)
    bool generateWanted_ = false;    // a Generate waits for a full pass
    bool upsampleHeld_ = false, upsampleWanted_ = false;   // Upsample selected: edge, and not yet sent
    bool exportHeld_ = false, exportWanted_ = false;       // Export takes: edge, and not yet sent
    std::uint32_t captureSerial_ = 0;
    std::int64_t sentLoopStart_ = -1, sentLoopEnd_ = -1;   // Auto: the range last sent
    bool waiting_ = false;
    std::int64_t stableLoopStart_ = 0, stableLoopEnd_ = 0;   // loop points, jitter removed
    bool promptInFlight_ = false;    // sent, no take installed yet (an offline bounce waits for it)
    std::atomic<bool> expectTake_{false};   // a restored take is being fetched again
    std::atomic<int> expectOverlay_{-1};    // and the restored upsample of this variation
};

}  // namespace jb
