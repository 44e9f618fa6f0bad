// The processor's saved state (IComponent::getState/setState, and IEditController::setComponentState):
// the parameter values and the jobs whose takes were received, so that reopening the project fetches
// them again from the daemon. Little-endian, versioned:
//   "JBS1" u32 version=3 | u32 nParams | nParams × f64 normalized
//   | u32 nTakes | nTakes × { u32 len, job bytes, i64 loopStart, i64 loopEnd, f64 hostRate, i32 variations,
//                             i64 frames,
//                             i64 promptSamples, i64 modelRate,
//                             (version ≥ 2:) u8 preview, i32 overlayVariation, u32 len, parent job bytes }
//   | (version 3:) i32 styleSteps (the Style parameter's step count when saved: its entries changed in v3)
// Versions 1 and 2 are still read (styleSteps -1: the caller knows their Style list).
// Threads: [main-thread] (allocates).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "plugin/params.h"

namespace jb {

struct TakeRecord {
    std::string job;
    std::int64_t loopStart = 0, loopEnd = 0;   // timeline samples at hostRate
    double hostRate = 0;
    std::int32_t variations = 1;
    std::int64_t frames = 0;                   // continuation length at hostRate
    std::int64_t promptSamples = 0;            // the prompt as the model saw it (block offsets start there)
    std::int64_t modelRate = 0;                // the daemon's block rate
    bool preview = false;                      // a preview job's take (decoded from the top level)
    // An upsample of variation overlayVariation of job `parent` (a take in the same state): played over
    // that take's variation. -1: a take of its own.
    std::int32_t overlayVariation = -1;
    std::string parent;
};

struct PluginState {
    double params[kParamCount] = {};
    std::vector<TakeRecord> takes;   // oldest first; the last one plays
    std::int32_t styleSteps = -1;    // -1: a version 1 or 2 state (Style steps = bundled styles − 1)
};

std::vector<std::uint8_t> serializeState(const PluginState& s);
// False (and s untouched) when the bytes are not a state this version can read.
bool deserializeState(const std::uint8_t* data, std::size_t n, PluginState& s);

}  // namespace jb
