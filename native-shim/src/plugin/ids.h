// Class ids and names of the plugin (they appear in hosts' caches and saved sessions: never change them).
#pragma once

#include "abi/vst3_abi.h"

namespace jb {

constexpr v3::Uid kProcessorCid = v3::makeUid(0x4A42524B, 0x50524F43, 0x9D1E0001, 0x00000001);
constexpr v3::Uid kControllerCid = v3::makeUid(0x4A42524B, 0x43545231, 0x9D1E0001, 0x00000002);
constexpr const char* kPluginName = "JukeboxBridge";
constexpr const char* kVendor = "JukeboxBridge";
constexpr const char* kVersion = "0.1.0";
constexpr const char* kSdkVersion = "VST 3.7.9";   // the interface level this ABI header describes

}  // namespace jb
