// Parameters (ranges, steps, value strings), the status value's packing, and the saved state format.
#include <cstring>

#include "check.h"
#include "plugin/params.h"
#include "plugin/state.h"
#include "plugin/styles.h"
#include "plugin/audio_engine.h"
#include "timeline/take_buffer.h"

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
    s.takes.push_back(TakeRecord{"20261125-041501-3f2a", 48000, 144000, 48000, 3, 192000, 88192, 44100, false, -1, ""});
    s.takes.push_back(TakeRecord{"second", 1, 2, 44100, 1, 5, 6, 44100, true, -1, ""});
    s.takes.push_back(TakeRecord{"third", 1, 2, 44100, 1, 5, 6, 44100, false, 2, "second"});
    const auto bytes = serializeState(s);
    CHECK(std::memcmp(bytes.data(), "JBS1", 4) == 0);
    PluginState r;
    CHECK(deserializeState(bytes.data(), bytes.size(), r));
    for (int i = 0; i < int(kParamCount); ++i) CHECK_NEAR(r.params[i], s.params[i], 0);
    CHECK_EQ(r.takes.size(), std::size_t(3));
    CHECK(r.takes[1].preview && !r.takes[0].preview);
    CHECK_EQ(r.takes[2].overlayVariation, 2);
    CHECK_EQ(r.takes[2].parent, std::string("second"));
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

TEST(version_1_states_still_load) {
    // A state saved before previews and overlays: version 1, 11 parameters, takes without the new fields.
    std::vector<std::uint8_t> v1;
    const auto put = [&](const void* p, std::size_t n) { v1.insert(v1.end(), (const std::uint8_t*)p, (const std::uint8_t*)p + n); };
    const std::uint32_t version = 1, np = 11, nt = 1, len = 3;
    put("JBS1", 4); put(&version, 4); put(&np, 4);
    for (int i = 0; i < 11; ++i) { const double v = 0.5; put(&v, 8); }
    put(&nt, 4); put(&len, 4); put("job", 3);
    const std::int64_t a = 10, b = 20, frames = 30, ps = 40, mr = 44100;
    const double rate = 48000;
    const std::int32_t vars = 2;
    put(&a, 8); put(&b, 8); put(&rate, 8); put(&vars, 4); put(&frames, 8); put(&ps, 8); put(&mr, 8);
    PluginState r;
    CHECK(deserializeState(v1.data(), v1.size(), r));
    CHECK_EQ(r.takes.size(), std::size_t(1));
    CHECK_EQ(r.takes[0].overlayVariation, -1);
    CHECK(!r.takes[0].preview);
    CHECK_NEAR(r.params[kParamQuality], -1, 0);   // unknown then: the caller keeps the default
    // An overlay with no parent is not a state this version writes.
    PluginState bad;
    bad.takes.push_back(TakeRecord{"x", 1, 2, 44100, 1, 5, 6, 44100, false, 1, ""});
    const auto bytes = serializeState(bad);
    CHECK(!deserializeState(bytes.data(), bytes.size(), r));
}

TEST(style_entries_are_the_bundles_then_the_daemons_and_old_states_keep_their_style) {
    StyleList bundled;   // only "Model default"
    ParamTable t(bundled);
    CHECK_EQ(t.def(kParamStyle).stepCount, styleSlots(bundled) - 1);
    const std::vector<Style> served{Style{"Sung rock", "brass_city", "la la", {"rock"}}};
    const std::vector<std::string> names{"Sung rock"};
    CHECK_EQ(styleName(bundled, names, 0), std::string("Model default"));
    CHECK_EQ(styleName(bundled, names, 1), std::string("Sung rock"));
    CHECK_EQ(styleAt(bundled, served, 1).lyrics, std::string("la la"));
    CHECK_EQ(styleName(bundled, names, 2), std::string("Daemon style 2 (none)"));
    CHECK_EQ(styleAt(bundled, served, 2).name, std::string("Model default"));   // an empty slot sends no style
    CHECK_EQ(styleAt(bundled, served, 9999).name, std::string("Model default"));
    // A version 2 state saved entry 3 of a 6-entry list (5 steps): the same entry now.
    StyleList none;
    ParamTable t6(none);
    const double v2 = 3.0 / 5.0;
    CHECK_NEAR(t6.toPlain(kParamStyle, t6.styleFromState(v2, 5)), 3.0, 0);
    CHECK_NEAR(t6.toPlain(kParamStyle, t6.styleFromState(v2, 0)), 0.0, 0);
    // A job id that is a path (it names the takes folder) is not a state this plugin reads.
    PluginState path;
    path.takes.push_back(TakeRecord{"../../escape", 1, 2, 44100, 1, 5, 6, 44100, false, -1, ""});
    const auto pathBytes = serializeState(path);
    PluginState refused;
    CHECK(!deserializeState(pathBytes.data(), pathBytes.size(), refused));
    // Version 3 records the steps it was saved with.
    PluginState s;
    s.styleSteps = 68;
    const auto bytes = serializeState(s);
    PluginState r;
    CHECK(deserializeState(bytes.data(), bytes.size(), r));
    CHECK_EQ(r.styleSteps, 68);
    // The daemon's list is published once per change.
    const auto before = ServedStyles::instance().version();
    ServedStyles::instance().publish(names);
    ServedStyles::instance().publish(names);
    CHECK_EQ(ServedStyles::instance().version(), before + 1);
    CHECK_EQ(t.format(kParamStyle, 1.0 / t.def(kParamStyle).stepCount), std::string("Sung rock"));
    ServedStyles::instance().publish({});
}

namespace {
// n frames of a constant stereo value for take `serial`, variation v, from take frame `offset`.
void sendPcm(LinkRings& rings, std::uint32_t serial, int v, std::int64_t offset, int n, float value) {
    for (int i = 0; i < n; i += PcmChunk::kFrames) {
        PcmChunk c;
        c.takeSerial = serial;
        c.variation = v;
        c.frames = std::min(PcmChunk::kFrames, n - i);
        c.offset = offset + i;
        for (int k = 0; k < 2 * c.frames; ++k) c.samples[k] = value;
        CHECK(rings.pcm.push(c));
    }
}
}  // namespace

TEST(an_upsample_plays_where_it_has_arrived_and_the_preview_elsewhere) {
    StyleList styles;
    ParamTable table(styles);
    LinkRings rings;
    AudioEngine e(rings, table);
    e.prepare(48000, 4096);
    const std::int64_t start = 10000;   // the loop end: where both takes begin on the timeline
    ToAudio base;
    base.kind = ToAudio::Kind::InstallTake;
    base.take = new TakeBuffer(1, 3, 2048, start);
    CHECK(rings.toAudio.push(base));
    ToAudio over;
    over.kind = ToAudio::Kind::InstallTake;
    over.take = new TakeBuffer(2, 1, 2048, start);
    over.overlayVariation = 1;            // the full take of variation 2
    CHECK(rings.toAudio.push(over));
    sendPcm(rings, 1, 0, 0, 2048, 0.125f);   // the preview, every variation
    sendPcm(rings, 1, 1, 0, 2048, 0.25f);
    sendPcm(rings, 1, 2, 0, 2048, 0.375f);
    sendPcm(rings, 2, 0, 0, 768, 0.75f);     // the full take: its first 768 frames so far
    e.setParam(kParamVariation, table.toNormalized(kParamVariation, 2));
    Transport t;
    t.valid = t.playing = true;
    std::vector<float> l(4096, 0.5f), r(4096, 0.5f), ol(4096), orr(4096);
    const float* in[2] = {l.data(), r.data()};
    float* out[2] = {ol.data(), orr.data()};
    // One block from 100 frames before the take to past its end (the rings drain at the block's start).
    t.blockStart = start - 100;
    e.process(t, in, out, 2400, false);
    CHECK(e.overlay() != nullptr && e.overlayVariation() == 1);
    bool ok = true;
    for (int i = 0; i < 2400; ++i) {
        const std::int64_t pos = t.blockStart + i;
        const float want = pos < start ? 0.5f : pos < start + 768 ? 0.75f : pos < start + 2048 ? 0.25f : 0.5f;
        if (ol[i] != want || orr[i] != want) {
            std::printf("  frame %lld: %g, want %g\n", (long long)pos, ol[i], want);
            ok = false;
            break;
        }
    }
    CHECK(ok);   // input, full take to the sample where it has arrived, preview of variation 2, input
    CHECK(!e.status().waiting);
    // Variation 1 has no upsample: its preview plays.
    e.setParam(kParamVariation, table.toNormalized(kParamVariation, 1));
    t.blockStart = start;
    e.process(t, in, out, 1024, false);
    CHECK_NEAR(ol[0], 0.125, 0);
    CHECK_NEAR(ol[1023], 0.125, 0);
    // The rest of the full take arrives: it replaces the preview there too.
    sendPcm(rings, 2, 0, 768, 2048 - 768, 0.75f);
    e.setParam(kParamVariation, table.toNormalized(kParamVariation, 2));
    e.process(t, in, out, 2048, false);
    bool full = true;
    for (int i = 0; i < 2048; ++i) full = full && ol[i] == 0.75f;
    CHECK(full);
    // A new take retires the old one and its upsample.
    ToAudio next;
    next.kind = ToAudio::Kind::InstallTake;
    next.take = new TakeBuffer(3, 1, 512, start);
    CHECK(rings.toAudio.push(next));
    e.process(t, in, out, 64, false);
    CHECK(e.overlay() == nullptr);
    ToNet back;
    int retired = 0;
    while (rings.toNet.pop(back)) {
        if (back.kind == ToNet::Kind::RetireTake) { ++retired; delete back.take; }
    }
    CHECK_EQ(retired, 2);
    e.release();
}

TEST(upsample_selected_asks_for_the_audible_variation_once_per_press) {
    StyleList styles;
    ParamTable table(styles);
    LinkRings rings;
    AudioEngine e(rings, table);
    e.prepare(48000, 512);
    ToAudio base;
    base.kind = ToAudio::Kind::InstallTake;
    base.take = new TakeBuffer(1, 3, 2048, 0);
    CHECK(rings.toAudio.push(base));
    Transport t;
    t.valid = true;
    std::vector<float> l(64), r(64), ol(64), orr(64);
    const float* in[2] = {l.data(), r.data()};
    float* out[2] = {ol.data(), orr.data()};
    e.process(t, in, out, 64, false);
    e.setParam(kParamVariation, table.toNormalized(kParamVariation, 3));
    e.setParam(kParamUpsample, 1.0);
    e.process(t, in, out, 64, false);
    e.process(t, in, out, 64, false);        // held: no second request
    e.setParam(kParamUpsample, 0.0);
    e.process(t, in, out, 64, false);
    int asks = 0, variation = -1;
    ToNet m;
    while (rings.toNet.pop(m))
        if (m.kind == ToNet::Kind::Upsample) { ++asks; variation = m.variation; }
    CHECK_EQ(asks, 1);
    CHECK_EQ(variation, 2);
    e.release();
}

TEST_MAIN()
