#include "plugin/params.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "plugin/styles.h"
#include "plugin/shared_text.h"

namespace jb {
namespace {
const char* const kModeNames[] = {"Continuation", "Mix", "Input"};
const char* const kUnitNames[] = {"Bars", "Seconds"};
const char* const kQualityNames[] = {"Full", "Preview"};
}  // namespace

ParamTable::ParamTable(const StyleList& styles)
    : styles_(styles),
      defs_{
          {kParamGenerate, "Generate", "Gen", "", 0, 1, 0, 1, true, false, false},
          {kParamAuto, "Auto", "Auto", "", 0, 1, 0, 1, true, false, false},
          {kParamMode, "Mode", "Mode", "", 0, 2, 0, 2, true, false, true},
          {kParamLength, "Length", "Len", "", 1, 64, 4, 63, true, false, false},
          {kParamLengthUnit, "Length unit", "Unit", "", 0, 1, 0, 1, true, false, true},
          {kParamTemperature, "Temperature", "Temp", "", 0.5, 1.2, 0.98, 0, true, false, false},
          {kParamVariations, "Variations", "Vars", "", 1, 8, 1, 7, true, false, false},
          {kParamVariation, "Variation", "Var", "", 1, 8, 1, 7, true, false, false},
          {kParamStyle, "Style", "Style", "", 0, double(styleSlots(styles) - 1), 0, styleSlots(styles) - 1, true, false,
           true},
          {kParamDryWet, "Dry/Wet", "D/W", "%", 0, 1, 0.5, 0, true, false, false},
          {kParamStatus, "Status", "Status", "", 0, 1, 0, kStatusSteps, false, true, false},
          {kParamQuality, "Quality", "Qual", "", 0, 1, 0, 1, true, false, true},
          {kParamUpsample, "Upsample selected", "Ups", "", 0, 1, 0, 1, true, false, false},
          {kParamExport, "Export takes", "Export", "", 0, 1, 0, 1, true, false, false},
      } {}

double ParamTable::toPlain(std::uint32_t id, double n) const {
    const ParamDef& d = def(id);
    n = n < 0 ? 0 : (n > 1 ? 1 : n);
    if (id == kParamStatus) return n;
    if (d.stepCount > 0) return d.minPlain + std::floor(n * d.stepCount + 0.5) * (d.maxPlain - d.minPlain) / d.stepCount;
    return d.minPlain + n * (d.maxPlain - d.minPlain);
}

double ParamTable::toNormalized(std::uint32_t id, double plain) const {
    const ParamDef& d = def(id);
    if (id == kParamStatus) return plain;
    if (d.maxPlain <= d.minPlain) return 0;
    double n = (plain - d.minPlain) / (d.maxPlain - d.minPlain);
    n = n < 0 ? 0 : (n > 1 ? 1 : n);
    if (d.stepCount > 0) n = std::floor(n * d.stepCount + 0.5) / d.stepCount;
    return n;
}

std::string ParamTable::format(std::uint32_t id, double n) const {
    const double p = toPlain(id, n);
    char buf[128];
    switch (id) {
        case kParamGenerate: return p >= 0.5 ? "Generate" : "Off";
        case kParamAuto: return p >= 0.5 ? "On" : "Off";
        case kParamMode: return kModeNames[int(p + 0.5)];
        case kParamLengthUnit: return kUnitNames[int(p + 0.5)];
        case kParamQuality: return kQualityNames[int(p + 0.5)];
        case kParamUpsample: return p >= 0.5 ? "Upsample" : "Off";
        case kParamExport: return p >= 0.5 ? "Export" : "Off";
        case kParamStyle: return styleName(styles_, ServedStyles::instance().names(), int(p + 0.5));
        case kParamTemperature: std::snprintf(buf, sizeof buf, "%.2f", p); return buf;
        case kParamDryWet: std::snprintf(buf, sizeof buf, "%.0f%%", p * 100); return buf;
        case kParamStatus: {
            const StatusValue s = decodeStatus(n);
            std::string out = formatStatus(s);
            if (s.net.exported == ExportState::Done) out += " to " + ExportedPath::instance().get();
            return out;
        }
        default: std::snprintf(buf, sizeof buf, "%d", int(p + 0.5)); return buf;
    }
}

bool ParamTable::parse(std::uint32_t id, const std::string& text, double* normalized) const {
    const ParamDef& d = def(id);
    if (d.list || id == kParamGenerate || id == kParamAuto || id == kParamUpsample || id == kParamExport) {
        for (int i = 0; i <= d.stepCount; ++i) {
            const double n = d.stepCount > 0 ? double(i) / d.stepCount : 0;
            if (format(id, n) == text) { *normalized = n; return true; }
        }
    }
    char* end = nullptr;
    double v = std::strtod(text.c_str(), &end);
    if (end == text.c_str()) return false;
    if (id == kParamDryWet) v /= 100.0;
    *normalized = toNormalized(id, v);
    return true;
}

double ParamTable::styleFromState(double normalized, int savedSteps) const {
    if (savedSteps <= 0) return toNormalized(kParamStyle, 0);
    const double n = normalized < 0 ? 0 : (normalized > 1 ? 1 : normalized);
    return toNormalized(kParamStyle, std::floor(n * savedSteps + 0.5));
}

double encodeStatus(const StatusValue& s) {
    int v = int(s.net.exported);
    v = v * kProblemStates + int(s.net.problem);
    v = v * kConnectionStates + int(s.net.connection);
    v = v * 5 + int(s.net.job);
    v = v * 2 + (s.waiting ? 1 : 0);
    v = v * 2 + (s.capturing ? 1 : 0);
    v = v * 101 + (s.capturing ? s.capturePct : s.net.progress);
    return double(v) / kStatusSteps;
}

StatusValue decodeStatus(double n) {
    int v = int(std::lround(n * kStatusSteps));
    StatusValue s;
    const int pct = v % 101; v /= 101;
    s.capturing = v % 2; v /= 2;
    s.waiting = v % 2; v /= 2;
    s.net.job = JobState(v % 5); v /= 5;
    s.net.connection = Connection(v % kConnectionStates); v /= kConnectionStates;
    s.net.problem = Problem(v % kProblemStates); v /= kProblemStates;
    s.net.exported = ExportState(v % kExportStates);
    if (s.capturing) s.capturePct = std::uint8_t(pct);
    else s.net.progress = std::uint8_t(pct);
    return s;
}

std::string formatStatus(const StatusValue& s) {
    static const char* const conn[] = {"daemon offline", "connecting", "connected", "auth failed",
                                       "the daemon could not prove it knows this client",
                                       "client file readable by others: chmod 600 it",
                                       "remote endpoint without CURVE refused"};
    static_assert(sizeof(conn) / sizeof(conn[0]) == kConnectionStates, "one string per state");
    static const char* const problem[] = {"", "; daemon sent undecodable data", "; daemon broke the handshake",
                                          "; daemon block does not fit its job", "; daemon block for an unknown job",
                                          "; daemon accepted impossible settings", "; daemon ignored its credit",
                                          "; internal error on a daemon message"};
    static_assert(sizeof(problem) / sizeof(problem[0]) == kProblemStates, "one string per problem");
    std::string out = conn[int(s.net.connection)];
    char buf[64];
    switch (s.net.job) {
        case JobState::None: break;
        case JobState::Submitted: out += ", submitted"; break;
        case JobState::Generating: std::snprintf(buf, sizeof buf, ", generating %d%%", s.net.progress); out += buf; break;
        case JobState::Done: out += ", take ready"; break;
        case JobState::Failed: out += ", job failed"; break;
    }
    if (s.capturing) { std::snprintf(buf, sizeof buf, ", capturing loop %d%%", s.capturePct); out += buf; }
    if (s.waiting) out += ", waiting";
    static const char* const exports[] = {"", ", exporting takes when the job is done", ", takes exported", ", export failed"};
    static_assert(sizeof(exports) / sizeof(exports[0]) == kExportStates, "one string per export state");
    out += exports[int(s.net.exported)];
    out += problem[int(s.net.problem)];
    return out;
}

}  // namespace jb
