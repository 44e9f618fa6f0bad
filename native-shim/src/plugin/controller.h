// The VST3 edit controller: the parameter list with readable value strings, the values the host shows,
// and no editor of its own (hosts show generic controls). The processor's saved state reaches it through
// setComponentState, so both agree after a project opens.
// Threads: every method [main-thread] (the host's UI thread).
#pragma once

#include <cstdint>
#include <memory>

#include "abi/vst3_abi.h"
#include "plugin/params.h"
#include "plugin/refcount.h"
#include "plugin/styles.h"

namespace jb {

class Controller : public v3::IEditController, public v3::IConnectionPoint, public RefCounted {
public:
    Controller();

    v3::tresult JB_PLUGIN_API queryInterface(v3::TUIDPtr iid, void** obj) override;
    v3::uint32 JB_PLUGIN_API addRef() override { return ref(); }
    v3::uint32 JB_PLUGIN_API release() override { return unref(); }
    v3::tresult JB_PLUGIN_API initialize(v3::FUnknown*) override { return v3::kResultOk; }
    v3::tresult JB_PLUGIN_API terminate() override;

    v3::tresult JB_PLUGIN_API setComponentState(v3::IBStream* state) override;
    v3::tresult JB_PLUGIN_API setState(v3::IBStream*) override { return v3::kResultOk; }
    v3::tresult JB_PLUGIN_API getState(v3::IBStream*) override { return v3::kResultOk; }
    v3::int32 JB_PLUGIN_API getParameterCount() override { return kParamCount; }
    v3::tresult JB_PLUGIN_API getParameterInfo(v3::int32 index, v3::ParameterInfo* info) override;
    v3::tresult JB_PLUGIN_API getParamStringByValue(v3::ParamID id, v3::ParamValue value, v3::TChar* string) override;
    v3::tresult JB_PLUGIN_API getParamValueByString(v3::ParamID id, v3::TChar* string, v3::ParamValue* value) override;
    v3::ParamValue JB_PLUGIN_API normalizedParamToPlain(v3::ParamID id, v3::ParamValue value) override;
    v3::ParamValue JB_PLUGIN_API plainParamToNormalized(v3::ParamID id, v3::ParamValue plain) override;
    v3::ParamValue JB_PLUGIN_API getParamNormalized(v3::ParamID id) override;
    v3::tresult JB_PLUGIN_API setParamNormalized(v3::ParamID id, v3::ParamValue value) override;
    v3::tresult JB_PLUGIN_API setComponentHandler(v3::IComponentHandler* handler) override;
    v3::IPlugView* JB_PLUGIN_API createView(v3::FIDString) override { return nullptr; }

    v3::tresult JB_PLUGIN_API connect(v3::IConnectionPoint*) override { return v3::kResultOk; }
    v3::tresult JB_PLUGIN_API disconnect(v3::IConnectionPoint*) override { return v3::kResultOk; }
    v3::tresult JB_PLUGIN_API notify(v3::IMessage*) override { return v3::kResultOk; }

private:
    ~Controller() override;
    StyleList styles_;
    std::unique_ptr<ParamTable> table_;
    double values_[kParamCount];
    v3::IComponentHandler* handler_ = nullptr;
    std::uint64_t stylesShown_ = 0;   // ServedStyles' version the host last heard of
};

}  // namespace jb
