#include "plugin/audio_engine.h"

#include <chrono>
#include <cmath>
#include <cstring>

#include "common/platform.h"
#include "timeline/musical_time.h"
#include "timeline/take_buffer.h"

namespace jb {

static_assert(std::atomic<double>::is_always_lock_free, "parameter values are shared with the audio thread");

AudioEngine::AudioEngine(LinkRings& rings, const ParamTable& params) : rings_(rings), table_(params) {
    for (std::uint32_t i = 0; i < kParamCount; ++i) params_[i].store(table_.defaultNormalized(i));
}

AudioEngine::~AudioEngine() { release(); }

void AudioEngine::prepare(double sampleRate, int /*maxBlock*/) {
    sampleRate_ = sampleRate > 0 ? sampleRate : 48000;
    capture_.prepare(static_cast<std::int64_t>(kMaxPromptSeconds * sampleRate_));
    generateWanted_ = false;
    promptInFlight_ = false;
    sentLoopStart_ = sentLoopEnd_ = -1;
}

void AudioEngine::release() {
    delete take_;
    take_ = nullptr;
    delete overlay_;
    overlay_ = nullptr;
    overlayVariation_ = -1;
    for (auto*& t : retirePending_) { delete t; t = nullptr; }
    ToAudio m;
    while (rings_.toAudio.pop(m))
        if (m.kind == ToAudio::Kind::InstallTake) delete m.take;
    ToNet c;
    while (rings_.toNet.pop(c))
        if (c.kind == ToNet::Kind::RetireTake) delete c.take;
    PcmChunk chunk;
    while (rings_.pcm.pop(chunk)) {
    }
    capture_.unseal();
    promptInFlight_ = false;
    upsampleWanted_ = false;
    exportWanted_ = false;
}

void AudioEngine::setParam(std::uint32_t id, double v) {
    if (id >= kParamCount || id == kParamStatus) return;
    params_[id].store(v, std::memory_order_relaxed);
    if (id == kParamGenerate) {
        const bool on = v >= 0.5;
        if (on && !generateHeld_) generateWanted_ = true;   // rising edge
        generateHeld_ = on;
    } else if (id == kParamUpsample) {
        const bool on = v >= 0.5;
        if (on && !upsampleHeld_) upsampleWanted_ = true;   // rising edge
        upsampleHeld_ = on;
    } else if (id == kParamExport) {
        const bool on = v >= 0.5;
        if (on && !exportHeld_) exportWanted_ = true;       // rising edge
        exportHeld_ = on;
    }
}

void AudioEngine::retire(TakeBuffer* t) {
    if (t == nullptr) return;
    ToNet r;
    r.kind = ToNet::Kind::RetireTake;
    r.take = t;
    if (rings_.toNet.push(r)) return;
    for (auto*& slot : retirePending_)
        if (slot == nullptr) { slot = t; return; }   // handed back next block (drainMessages waits for the slots)
}

void AudioEngine::install(const ToAudio& m) {
    if (m.overlayVariation >= 0) {
        expectOverlay_.store(-1, std::memory_order_relaxed);
        TakeBuffer* old = overlay_;
        overlay_ = m.take;
        overlayVariation_ = m.overlayVariation;
        retire(old);
        return;
    }
    TakeBuffer* old = take_;
    TakeBuffer* oldOverlay = overlay_;
    take_ = m.take;
    overlay_ = nullptr;
    overlayVariation_ = -1;
    promptInFlight_ = false;
    expectTake_.store(false, std::memory_order_relaxed);
    retire(old);
    retire(oldOverlay);
}

void AudioEngine::drainMessages() {
    for (auto*& slot : retirePending_) {
        if (slot == nullptr) continue;
        ToNet r;
        r.kind = ToNet::Kind::RetireTake;
        r.take = slot;
        if (rings_.toNet.push(r)) slot = nullptr;
    }
    ToAudio m;
    while (retirePending_[0] == nullptr && retirePending_[1] == nullptr && rings_.toAudio.pop(m)) {
        switch (m.kind) {
            case ToAudio::Kind::InstallTake:
                install(m);
                break;
            case ToAudio::Kind::TakeLength:
                if (take_ != nullptr && take_->serial() == m.captureSerial) take_->truncate(m.frames);
                if (overlay_ != nullptr && overlay_->serial() == m.captureSerial) overlay_->truncate(m.frames);
                break;
            case ToAudio::Kind::ReleasePrompt:
                if (m.captureSerial == captureSerial_) capture_.unseal();
                break;
            case ToAudio::Kind::Status:
                net_ = m.status;
                if (net_.job == JobState::Failed) promptInFlight_ = false;
                break;
        }
    }
}

int AudioEngine::drainPcm(int maxChunks) {
    int n = 0;
    while (n < maxChunks) {
        const PcmChunk* c = rings_.pcm.peek();
        if (c == nullptr) break;
        if (take_ != nullptr && c->takeSerial == take_->serial())
            take_->write(c->variation, c->offset, c->samples, c->frames);
        else if (overlay_ != nullptr && c->takeSerial == overlay_->serial())
            overlay_->write(c->variation, c->offset, c->samples, c->frames);
        rings_.pcm.drop();
        ++n;
    }
    return n;
}

void AudioEngine::maybeSend(const Transport& t) {
    const bool autoMode = paramValue(kParamAuto) >= 0.5;
    if (autoMode && capture_.complete() && (capture_.loopStart() != sentLoopStart_ || capture_.loopEnd() != sentLoopEnd_))
        generateWanted_ = true;
    if (!generateWanted_ || !capture_.complete() || capture_.sealed()) return;
    PromptRequest p;
    p.captureSerial = captureSerial_ + 1;
    p.frames = capture_.frames();
    p.sampleRate = sampleRate_;
    p.loopStart = capture_.loopStart();
    p.loopEnd = capture_.loopEnd();
    const double length = table_.toPlain(kParamLength, paramValue(kParamLength));
    const bool seconds = table_.toPlain(kParamLengthUnit, paramValue(kParamLengthUnit)) >= 0.5;
    p.seconds = seconds ? length : barsToSeconds(length, t.tempo, t.timeSigNum, t.timeSigDen);
    p.variations = static_cast<int>(table_.toPlain(kParamVariations, paramValue(kParamVariations)) + 0.5);
    p.temperature = table_.toPlain(kParamTemperature, paramValue(kParamTemperature));
    p.style = static_cast<int>(table_.toPlain(kParamStyle, paramValue(kParamStyle)) + 0.5);
    p.preview = table_.toPlain(kParamQuality, paramValue(kParamQuality)) >= 0.5;
    ToNet cmd;
    cmd.kind = ToNet::Kind::Prompt;
    cmd.prompt = p;
    if (!rings_.toNet.push(cmd)) return;   // ring full: try again next block
    captureSerial_ = p.captureSerial;
    expectOverlay_.store(-1, std::memory_order_relaxed);   // a new take: no restored upsample is coming
    capture_.seal();
    promptInFlight_ = true;
    generateWanted_ = false;
    sentLoopStart_ = p.loopStart;
    sentLoopEnd_ = p.loopEnd;
}

void AudioEngine::maybeUpsample() {
    if (!upsampleWanted_) return;
    if (take_ == nullptr) { upsampleWanted_ = false; return; }   // nothing to upsample
    ToNet cmd;
    cmd.kind = ToNet::Kind::Upsample;
    cmd.variation = std::min(take_->variations(), static_cast<int>(table_.toPlain(kParamVariation, paramValue(kParamVariation)) + 0.5)) - 1;
    if (rings_.toNet.push(cmd)) upsampleWanted_ = false;   // ring full: next block
}

void AudioEngine::maybeExport() {
    if (!exportWanted_) return;
    ToNet cmd;
    cmd.kind = ToNet::Kind::ExportTakes;
    if (rings_.toNet.push(cmd)) exportWanted_ = false;   // ring full: next block
}

void AudioEngine::waitOffline(std::int64_t from, std::int64_t to, int variation, bool overlay) {
    // Offline only: sleeping is allowed. Wait while audio keeps arriving, up to kOfflineWaitSeconds
    // without any new chunk, and stop at once if the job failed or the daemon is gone. With an overlay,
    // the bounce waits for the full-quality audio.
    using Clock = std::chrono::steady_clock;
    auto lastNews = Clock::now();
    const auto target = [&]() -> const TakeBuffer* { return overlay ? overlay_ : take_; };
    const int v = overlay ? 0 : variation;
    while (target() != nullptr && !target()->ready(v, from, to)) {
        drainMessages();
        if (target() == nullptr) return;
        if (drainPcm(1 << 20) > 0) { lastNews = Clock::now(); continue; }
        if (net_.job == JobState::Failed || refused(net_.connection)) return;
        const double idle = std::chrono::duration<double>(Clock::now() - lastNews).count();
        if (net_.job == JobState::Done && idle > 2.0) return;   // everything that will come came
        if (idle > kOfflineWaitSeconds) return;
        sleepMs(1);
    }
}

void AudioEngine::waitOfflineForTake() {
    // Offline only: a prompt was sent and the daemon has not accepted it yet. Wait for the take (its
    // audio is then waited for block by block), unless the job fails or the daemon stays silent.
    using Clock = std::chrono::steady_clock;
    const auto start = Clock::now();
    while (take_ == nullptr) {
        drainMessages();
        const bool gaveUp = refused(net_.connection) || net_.job == JobState::Failed ||
                            std::chrono::duration<double>(Clock::now() - start).count() > kOfflineWaitSeconds;
        if (gaveUp) {   // do not wait again at every block
            promptInFlight_ = false;
            expectTake_.store(false, std::memory_order_relaxed);
            return;
        }
        sleepMs(1);
    }
}

void AudioEngine::waitOfflineForOverlay(int variation) {
    // Offline only: a restored upsample of this variation comes after its base take; the bounce renders
    // the full take, so wait for it to be installed (then for its audio, block by block).
    using Clock = std::chrono::steady_clock;
    const auto start = Clock::now();
    while (overlay_ == nullptr && expectOverlay_.load(std::memory_order_relaxed) == variation) {
        drainMessages();
        drainPcm(1 << 20);   // the base take's audio keeps arriving meanwhile
        if (refused(net_.connection) || net_.job == JobState::Failed ||
            std::chrono::duration<double>(Clock::now() - start).count() > kOfflineWaitSeconds) {
            expectOverlay_.store(-1, std::memory_order_relaxed);
            return;
        }
        if (overlay_ == nullptr) sleepMs(1);
    }
}

void AudioEngine::render(const Transport& t, const float* const* in, float* const* out, int n, bool offline) {
    for (int c = 0; c < 2; ++c)
        if (out[c] != in[c]) std::memcpy(out[c], in[c], sizeof(float) * static_cast<std::size_t>(n));
    waiting_ = false;
    const bool takeComing = promptInFlight_ || expectTake_.load(std::memory_order_acquire);
    if (offline && take_ == nullptr && takeComing && t.valid && t.playing && t.blockStart + n > capture_.loopEnd())
        waitOfflineForTake();
    if (take_ == nullptr || !t.valid || !t.playing) return;
    const int variation = std::min(take_->variations(), static_cast<int>(table_.toPlain(kParamVariation, paramValue(kParamVariation)) + 0.5)) - 1;
    const auto mode = static_cast<OutputMode>(static_cast<int>(table_.toPlain(kParamMode, paramValue(kParamMode)) + 0.5));
    if (offline && overlay_ == nullptr && variation == expectOverlay_.load(std::memory_order_relaxed) &&
        t.blockStart + n > take_->startSample())
        waitOfflineForOverlay(variation);
    if (take_ == nullptr) return;
    const bool overlaid = overlay_ != nullptr && variation == overlayVariation_;
    if (offline) waitOffline(t.blockStart, t.blockStart + n, variation, overlaid);
    if (take_ == nullptr) return;
    const TakeBuffer::Mix mix = mode == OutputMode::Continuation ? TakeBuffer::Mix::Continuation
                                : mode == OutputMode::Mix        ? TakeBuffer::Mix::Blend
                                                                 : TakeBuffer::Mix::Input;
    const float wet = static_cast<float>(paramValue(kParamDryWet));
    // While looping, the part of a block after the loop end is the loop start again: never the take.
    int m = n;
    if (t.loopActive && t.blockStart < t.loopEnd && t.blockStart + n > t.loopEnd) m = static_cast<int>(t.loopEnd - t.blockStart);
    const TakeBuffer* over = overlay_ != nullptr && variation == overlayVariation_ ? overlay_ : nullptr;
    if (over == nullptr) {
        waiting_ = take_->render(variation, t.blockStart, m, mix, wet, out, out) > 0;
        return;
    }
    // An upsample of this variation: its full-quality audio wherever it has arrived (granule by granule,
    // at the same timeline position), the take below it elsewhere.
    int missing = 0;
    for (int i = 0; i < m;) {
        const std::int64_t pos = t.blockStart + i, rel = pos - over->startSample();
        int len = m - i;
        if (rel < 0) len = static_cast<int>(std::min<std::int64_t>(len, -rel));
        else len = static_cast<int>(std::min<std::int64_t>(len, TakeBuffer::kGranule - rel % TakeBuffer::kGranule));
        const bool full = rel >= 0 && pos < over->endSample() && over->ready(0, pos, pos + len);
        const float* src[2] = {out[0] + i, out[1] + i};
        float* dst[2] = {out[0] + i, out[1] + i};
        missing += full ? over->render(0, pos, len, mix, wet, src, dst) : take_->render(variation, pos, len, mix, wet, src, dst);
        i += len;
    }
    waiting_ = missing > 0;
}

void AudioEngine::process(const Transport& transport, const float* const* in, float* const* out, int n, bool offline) {
    // Loop points that move by no more than the host's position rounding are the same loop.
    Transport t = transport;
    if (t.loopActive) {
        const auto near = [](std::int64_t a, std::int64_t b) { return (a > b ? a - b : b - a) <= kLoopSnapSamples; };
        if (near(t.loopStart, stableLoopStart_) && near(t.loopEnd, stableLoopEnd_)) {
            t.loopStart = stableLoopStart_;
            t.loopEnd = stableLoopEnd_;
        } else {
            stableLoopStart_ = t.loopStart;
            stableLoopEnd_ = t.loopEnd;
        }
    }
    drainMessages();
    drainPcm(kChunksPerBlock);
    if (n > 0 && t.valid) {
        capture_.record(t.playing, t.loopActive, t.loopStart, t.loopEnd, t.blockStart, in, n);
        maybeSend(t);
    }
    maybeUpsample();
    maybeExport();
    if (n > 0) render(t, in, out, n, offline);
    status_.net = net_;
    status_.waiting = waiting_;
    status_.capturing = generateWanted_ && !capture_.complete();
    status_.capturePct = static_cast<std::uint8_t>(capture_.passFraction() * 100.0);
    AudioDiag& d = rings_.diag;   // relaxed stores: diagnostics only
    d.blocks.store(d.blocks.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
    d.mode.store(offline ? 2 : 0, std::memory_order_relaxed);
    d.numSamples.store(n, std::memory_order_relaxed);
    d.playing.store(t.playing, std::memory_order_relaxed);
    d.loopActive.store(t.loopActive, std::memory_order_relaxed);
    d.pos.store(t.blockStart, std::memory_order_relaxed);
    d.loopStart.store(t.loopStart, std::memory_order_relaxed);
    d.loopEnd.store(t.loopEnd, std::memory_order_relaxed);
    d.pass.store(capture_.passFraction(), std::memory_order_relaxed);
    d.complete.store(capture_.complete(), std::memory_order_relaxed);
    d.sealed.store(capture_.sealed(), std::memory_order_relaxed);
    d.autoParam.store(paramValue(kParamAuto), std::memory_order_relaxed);
    d.haveTake.store(take_ != nullptr, std::memory_order_relaxed);
}

}  // namespace jb
