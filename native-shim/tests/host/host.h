// A small VST3 host for the tests and the benchmark: loads the built module through the ABI (dlopen,
// ModuleEntry, GetPluginFactory), creates the processor and the controller, and drives process() with a
// scripted transport. Host-side objects (stream, parameter changes) never allocate inside process().
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "abi/vst3_abi.h"

namespace jbhost {

// IBStream over a byte vector.
class MemoryStream : public v3::IBStream {
public:
    std::vector<std::uint8_t> bytes;
    std::int64_t pos = 0;
    v3::tresult JB_PLUGIN_API queryInterface(v3::TUIDPtr iid, void** obj) override;
    v3::uint32 JB_PLUGIN_API addRef() override { return 1; }
    v3::uint32 JB_PLUGIN_API release() override { return 1; }
    v3::tresult JB_PLUGIN_API read(void* buffer, v3::int32 n, v3::int32* got) override;
    v3::tresult JB_PLUGIN_API write(void* buffer, v3::int32 n, v3::int32* put) override;
    v3::tresult JB_PLUGIN_API seek(v3::int64 p, v3::int32 mode, v3::int64* result) override;
    v3::tresult JB_PLUGIN_API tell(v3::int64* p) override;
};

// One parameter's points for one block (fixed capacity: no allocation).
class ParamQueue : public v3::IParamValueQueue {
public:
    v3::ParamID id = 0;
    int count = 0;
    v3::int32 offsets[16];
    double values[16];
    v3::tresult JB_PLUGIN_API queryInterface(v3::TUIDPtr, void** obj) override { *obj = nullptr; return v3::kNoInterface; }
    v3::uint32 JB_PLUGIN_API addRef() override { return 1; }
    v3::uint32 JB_PLUGIN_API release() override { return 1; }
    v3::ParamID JB_PLUGIN_API getParameterId() override { return id; }
    v3::int32 JB_PLUGIN_API getPointCount() override { return count; }
    v3::tresult JB_PLUGIN_API getPoint(v3::int32 i, v3::int32* off, v3::ParamValue* v) override;
    v3::tresult JB_PLUGIN_API addPoint(v3::int32 off, v3::ParamValue v, v3::int32* i) override;
};

class ParamChanges : public v3::IParameterChanges {
public:
    ParamQueue queues[16];
    int count = 0;
    void clear() { count = 0; }
    void set(v3::ParamID id, double normalized);    // one point at offset 0
    bool last(v3::ParamID id, double* value) const;   // the last point written for id
    v3::tresult JB_PLUGIN_API queryInterface(v3::TUIDPtr, void** obj) override { *obj = nullptr; return v3::kNoInterface; }
    v3::uint32 JB_PLUGIN_API addRef() override { return 1; }
    v3::uint32 JB_PLUGIN_API release() override { return 1; }
    v3::int32 JB_PLUGIN_API getParameterCount() override { return count; }
    v3::IParamValueQueue* JB_PLUGIN_API getParameterData(v3::int32 i) override { return i >= 0 && i < count ? &queues[i] : nullptr; }
    v3::IParamValueQueue* JB_PLUGIN_API addParameterData(const v3::ParamID* id, v3::int32* index) override;
};

// The host's side of the controller: counts restartComponent calls by flag (as a host would re-read titles).
class ComponentHandler : public v3::IComponentHandler {
public:
    int restarts = 0, titleRestarts = 0;
    v3::tresult JB_PLUGIN_API queryInterface(v3::TUIDPtr, void** obj) override { *obj = nullptr; return v3::kNoInterface; }
    v3::uint32 JB_PLUGIN_API addRef() override { return 1; }
    v3::uint32 JB_PLUGIN_API release() override { return 1; }
    v3::tresult JB_PLUGIN_API beginEdit(v3::ParamID) override { return v3::kResultOk; }
    v3::tresult JB_PLUGIN_API performEdit(v3::ParamID, v3::ParamValue) override { return v3::kResultOk; }
    v3::tresult JB_PLUGIN_API endEdit(v3::ParamID) override { return v3::kResultOk; }
    v3::tresult JB_PLUGIN_API restartComponent(v3::int32 flags) override {
        ++restarts;
        if (flags & v3::IComponentHandler::kParamTitlesChanged) ++titleRestarts;
        return v3::kResultOk;
    }
};

// A looped or linear transport: tempo, 4/4, a cycle range in quarter notes.
struct Transport {
    double sampleRate = 48000, tempo = 120;
    double loopStartQ = 0, loopEndQ = 2;
    bool looping = true, playing = true;
    std::int64_t pos = 0;     // next block's projectTimeSamples
    std::int64_t loopStart() const;
    std::int64_t loopEnd() const;
    // The context for a block of n samples at pos; n is cut at the loop end when looping.
    v3::ProcessContext context(int& n) const;
    void advance(int n);      // after a block: pos += n, wrapping at the loop end when looping
};

class Plugin {
public:
    // Loads <bundle>/Contents/x86_64-linux/JukeboxBridge.so. Throws std::runtime_error.
    explicit Plugin(const std::string& soPath);
    ~Plugin();

    void setup(double rate, int maxBlock, int mode);   // setupProcessing + bus arrangements + setActive + setProcessing
    // One block, stereo in/out, with this block's parameter changes; status from the output changes, which
    // (as hosts do) also go to the controller's setParamNormalized.
    void process(const float* const* in, float* const* out, int n, const v3::ProcessContext* ctx, int mode);
    ParamChanges inputChanges;    // filled by the test before process(); cleared after
    ParamChanges outputChanges;   // what the plugin reported in the last block
    double status = 0;            // last status value the plugin reported

    std::vector<std::uint8_t> getState();
    bool setState(const std::vector<std::uint8_t>& bytes);
    std::string paramString(v3::ParamID id, double normalized);
    v3::int32 parameterCount();
    v3::ParameterInfo parameterInfo(int index);

    v3::IComponent* component = nullptr;
    v3::IAudioProcessor* processor = nullptr;
    v3::IEditController* controller = nullptr;
    ComponentHandler handler;     // given to the controller

private:
    void* handle_ = nullptr;
};

std::string findModule();   // $JB_PLUGIN_SO, else the build tree's bundle

}  // namespace jbhost
