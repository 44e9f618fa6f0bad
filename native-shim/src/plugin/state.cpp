#include "plugin/state.h"

#include <cstring>

#include "protocol/messages.h"

namespace jb {
namespace {

void put(std::vector<std::uint8_t>& out, const void* p, std::size_t n) {
    // Little-endian hosts only (static_assert-ed in the processor); written as stored.
    const auto* b = static_cast<const std::uint8_t*>(p);
    out.insert(out.end(), b, b + n);
}
template <typename T>
void put(std::vector<std::uint8_t>& out, T v) { put(out, &v, sizeof v); }

struct In {
    const std::uint8_t* p;
    std::size_t n;
    bool ok = true;
    template <typename T>
    T get() {
        T v{};
        if (n < sizeof v) { ok = false; return v; }
        std::memcpy(&v, p, sizeof v);
        p += sizeof v; n -= sizeof v;
        return v;
    }
};

}  // namespace

std::vector<std::uint8_t> serializeState(const PluginState& s) {
    std::vector<std::uint8_t> out;
    put(out, "JBS1", 4);
    put<std::uint32_t>(out, 3);
    put<std::uint32_t>(out, kParamCount);
    for (double v : s.params) put(out, v);
    put<std::uint32_t>(out, static_cast<std::uint32_t>(s.takes.size()));
    for (const auto& t : s.takes) {
        put<std::uint32_t>(out, static_cast<std::uint32_t>(t.job.size()));
        put(out, t.job.data(), t.job.size());
        put(out, t.loopStart);
        put(out, t.loopEnd);
        put(out, t.hostRate);
        put(out, t.variations);
        put(out, t.frames);
        put(out, t.promptSamples);
        put(out, t.modelRate);
        put<std::uint8_t>(out, t.preview ? 1 : 0);
        put(out, t.overlayVariation);
        put<std::uint32_t>(out, static_cast<std::uint32_t>(t.parent.size()));
        put(out, t.parent.data(), t.parent.size());
    }
    put(out, s.styleSteps);
    return out;
}

bool deserializeState(const std::uint8_t* data, std::size_t n, PluginState& s) {
    if (n < 8 || std::memcmp(data, "JBS1", 4) != 0) return false;
    In in{data + 4, n - 4};
    const std::uint32_t version = in.get<std::uint32_t>();
    if (version < 1 || version > 3) return false;
    PluginState r;
    const std::uint32_t np = in.get<std::uint32_t>();
    for (std::uint32_t i = 0; i < np && in.ok; ++i) {
        const double v = in.get<double>();
        if (i < kParamCount) r.params[i] = v;
    }
    for (std::uint32_t i = np; i < kParamCount; ++i) r.params[i] = -1;   // unknown: caller keeps defaults
    const std::uint32_t nt = in.get<std::uint32_t>();
    for (std::uint32_t i = 0; i < nt && in.ok && i < 1024; ++i) {
        TakeRecord t;
        const std::uint32_t len = in.get<std::uint32_t>();
        if (!in.ok || len > 256 || len > in.n) return false;
        t.job.assign(reinterpret_cast<const char*>(in.p), len);
        in.p += len; in.n -= len;
        if (!proto::isSafeJobId(t.job)) return false;   // it names a folder (Export takes)
        t.loopStart = in.get<std::int64_t>();
        t.loopEnd = in.get<std::int64_t>();
        t.hostRate = in.get<double>();
        t.variations = in.get<std::int32_t>();
        t.frames = in.get<std::int64_t>();
        t.promptSamples = in.get<std::int64_t>();
        t.modelRate = in.get<std::int64_t>();
        if (version >= 2) {
            t.preview = in.get<std::uint8_t>() != 0;
            t.overlayVariation = in.get<std::int32_t>();
            const std::uint32_t plen = in.get<std::uint32_t>();
            if (!in.ok || plen > 256 || plen > in.n) return false;
            t.parent.assign(reinterpret_cast<const char*>(in.p), plen);
            in.p += plen; in.n -= plen;
            if (!t.parent.empty() && !proto::isSafeJobId(t.parent)) return false;
            if (t.overlayVariation < -1 || t.overlayVariation >= 8 || (t.overlayVariation >= 0) == t.parent.empty()) return false;
        }
        r.takes.push_back(std::move(t));
    }
    if (version >= 3) r.styleSteps = in.get<std::int32_t>();
    if (!in.ok) return false;
    s = std::move(r);
    return true;
}

}  // namespace jb
