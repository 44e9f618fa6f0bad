#include "plugin/processor.h"

#include <cstring>

#include "plugin/ids.h"
#include "plugin/state.h"
#include "timeline/take_buffer.h"

namespace jb {

static_assert(sizeof(float) == 4, "float32 PCM");

Processor::Processor() {
    styles_.load(StyleList::defaultDir());
    table_ = std::make_unique<ParamTable>(styles_);
    engine_ = std::make_unique<AudioEngine>(rings_, *table_);
    link_ = std::make_unique<DaemonLink>(rings_, engine_->capture(), styles_);
}

Processor::~Processor() {
    link_->stop();
    engine_->release();
}

v3::tresult Processor::queryInterface(v3::TUIDPtr iid, void** obj) {
    if (obj == nullptr) return v3::kInvalidArgument;
    void* p = nullptr;
    if (v3::kFUnknownIid.equals(iid) || v3::kIPluginBaseIid.equals(iid) || v3::kIComponentIid.equals(iid))
        p = static_cast<v3::IComponent*>(this);
    else if (v3::kIAudioProcessorIid.equals(iid)) p = static_cast<v3::IAudioProcessor*>(this);
    else if (v3::kIProcessContextRequirementsIid.equals(iid)) p = static_cast<v3::IProcessContextRequirements*>(this);
    else if (v3::kIConnectionPointIid.equals(iid)) p = static_cast<v3::IConnectionPoint*>(this);
    *obj = p;
    if (p == nullptr) return v3::kNoInterface;
    ref();
    return v3::kResultOk;
}

v3::tresult Processor::initialize(v3::FUnknown*) { return v3::kResultOk; }

v3::tresult Processor::terminate() {
    link_->stop();
    engine_->release();
    return v3::kResultOk;
}

v3::tresult Processor::getControllerClassId(char* classId) {
    std::memcpy(classId, kControllerCid.b, 16);
    return v3::kResultOk;
}

v3::int32 Processor::getBusCount(v3::int32 type, v3::int32) { return type == v3::kAudio ? 1 : 0; }

v3::tresult Processor::getBusInfo(v3::int32 type, v3::int32 dir, v3::int32 index, v3::BusInfo* bus) {
    if (type != v3::kAudio || index != 0 || bus == nullptr) return v3::kInvalidArgument;
    std::memset(bus, 0, sizeof *bus);
    bus->mediaType = v3::kAudio;
    bus->direction = dir;
    bus->channelCount = channels_;
    toString128(dir == v3::kInput ? "Input" : "Output", bus->name);
    bus->busType = v3::kMain;
    bus->flags = v3::kDefaultActive;
    return v3::kResultOk;
}

v3::tresult Processor::setBusArrangements(v3::SpeakerArrangement* in, v3::int32 nIn, v3::SpeakerArrangement* out,
                                          v3::int32 nOut) {
    if (nIn != 1 || nOut != 1 || in == nullptr || out == nullptr || in[0] != out[0]) return v3::kResultFalse;
    if (in[0] == v3::kStereo) channels_ = 2;
    else if (in[0] == v3::kMono) channels_ = 1;
    else return v3::kResultFalse;
    return v3::kResultTrue;
}

v3::tresult Processor::getBusArrangement(v3::int32, v3::int32 index, v3::SpeakerArrangement* arr) {
    if (index != 0 || arr == nullptr) return v3::kInvalidArgument;
    *arr = channels_ == 2 ? v3::kStereo : v3::kMono;
    return v3::kResultOk;
}

v3::tresult Processor::canProcessSampleSize(v3::int32 size) {
    return size == v3::kSample32 ? v3::kResultTrue : v3::kResultFalse;
}

v3::tresult Processor::setupProcessing(v3::ProcessSetup* setup) {
    if (setup == nullptr || setup->symbolicSampleSize != v3::kSample32 || setup->sampleRate <= 0) return v3::kResultFalse;
    const bool restart = !link_->running() || setup->sampleRate != sampleRate_;
    sampleRate_ = setup->sampleRate;
    maxBlock_ = setup->maxSamplesPerBlock > 0 ? setup->maxSamplesPerBlock : 4096;
    scratchIn_.assign(static_cast<std::size_t>(maxBlock_), 0.0f);
    scratchOut_.assign(static_cast<std::size_t>(maxBlock_), 0.0f);
    if (restart) {
        link_->stop();
        engine_->release();
        engine_->prepare(sampleRate_, maxBlock_);
        link_->start(sampleRate_);
    }
    return v3::kResultOk;
}

v3::uint32 Processor::getProcessContextRequirements() {
    using R = v3::IProcessContextRequirements;
    return R::kNeedProjectTimeMusic | R::kNeedCycleMusic | R::kNeedTempo | R::kNeedTimeSignature |
           R::kNeedTransportState | R::kNeedContinousTimeSamples;
}

void Processor::applyParameterChanges(v3::IParameterChanges* changes) {
    if (changes == nullptr) return;
    const v3::int32 n = changes->getParameterCount();
    for (v3::int32 i = 0; i < n; ++i) {
        v3::IParamValueQueue* q = changes->getParameterData(i);
        if (q == nullptr) continue;
        const v3::int32 points = q->getPointCount();
        // Generate is an edge: every point counts. The rest take the block's last value.
        for (v3::int32 k = (q->getParameterId() == kParamGenerate ? 0 : points - 1); k < points; ++k) {
            v3::int32 offset = 0;
            v3::ParamValue value = 0;
            if (q->getPoint(k, &offset, &value) == v3::kResultOk) engine_->setParam(q->getParameterId(), value);
        }
    }
}

void Processor::reportStatus(v3::IParameterChanges* out) {
    const double value = encodeStatus(engine_->status());
    if (out == nullptr || value == lastStatus_) return;
    const v3::ParamID id = kParamStatus;
    v3::int32 index = 0;
    if (v3::IParamValueQueue* q = out->addParameterData(&id, &index)) {
        v3::int32 pointIndex = 0;
        if (q->addPoint(0, value, &pointIndex) == v3::kResultOk) lastStatus_ = value;
    }
}

v3::tresult Processor::process(v3::ProcessData* data) {
    // [audio-thread]: no allocation, lock, wait or system call from here on (offline waits aside).
    if (data == nullptr) return v3::kInvalidArgument;
    applyParameterChanges(data->inputParameterChanges);
    const int n = data->numSamples;
    const bool haveBuses = data->numInputs > 0 && data->numOutputs > 0 && data->inputs != nullptr &&
                           data->outputs != nullptr && data->inputs[0].channelBuffers32 != nullptr &&
                           data->outputs[0].channelBuffers32 != nullptr && data->inputs[0].numChannels > 0 &&
                           data->outputs[0].numChannels > 0;
    if (n <= 0 || !haveBuses || n > maxBlock_ || data->symbolicSampleSize != v3::kSample32) {
        // Parameter flush, or nothing we can process: keep the audio as it is.
        if (haveBuses && n > 0 && n <= maxBlock_)
            for (int c = 0; c < data->outputs[0].numChannels; ++c) {
                float* o = data->outputs[0].channelBuffers32[c];
                const float* i = data->inputs[0].channelBuffers32[c < data->inputs[0].numChannels ? c : 0];
                if (o != i) std::memcpy(o, i, sizeof(float) * static_cast<std::size_t>(n));
            }
        reportStatus(data->outputParameterChanges);
        return v3::kResultOk;
    }
    v3::AudioBusBuffers& inBus = data->inputs[0];
    v3::AudioBusBuffers& outBus = data->outputs[0];
    const float* in[2] = {inBus.channelBuffers32[0], inBus.numChannels > 1 ? inBus.channelBuffers32[1] : inBus.channelBuffers32[0]};
    float* out[2] = {outBus.channelBuffers32[0], outBus.numChannels > 1 ? outBus.channelBuffers32[1] : scratchOut_.data()};
    if (inBus.numChannels == 1 && outBus.numChannels == 1 && in[0] == out[0]) {
        // In-place mono: keep a copy of the input for the second (discarded) output channel.
        std::memcpy(scratchIn_.data(), in[0], sizeof(float) * static_cast<std::size_t>(n));
        in[0] = in[1] = scratchIn_.data();
    }
    const Transport t = readTransport(data->processContext, sampleRate_);
    engine_->process(t, in, out, n, data->processMode == v3::kOffline);
    outBus.silenceFlags = 0;
    reportStatus(data->outputParameterChanges);
    return v3::kResultOk;
}

v3::tresult Processor::getState(v3::IBStream* stream) {
    if (stream == nullptr) return v3::kInvalidArgument;
    PluginState s;
    for (std::uint32_t i = 0; i < kParamCount; ++i) s.params[i] = engine_->paramValue(i);
    s.params[kParamGenerate] = 0;   // a saved project never fires Generate when it opens
    s.takes = link_->takes();
    s.styleSteps = table_->def(kParamStyle).stepCount;
    auto bytes = serializeState(s);
    v3::int32 written = 0;
    return stream->write(bytes.data(), static_cast<v3::int32>(bytes.size()), &written) == v3::kResultOk &&
                   written == static_cast<v3::int32>(bytes.size())
               ? v3::kResultOk
               : v3::kResultFalse;
}

v3::tresult Processor::setState(v3::IBStream* stream) {
    if (stream == nullptr) return v3::kInvalidArgument;
    std::vector<std::uint8_t> bytes;
    std::uint8_t buf[4096];
    for (;;) {
        v3::int32 got = 0;
        if (stream->read(buf, sizeof buf, &got) != v3::kResultOk || got <= 0) break;
        bytes.insert(bytes.end(), buf, buf + got);
        if (bytes.size() > (1u << 20)) return v3::kResultFalse;
    }
    PluginState s;
    if (!deserializeState(bytes.data(), bytes.size(), s)) return v3::kResultFalse;
    if (s.params[kParamStyle] >= 0)
        s.params[kParamStyle] = table_->styleFromState(s.params[kParamStyle], s.styleSteps >= 0 ? s.styleSteps : styles_.count() - 1);
    for (std::uint32_t i = 0; i < kParamCount; ++i)
        if (s.params[i] >= 0 && i != kParamStatus && i != kParamGenerate) engine_->setParamFromState(i, s.params[i]);
    link_->restore(s.takes);
    if (!s.takes.empty()) engine_->expectRestoredTake(s.takes.back().overlayVariation);
    return v3::kResultOk;
}

}  // namespace jb
