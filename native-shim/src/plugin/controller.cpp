#include "plugin/controller.h"

#include <cstring>
#include <vector>

#include "plugin/ids.h"
#include "plugin/state.h"

namespace jb {

Controller::Controller() {
    styles_.load(StyleList::defaultDir());
    table_ = std::make_unique<ParamTable>(styles_);
    for (std::uint32_t i = 0; i < kParamCount; ++i) values_[i] = table_->defaultNormalized(i);
}

Controller::~Controller() { setComponentHandler(nullptr); }

v3::tresult Controller::queryInterface(v3::TUIDPtr iid, void** obj) {
    if (obj == nullptr) return v3::kInvalidArgument;
    void* p = nullptr;
    if (v3::kFUnknownIid.equals(iid) || v3::kIPluginBaseIid.equals(iid) || v3::kIEditControllerIid.equals(iid))
        p = static_cast<v3::IEditController*>(this);
    else if (v3::kIConnectionPointIid.equals(iid)) p = static_cast<v3::IConnectionPoint*>(this);
    *obj = p;
    if (p == nullptr) return v3::kNoInterface;
    ref();
    return v3::kResultOk;
}

v3::tresult Controller::terminate() {
    setComponentHandler(nullptr);
    return v3::kResultOk;
}

v3::tresult Controller::setComponentState(v3::IBStream* stream) {
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
        if (s.params[i] >= 0 && i != kParamStatus) values_[i] = s.params[i];
    return v3::kResultOk;
}

v3::tresult Controller::getParameterInfo(v3::int32 index, v3::ParameterInfo* info) {
    if (index < 0 || index >= static_cast<v3::int32>(kParamCount) || info == nullptr) return v3::kInvalidArgument;
    const ParamDef& d = table_->def(static_cast<std::uint32_t>(index));
    std::memset(info, 0, sizeof *info);
    info->id = d.id;
    toString128(d.title, info->title);
    toString128(d.shortTitle, info->shortTitle);
    toString128(d.units, info->units);
    info->stepCount = d.stepCount;
    info->defaultNormalizedValue = table_->defaultNormalized(d.id);
    info->unitId = 0;
    info->flags = (d.automatable ? v3::ParameterInfo::kCanAutomate : 0) | (d.readOnly ? v3::ParameterInfo::kIsReadOnly : 0) |
                  (d.list ? v3::ParameterInfo::kIsList : 0);
    return v3::kResultOk;
}

v3::tresult Controller::getParamStringByValue(v3::ParamID id, v3::ParamValue value, v3::TChar* string) {
    if (id >= kParamCount || string == nullptr) return v3::kInvalidArgument;
    toString128(table_->format(id, value).c_str(), string);
    return v3::kResultOk;
}

v3::tresult Controller::getParamValueByString(v3::ParamID id, v3::TChar* string, v3::ParamValue* value) {
    if (id >= kParamCount || string == nullptr || value == nullptr) return v3::kInvalidArgument;
    std::string text;
    for (int i = 0; i < 128 && string[i] != 0; ++i) text += string[i] < 0x80 ? static_cast<char>(string[i]) : '?';
    return table_->parse(id, text, value) ? v3::kResultOk : v3::kResultFalse;
}

v3::ParamValue Controller::normalizedParamToPlain(v3::ParamID id, v3::ParamValue value) {
    return id < kParamCount ? table_->toPlain(id, value) : value;
}

v3::ParamValue Controller::plainParamToNormalized(v3::ParamID id, v3::ParamValue plain) {
    return id < kParamCount ? table_->toNormalized(id, plain) : plain;
}

v3::ParamValue Controller::getParamNormalized(v3::ParamID id) { return id < kParamCount ? values_[id] : 0.0; }

v3::tresult Controller::setParamNormalized(v3::ParamID id, v3::ParamValue value) {
    if (id >= kParamCount) return v3::kInvalidArgument;
    values_[id] = value < 0 ? 0 : (value > 1 ? 1 : value);
    // The host passes the processor's Status changes through here (main thread): the moment to tell it when
    // the daemon's styles have renamed the Style entries.
    const std::uint64_t styles = ServedStyles::instance().version();
    if (styles != stylesShown_ && handler_ != nullptr) {
        stylesShown_ = styles;
        handler_->restartComponent(v3::IComponentHandler::kParamTitlesChanged);
    }
    return v3::kResultOk;
}

v3::tresult Controller::setComponentHandler(v3::IComponentHandler* handler) {
    if (handler == handler_) return v3::kResultOk;
    if (handler_ != nullptr) handler_->release();
    handler_ = handler;
    if (handler_ != nullptr) handler_->addRef();
    return v3::kResultOk;
}

}  // namespace jb
