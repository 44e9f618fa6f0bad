// The VST3 audio processor: IComponent + IAudioProcessor + IProcessContextRequirements +
// IConnectionPoint. A thin adapter from the ABI to AudioEngine (real-time behaviour) and DaemonLink
// (network thread).
//
// Threads (as the host calls them):
//   [main-thread]  queryInterface/addRef/release, initialize, terminate, getControllerClassId, setIoMode,
//                  getBusCount/Info, activateBus, get/setState, setBusArrangements, canProcessSampleSize,
//                  setupProcessing (starts the network thread), connect/disconnect/notify
//   [main- or process-thread] setActive, setProcessing: cheap, never block
//   [audio-thread] process
#pragma once

#include <memory>

#include "abi/vst3_abi.h"
#include "net/daemon_link.h"
#include "plugin/audio_engine.h"
#include "plugin/params.h"
#include "plugin/refcount.h"
#include "plugin/styles.h"

namespace jb {

class Processor : public v3::IComponent,
                  public v3::IAudioProcessor,
                  public v3::IProcessContextRequirements,
                  public v3::IConnectionPoint,
                  public RefCounted {
public:
    Processor();

    // FUnknown
    v3::tresult JB_PLUGIN_API queryInterface(v3::TUIDPtr iid, void** obj) override;
    v3::uint32 JB_PLUGIN_API addRef() override { return ref(); }
    v3::uint32 JB_PLUGIN_API release() override { return unref(); }
    // IPluginBase
    v3::tresult JB_PLUGIN_API initialize(v3::FUnknown* context) override;
    v3::tresult JB_PLUGIN_API terminate() override;
    // IComponent
    v3::tresult JB_PLUGIN_API getControllerClassId(char* classId) override;
    v3::tresult JB_PLUGIN_API setIoMode(v3::int32) override { return v3::kResultOk; }
    v3::int32 JB_PLUGIN_API getBusCount(v3::int32 type, v3::int32 dir) override;
    v3::tresult JB_PLUGIN_API getBusInfo(v3::int32 type, v3::int32 dir, v3::int32 index, v3::BusInfo* bus) override;
    v3::tresult JB_PLUGIN_API getRoutingInfo(v3::RoutingInfo*, v3::RoutingInfo*) override { return v3::kNotImplemented; }
    v3::tresult JB_PLUGIN_API activateBus(v3::int32, v3::int32, v3::int32, v3::TBool) override { return v3::kResultOk; }
    v3::tresult JB_PLUGIN_API setActive(v3::TBool) override { return v3::kResultOk; }
    v3::tresult JB_PLUGIN_API setState(v3::IBStream* state) override;
    v3::tresult JB_PLUGIN_API getState(v3::IBStream* state) override;
    // IAudioProcessor
    v3::tresult JB_PLUGIN_API setBusArrangements(v3::SpeakerArrangement* in, v3::int32 nIn,
                                                 v3::SpeakerArrangement* out, v3::int32 nOut) override;
    v3::tresult JB_PLUGIN_API getBusArrangement(v3::int32 dir, v3::int32 index, v3::SpeakerArrangement* arr) override;
    v3::tresult JB_PLUGIN_API canProcessSampleSize(v3::int32 size) override;
    v3::uint32 JB_PLUGIN_API getLatencySamples() override { return 0; }
    v3::tresult JB_PLUGIN_API setupProcessing(v3::ProcessSetup* setup) override;
    v3::tresult JB_PLUGIN_API setProcessing(v3::TBool) override { return v3::kResultOk; }
    v3::tresult JB_PLUGIN_API process(v3::ProcessData* data) override;
    v3::uint32 JB_PLUGIN_API getTailSamples() override { return 0; }
    // IProcessContextRequirements
    v3::uint32 JB_PLUGIN_API getProcessContextRequirements() override;
    // IConnectionPoint (nothing private travels: the controller reads the state through the host)
    v3::tresult JB_PLUGIN_API connect(v3::IConnectionPoint*) override { return v3::kResultOk; }
    v3::tresult JB_PLUGIN_API disconnect(v3::IConnectionPoint*) override { return v3::kResultOk; }
    v3::tresult JB_PLUGIN_API notify(v3::IMessage*) override { return v3::kResultOk; }

private:
    ~Processor() override;
    void applyParameterChanges(v3::IParameterChanges* changes);
    void reportStatus(v3::IParameterChanges* out);

    StyleList styles_;
    std::unique_ptr<ParamTable> table_;
    LinkRings rings_;
    std::unique_ptr<AudioEngine> engine_;
    std::unique_ptr<DaemonLink> link_;
    double sampleRate_ = 48000;
    int maxBlock_ = 1024;
    int channels_ = 2;
    std::vector<float> scratchIn_, scratchOut_;   // the second channel of a mono bus
    double lastStatus_ = -1;
};

}  // namespace jb
