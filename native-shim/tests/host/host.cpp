#include "host.h"

#include <dlfcn.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

namespace jbhost {

v3::tresult MemoryStream::queryInterface(v3::TUIDPtr iid, void** obj) {
    if (v3::kIBStreamIid.equals(iid) || v3::kFUnknownIid.equals(iid)) { *obj = this; return v3::kResultOk; }
    *obj = nullptr;
    return v3::kNoInterface;
}
v3::tresult MemoryStream::read(void* buffer, v3::int32 n, v3::int32* got) {
    const std::int64_t avail = static_cast<std::int64_t>(bytes.size()) - pos;
    const v3::int32 k = static_cast<v3::int32>(std::max<std::int64_t>(0, std::min<std::int64_t>(n, avail)));
    if (k > 0) std::memcpy(buffer, bytes.data() + pos, static_cast<std::size_t>(k));
    pos += k;
    if (got) *got = k;
    return v3::kResultOk;
}
v3::tresult MemoryStream::write(void* buffer, v3::int32 n, v3::int32* put) {
    if (pos + n > static_cast<std::int64_t>(bytes.size())) bytes.resize(static_cast<std::size_t>(pos + n));
    std::memcpy(bytes.data() + pos, buffer, static_cast<std::size_t>(n));
    pos += n;
    if (put) *put = n;
    return v3::kResultOk;
}
v3::tresult MemoryStream::seek(v3::int64 p, v3::int32 mode, v3::int64* result) {
    if (mode == kSeekSet) pos = p;
    else if (mode == kSeekCur) pos += p;
    else pos = static_cast<std::int64_t>(bytes.size()) + p;
    if (result) *result = pos;
    return v3::kResultOk;
}
v3::tresult MemoryStream::tell(v3::int64* p) { if (p) *p = pos; return v3::kResultOk; }

v3::tresult ParamQueue::getPoint(v3::int32 i, v3::int32* off, v3::ParamValue* v) {
    if (i < 0 || i >= count) return v3::kInvalidArgument;
    *off = offsets[i];
    *v = values[i];
    return v3::kResultOk;
}
v3::tresult ParamQueue::addPoint(v3::int32 off, v3::ParamValue v, v3::int32* i) {
    if (count >= 16) return v3::kResultFalse;
    offsets[count] = off;
    values[count] = v;
    if (i) *i = count;
    ++count;
    return v3::kResultOk;
}

void ParamChanges::set(v3::ParamID id, double normalized) {
    v3::int32 index = 0;
    if (v3::IParamValueQueue* q = addParameterData(&id, &index)) {
        v3::int32 pi = 0;
        q->addPoint(0, normalized, &pi);
    }
}
bool ParamChanges::last(v3::ParamID id, double* value) const {
    for (int i = 0; i < count; ++i)
        if (queues[i].id == id && queues[i].count > 0) { *value = queues[i].values[queues[i].count - 1]; return true; }
    return false;
}
v3::IParamValueQueue* ParamChanges::addParameterData(const v3::ParamID* id, v3::int32* index) {
    for (int i = 0; i < count; ++i)
        if (queues[i].id == *id) { *index = i; return &queues[i]; }
    if (count >= 16) return nullptr;
    queues[count].id = *id;
    queues[count].count = 0;
    *index = count;
    return &queues[count++];
}

std::int64_t Transport::loopStart() const { return std::llround(loopStartQ * 60.0 / tempo * sampleRate); }
std::int64_t Transport::loopEnd() const { return std::llround(loopEndQ * 60.0 / tempo * sampleRate); }

v3::ProcessContext Transport::context(int& n) const {
    if (looping && pos < loopEnd() && pos + n > loopEnd()) n = static_cast<int>(loopEnd() - pos);
    v3::ProcessContext c;
    std::memset(&c, 0, sizeof c);
    using PC = v3::ProcessContext;
    c.state = PC::kTempoValid | PC::kTimeSigValid | PC::kProjectTimeMusicValid | PC::kCycleValid |
              (playing ? std::uint32_t(PC::kPlaying) : 0u) | (looping ? std::uint32_t(PC::kCycleActive) : 0u);
    c.sampleRate = sampleRate;
    c.projectTimeSamples = pos;
    c.projectTimeMusic = double(pos) / sampleRate * tempo / 60.0;
    c.cycleStartMusic = loopStartQ;
    c.cycleEndMusic = loopEndQ;
    c.tempo = tempo;
    c.timeSigNumerator = 4;
    c.timeSigDenominator = 4;
    return c;
}

void Transport::advance(int n) {
    if (!playing) return;
    pos += n;
    if (looping && pos >= loopEnd()) pos = loopStart();
}

Plugin::Plugin(const std::string& soPath) {
    handle_ = dlopen(soPath.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!handle_) throw std::runtime_error(std::string("dlopen: ") + dlerror());
    auto entry = reinterpret_cast<bool (*)(void*)>(dlsym(handle_, "ModuleEntry"));
    auto factoryFn = reinterpret_cast<v3::IPluginFactory* (*)()>(dlsym(handle_, "GetPluginFactory"));
    if (!entry || !factoryFn || !dlsym(handle_, "ModuleExit")) throw std::runtime_error("entry points missing");
    if (!entry(handle_)) throw std::runtime_error("ModuleEntry returned false");
    v3::IPluginFactory* factory = factoryFn();
    v3::PClassInfo info;
    char processorCid[16] = {}, controllerCid[16] = {};
    bool found = false;
    for (int i = 0; i < factory->countClasses(); ++i) {
        factory->getClassInfo(i, &info);
        if (std::strcmp(info.category, "Audio Module Class") == 0) { std::memcpy(processorCid, info.cid, 16); found = true; }
    }
    if (!found) throw std::runtime_error("no Audio Module Class");
    void* obj = nullptr;
    if (factory->createInstance(processorCid, v3::kIComponentIid.ptr(), &obj) != v3::kResultOk)
        throw std::runtime_error("createInstance(processor)");
    component = static_cast<v3::IComponent*>(obj);
    component->initialize(nullptr);
    if (component->queryInterface(v3::kIAudioProcessorIid.ptr(), &obj) != v3::kResultOk)
        throw std::runtime_error("no IAudioProcessor");
    processor = static_cast<v3::IAudioProcessor*>(obj);
    component->getControllerClassId(controllerCid);
    if (factory->createInstance(controllerCid, v3::kIEditControllerIid.ptr(), &obj) != v3::kResultOk)
        throw std::runtime_error("createInstance(controller)");
    controller = static_cast<v3::IEditController*>(obj);
    controller->initialize(nullptr);
    controller->setComponentHandler(&handler);
    factory->release();
}

Plugin::~Plugin() {
    if (processor) { processor->setProcessing(0); }
    if (component) { component->setActive(0); component->terminate(); }
    if (controller) { controller->terminate(); controller->release(); }
    if (processor) processor->release();
    if (component) component->release();
    if (handle_) {
        if (auto exitFn = reinterpret_cast<bool (*)()>(dlsym(handle_, "ModuleExit"))) exitFn();
        dlclose(handle_);
    }
}

void Plugin::setup(double rate, int maxBlock, int mode) {
    v3::ProcessSetup s{mode, v3::kSample32, maxBlock, rate};
    if (processor->setupProcessing(&s) != v3::kResultOk) throw std::runtime_error("setupProcessing");
    v3::SpeakerArrangement st = v3::kStereo, st2 = v3::kStereo;
    if (processor->setBusArrangements(&st, 1, &st2, 1) != v3::kResultTrue) throw std::runtime_error("setBusArrangements");
    component->activateBus(v3::kAudio, v3::kInput, 0, 1);
    component->activateBus(v3::kAudio, v3::kOutput, 0, 1);
    component->setActive(1);
    processor->setProcessing(1);
}

void Plugin::process(const float* const* in, float* const* out, int n, const v3::ProcessContext* ctx, int mode) {
    v3::AudioBusBuffers inBus{}, outBus{};
    inBus.numChannels = 2;
    inBus.channelBuffers32 = const_cast<float**>(in);
    outBus.numChannels = 2;
    outBus.channelBuffers32 = const_cast<float**>(out);
    outputChanges.clear();
    v3::ProcessData d{};
    d.processMode = mode;
    d.symbolicSampleSize = v3::kSample32;
    d.numSamples = n;
    d.numInputs = 1;
    d.numOutputs = 1;
    d.inputs = &inBus;
    d.outputs = &outBus;
    d.inputParameterChanges = &inputChanges;
    d.outputParameterChanges = &outputChanges;
    d.processContext = const_cast<v3::ProcessContext*>(ctx);
    processor->process(&d);
    inputChanges.clear();
    double s;
    if (outputChanges.last(10 /* status */, &s)) {
        if (s != status) controller->setParamNormalized(10, s);
        status = s;
    }
}

std::vector<std::uint8_t> Plugin::getState() {
    MemoryStream m;
    component->getState(&m);
    return m.bytes;
}

bool Plugin::setState(const std::vector<std::uint8_t>& bytes) {
    MemoryStream m;
    m.bytes = bytes;
    const bool ok = component->setState(&m) == v3::kResultOk;
    MemoryStream c;
    c.bytes = bytes;
    controller->setComponentState(&c);
    return ok;
}

std::string Plugin::paramString(v3::ParamID id, double normalized) {
    v3::String128 s = {};
    controller->getParamStringByValue(id, normalized, s);
    std::string out;
    for (int i = 0; i < 128 && s[i]; ++i) out += static_cast<char>(s[i]);
    return out;
}

v3::int32 Plugin::parameterCount() { return controller->getParameterCount(); }

v3::ParameterInfo Plugin::parameterInfo(int index) {
    v3::ParameterInfo info;
    std::memset(&info, 0, sizeof info);
    controller->getParameterInfo(index, &info);
    return info;
}

std::string findModule() {
    if (const char* env = std::getenv("JB_PLUGIN_SO")) return env;
    return JB_PLUGIN_SO_DEFAULT;
}

}  // namespace jbhost
