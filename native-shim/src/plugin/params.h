// The plugin's parameters: ids, ranges, defaults and value strings, shared by the processor (which
// receives normalized values in process()) and the controller (which shows them to the host).
// Threads: pure functions over constant tables plus the StyleList given at construction: any thread,
// except format()/parse() which build strings ([main-thread]).
#pragma once

#include <cstdint>
#include <string>

#include "plugin/rt_messages.h"

namespace jb {

class StyleList;

enum ParamId : std::uint32_t {
    kParamGenerate = 0,    // toggle; 0→1 sends the captured loop (when a full pass is in)
    kParamAuto,            // toggle; send automatically after each new full pass of a new loop range
    kParamMode,            // list: Continuation, Mix, Input
    kParamLength,          // 1..64 (bars or seconds, by LengthUnit)
    kParamLengthUnit,      // list: Bars, Seconds
    kParamTemperature,     // 0.50..1.20
    kParamVariations,      // 1..8 generated together
    kParamVariation,       // 1..8 audible one
    kParamStyle,           // list: the bundle's styles, then the daemon's (styles.h)
    kParamDryWet,          // 0..1, for Mix
    kParamStatus,          // read-only: connection, job state, progress
    kParamQuality,         // list: Full, Preview (the top level only: fast, coarse; upsample the keeper)
    kParamUpsample,        // toggle; 0→1 upsamples the audible variation of the take at full quality
    kParamExport,          // toggle; 0→1 writes the current job's takes (BWF WAVs) into the takes folder
    kParamCount
};

enum class OutputMode { Continuation = 0, Mix = 1, Input = 2 };
enum class Quality { Full = 0, Preview = 1 };

struct ParamDef {
    ParamId id;
    const char* title;
    const char* shortTitle;
    const char* units;
    double minPlain, maxPlain, defaultPlain;
    int stepCount;   // 0 = continuous
    bool automatable, readOnly, list;
};

class ParamTable {
public:
    explicit ParamTable(const StyleList& styles);
    const ParamDef& def(std::uint32_t id) const { return defs_[id < kParamCount ? id : 0]; }
    double toPlain(std::uint32_t id, double normalized) const;
    double toNormalized(std::uint32_t id, double plain) const;
    double defaultNormalized(std::uint32_t id) const { return toNormalized(id, def(id).defaultPlain); }
    std::string format(std::uint32_t id, double normalized) const;
    bool parse(std::uint32_t id, const std::string& text, double* normalized) const;
    // The Style value of a state saved when the parameter had savedSteps steps (the same entry index now).
    double styleFromState(double normalized, int savedSteps) const;

private:
    const StyleList& styles_;
    ParamDef defs_[kParamCount];
};

// The status parameter packs the connection, job state, "waiting for blocks" and progress into one
// normalized value with a readable string.
struct StatusValue {
    NetStatus net;
    bool waiting = false;     // the playhead is in the take where blocks have not arrived
    bool capturing = false;   // a Generate is pending until a full pass of the loop is in
    std::uint8_t capturePct = 0;
};
constexpr int kStatusSteps = kExportStates * kProblemStates * kConnectionStates * 5 * 2 * 2 * 101 - 1;
double encodeStatus(const StatusValue& s);
StatusValue decodeStatus(double normalized);
std::string formatStatus(const StatusValue& s);

}  // namespace jb
