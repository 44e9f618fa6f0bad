// The built module through the ABI, without a daemon: entry points, classes, parameters with readable
// strings, bus handling, audio passes through unchanged, latency 0, state round trip, zero allocations in
// process(), status says the daemon is offline.
#include <cmath>
#include <cstdlib>
#include <vector>

#include "../unit/check.h"
#include "alloc_counter.h"
#include "host.h"

using namespace jbhost;

namespace {
struct Env {
    Env() {
        // No daemon: a client file that does not exist.
        setenv("JUKEBOXBRIDGE_CLIENT_FILE", "/nonexistent/jukeboxbridge/client.json", 1);
    }
} env;

void sine(std::vector<float>& l, std::vector<float>& r, std::int64_t pos, int n) {
    for (int i = 0; i < n; ++i) {
        l[i] = float(0.3 * std::sin(2 * M_PI * 220.0 * double(pos + i) / 48000.0));
        r[i] = float(0.2 * std::sin(2 * M_PI * 330.0 * double(pos + i) / 48000.0));
    }
}
}  // namespace

TEST(parameters_have_ranges_and_readable_strings) {
    Plugin p(findModule());
    CHECK_EQ(p.parameterCount(), 14);
    const char* titles[] = {"Generate", "Auto", "Mode", "Length", "Length unit", "Temperature", "Variations",
                            "Variation", "Style", "Dry/Wet", "Status", "Quality", "Upsample selected", "Export takes"};
    for (int i = 0; i < 14; ++i) {
        const auto info = p.parameterInfo(i);
        std::string t;
        for (int k = 0; info.title[k]; ++k) t += char(info.title[k]);
        CHECK_EQ(t, std::string(titles[i]));
        CHECK_EQ(int(info.id), i);
    }
    CHECK((p.parameterInfo(10).flags & v3::ParameterInfo::kIsReadOnly) != 0);
    CHECK((p.parameterInfo(0).flags & v3::ParameterInfo::kCanAutomate) != 0);
    CHECK_EQ(p.paramString(2, 0.0), std::string("Continuation"));
    CHECK_EQ(p.paramString(2, 0.5), std::string("Mix"));
    CHECK_EQ(p.paramString(2, 1.0), std::string("Input"));
    CHECK_EQ(p.paramString(3, 0.0), std::string("1"));
    CHECK_EQ(p.paramString(3, 1.0), std::string("64"));
    CHECK_EQ(p.paramString(5, 1.0), std::string("1.20"));
    CHECK_EQ(p.paramString(8, 0.0), std::string("Model default"));
    // Styles come from presets/styles (copied into the bundle): more than the default entry.
    CHECK(p.parameterInfo(8).stepCount >= 5);
    CHECK_EQ(p.paramString(8, 1.0 / p.parameterInfo(8).stepCount), std::string("Aurora ambient"));
    CHECK_EQ(p.paramString(9, 0.25), std::string("25%"));
    CHECK_EQ(p.controller->normalizedParamToPlain(3, 3.0 / 63.0), 4.0);
    CHECK_EQ(p.paramString(10, 0.0), std::string("daemon offline"));
    CHECK_EQ(p.paramString(11, 0.0), std::string("Full"));
    CHECK_EQ(p.paramString(11, 1.0), std::string("Preview"));
    CHECK_EQ(p.paramString(12, 1.0), std::string("Upsample"));
    CHECK((p.parameterInfo(12).flags & v3::ParameterInfo::kCanAutomate) != 0);
}

TEST(without_a_daemon_audio_passes_through_unchanged_with_no_allocation) {
    Plugin p(findModule());
    p.setup(48000, 128, v3::kRealtime);
    CHECK_EQ(p.processor->getLatencySamples(), 0u);
    CHECK(p.processor->canProcessSampleSize(v3::kSample64) != v3::kResultTrue);
    Transport t;
    t.loopStartQ = 0;
    t.loopEndQ = 1;   // 0.5 s
    std::vector<float> l(128), r(128), ol(128), or_(128);
    const float* in[2] = {l.data(), r.data()};
    float* out[2] = {ol.data(), or_.data()};
    bool same = true;
    p.inputChanges.set(0, 1.0);   // Generate: nothing to send it to
    const std::uint64_t before = allocationsCounted();
    for (int b = 0; b < 2000; ++b) {
        int n = 128;
        const auto ctx = t.context(n);
        sine(l, r, t.pos, n);
        countAllocations(true);
        p.process(in, out, n, &ctx, v3::kRealtime);
        countAllocations(false);
        for (int i = 0; i < n; ++i) same = same && ol[i] == l[i] && or_[i] == r[i];
        t.advance(n);
    }
    CHECK(same);
    CHECK_EQ(allocationsCounted() - before, std::uint64_t(0));
    // The hook sees the plugin's own allocations (its static libstdc++'s operator new calls malloc):
    // getState allocates inside the module, so counting it must give more than zero.
    const std::uint64_t mark = allocationsCounted();
    countAllocations(true);
    const auto state = p.getState();
    countAllocations(false);
    CHECK(allocationsCounted() - mark > 0);
    // The status parameter reached the host through the output changes.
    CHECK(p.paramString(10, p.status).find("offline") != std::string::npos ||
          p.paramString(10, p.status).find("connecting") != std::string::npos);
    // A parameter flush (no samples) is fine.
    p.process(in, out, 0, nullptr, v3::kRealtime);
}

TEST(in_place_processing_and_no_context_pass_through) {
    Plugin p(findModule());
    p.setup(48000, 256, v3::kRealtime);
    std::vector<float> l(256), r(256), keepL(256), keepR(256);
    sine(l, r, 0, 256);
    keepL = l;
    keepR = r;
    float* io[2] = {l.data(), r.data()};
    p.process(io, io, 256, nullptr, v3::kRealtime);
    CHECK(l == keepL && r == keepR);
}

TEST(mono_buses_are_accepted_and_pass_through_in_place) {
    Plugin p(findModule());
    v3::ProcessSetup setup{v3::kRealtime, v3::kSample32, 256, 48000};
    CHECK(p.processor->setupProcessing(&setup) == v3::kResultOk);
    v3::SpeakerArrangement mono = v3::kMono, mono2 = v3::kMono, stereo = v3::kStereo;
    CHECK(p.processor->setBusArrangements(&mono, 1, &stereo, 1) == v3::kResultFalse);   // in ≠ out: refused
    CHECK(p.processor->setBusArrangements(&mono, 1, &mono2, 1) == v3::kResultTrue);
    v3::SpeakerArrangement got = 0;
    p.processor->getBusArrangement(v3::kOutput, 0, &got);
    CHECK(got == v3::kMono);
    v3::BusInfo info{};
    p.component->getBusInfo(v3::kAudio, v3::kInput, 0, &info);
    CHECK_EQ(info.channelCount, 1);
    std::vector<float> x(256), keep;
    for (int i = 0; i < 256; ++i) x[i] = float(i) / 256;
    keep = x;
    float* ch[1] = {x.data()};
    v3::AudioBusBuffers bus{};
    bus.numChannels = 1;
    bus.channelBuffers32 = ch;
    Transport t;
    int n = 256;
    auto ctx = t.context(n);
    v3::ProcessData d{};
    d.processMode = v3::kRealtime;
    d.symbolicSampleSize = v3::kSample32;
    d.numSamples = n;
    d.numInputs = d.numOutputs = 1;
    d.inputs = d.outputs = &bus;
    d.processContext = &ctx;
    countAllocations(true);
    const std::uint64_t before = allocationsCounted();
    CHECK(p.processor->process(&d) == v3::kResultOk);
    countAllocations(false);
    CHECK_EQ(allocationsCounted() - before, std::uint64_t(0));
    CHECK(x == keep);
}

TEST(state_round_trip_keeps_settings) {
    std::vector<std::uint8_t> saved;
    {
        Plugin p(findModule());
        p.setup(48000, 128, v3::kRealtime);
        p.inputChanges.set(2, 0.5);        // Mode: Mix
        p.inputChanges.set(3, 7.0 / 63);   // Length 8
        p.inputChanges.set(7, 2.0 / 7);    // Variation 3
        std::vector<float> l(128), r(128);
        const float* in[2] = {l.data(), r.data()};
        float* out[2] = {l.data(), r.data()};
        p.process(in, out, 128, nullptr, v3::kRealtime);
        saved = p.getState();
    }
    CHECK(saved.size() > 8);
    Plugin q(findModule());
    CHECK(q.setState(saved));
    CHECK_NEAR(q.controller->getParamNormalized(2), 0.5, 1e-12);
    CHECK_NEAR(q.controller->normalizedParamToPlain(3, q.controller->getParamNormalized(3)), 8.0, 1e-9);
    const auto again = q.getState();
    CHECK(again == saved);
    CHECK(!q.setState(std::vector<std::uint8_t>{'n', 'o', 'p', 'e', 0, 0, 0, 0}));
}

TEST_MAIN()
