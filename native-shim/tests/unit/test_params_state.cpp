// Parameters (ranges, steps, value strings), the status value's packing, and the saved state format.
#include <cstring>

#include "check.h"
#include "plugin/params.h"
#include "plugin/state.h"
#include "plugin/styles.h"

using namespace jb;

TEST(plain_and_normalized_values_round_trip_on_their_steps) {
    StyleList styles;   // only "Model default"
    ParamTable t(styles);
    for (int bars = 1; bars <= 64; ++bars)
        CHECK_NEAR(t.toPlain(kParamLength, t.toNormalized(kParamLength, bars)), bars, 1e-9);
    for (int v = 1; v <= 8; ++v) CHECK_NEAR(t.toPlain(kParamVariation, t.toNormalized(kParamVariation, v)), v, 1e-9);
    CHECK_NEAR(t.toPlain(kParamTemperature, t.toNormalized(kParamTemperature, 0.98)), 0.98, 1e-12);
    CHECK_NEAR(t.toPlain(kParamLength, 0.5), 33.0, 1e-9);     // snapped to a step
    CHECK_NEAR(t.toPlain(kParamLength, 2.0), 64.0, 1e-9);     // clamped
    CHECK_NEAR(t.defaultNormalized(kParamLength), 3.0 / 63, 1e-12);   // 4 bars
    double n = -1;
    CHECK(t.parse(kParamMode, "Mix", &n));
    CHECK_NEAR(n, 0.5, 1e-12);
    CHECK(t.parse(kParamLength, "16", &n));
    CHECK_EQ(t.format(kParamLength, n), std::string("16"));
    CHECK(t.parse(kParamDryWet, "25", &n));
    CHECK_EQ(t.format(kParamDryWet, n), std::string("25%"));
    CHECK(!t.parse(kParamLength, "lots", &n));
    CHECK_EQ(t.format(kParamStyle, 0), std::string("Model default"));
}

TEST(status_packs_every_state_and_progress) {
    int checked = 0;
    for (int pr = 0; pr < kProblemStates; ++pr)
    for (int c = 0; c < kConnectionStates; ++c)
        for (int j = 0; j < 5; ++j)
            for (int w = 0; w < 2; ++w)
                for (int cap = 0; cap < 2; ++cap)
                    for (int pct : {0, 1, 42, 99, 100}) {
                        StatusValue s;
                        s.net.connection = Connection(c);
                        s.net.problem = Problem(pr);
                        s.net.job = JobState(j);
                        s.waiting = w;
                        s.capturing = cap;
                        if (cap) s.capturePct = std::uint8_t(pct);
                        else s.net.progress = std::uint8_t(pct);
                        const double v = encodeStatus(s);
                        CHECK(v >= 0 && v <= 1);
                        const StatusValue d = decodeStatus(v);
                        CHECK(d.net == s.net && d.waiting == s.waiting && d.capturing == s.capturing &&
                              d.capturePct == s.capturePct);
                        ++checked;
                    }
    CHECK_EQ(checked, kProblemStates * kConnectionStates * 5 * 2 * 2 * 5);
    StatusValue s;
    s.net.connection = Connection::Connected;
    s.net.job = JobState::Generating;
    s.net.progress = 42;
    s.waiting = true;
    CHECK_EQ(formatStatus(decodeStatus(encodeStatus(s))), std::string("connected, generating 42%, waiting"));
    s.net.problem = Problem::BadBlock;
    CHECK_EQ(formatStatus(decodeStatus(encodeStatus(s))),
             std::string("connected, generating 42%, waiting; daemon block does not fit its job"));
    StatusValue u;
    u.net.connection = Connection::DaemonUnproven;
    CHECK_EQ(formatStatus(u), std::string("the daemon could not prove it knows this client"));
}

TEST(state_round_trips_and_refuses_foreign_bytes) {
    PluginState s;
    for (int i = 0; i < int(kParamCount); ++i) s.params[i] = i / 16.0;
    s.takes.push_back(TakeRecord{"20261125-041501-3f2a", 48000, 144000, 48000, 3, 192000, 88192, 44100});
    s.takes.push_back(TakeRecord{"second", 1, 2, 44100, 1, 5, 6, 44100});
    const auto bytes = serializeState(s);
    CHECK(std::memcmp(bytes.data(), "JBS1", 4) == 0);
    PluginState r;
    CHECK(deserializeState(bytes.data(), bytes.size(), r));
    for (int i = 0; i < int(kParamCount); ++i) CHECK_NEAR(r.params[i], s.params[i], 0);
    CHECK_EQ(r.takes.size(), std::size_t(2));
    CHECK_EQ(r.takes[0].job, std::string("20261125-041501-3f2a"));
    CHECK_EQ(r.takes[0].loopEnd, std::int64_t(144000));
    CHECK_EQ(r.takes[0].variations, 3);
    CHECK_EQ(r.takes[0].promptSamples, std::int64_t(88192));
    CHECK_EQ(r.takes[1].modelRate, std::int64_t(44100));
    CHECK(serializeState(r) == bytes);
    // Truncated or foreign bytes leave the target untouched.
    PluginState keep;
    keep.params[0] = 0.25;
    CHECK(!deserializeState(bytes.data(), bytes.size() - 3, keep));
    CHECK(!deserializeState(reinterpret_cast<const std::uint8_t*>("VST3xxxxxxxx"), 12, keep));
    CHECK_NEAR(keep.params[0], 0.25, 0);
}

TEST_MAIN()
