#include "protocol/messages.h"

#include <climits>
#include <cstdint>
#include <cstring>
#include <type_traits>

#include "protocol/sha256.h"

namespace jb::proto {
namespace {

using mp::Value;
using mp::Writer;

// ---- encoding ------------------------------------------------------------------------------

// Counts and writes the optional fields of a map in one place, so the header count matches.
struct MapOut {
    Writer& w;
    template <typename T>
    static std::size_t count(const std::optional<T>& v) { return v ? 1 : 0; }
};

void strings(Writer& w, const std::vector<std::string>& v) {
    w.arrayHeader(v.size());
    for (const auto& s : v) w.str(s);
}

void header(Writer& w, std::size_t fields, const char* type) {
    w.mapHeader(2 + fields);
    w.key("v").integer(kVersion);
    w.key("type").str(type);
}

void settingsMap(Writer& w, const Settings& s) {
    const std::size_t n = MapOut::count(s.model) + MapOut::count(s.seconds) + MapOut::count(s.variations) +
                          MapOut::count(s.seed) + MapOut::count(s.temperature) + MapOut::count(s.topK) +
                          MapOut::count(s.topP) + MapOut::count(s.artist) + MapOut::count(s.genre) +
                          MapOut::count(s.lyrics) + MapOut::count(s.quality) + MapOut::count(s.variation) +
                          MapOut::count(s.timelineSeconds);
    w.mapHeader(n);
    if (s.model) w.key("model").str(*s.model);
    if (s.seconds) w.key("seconds").float64(*s.seconds);
    if (s.variations) w.key("variations").integer(*s.variations);
    if (s.seed) w.key("seed").integer(*s.seed);
    if (s.temperature) w.key("temperature").float64(*s.temperature);
    if (s.topK) w.key("top_k").integer(*s.topK);
    if (s.topP) w.key("top_p").float64(*s.topP);
    if (s.artist) w.key("artist").str(*s.artist);
    if (s.genre) w.key("genre").str(*s.genre);
    if (s.lyrics) w.key("lyrics").str(*s.lyrics);
    if (s.quality) w.key("quality").str(*s.quality);
    if (s.variation) w.key("variation").integer(*s.variation);
    if (s.timelineSeconds) w.key("timeline_seconds").float64(*s.timelineSeconds);
}

void write(Writer& w, const Hello& m) {
    header(w, 2, "hello");
    w.key("client").str(m.client);
    w.key("versions").arrayHeader(m.versions.size());
    for (auto v : m.versions) w.integer(v);
}
void write(Writer& w, const Welcome& m) {
    header(w, 8, "welcome");
    w.key("server").str(m.server);
    w.key("version").integer(m.version);
    w.key("auth").str(m.auth);
    w.key("nonce").bin(m.nonce);
    w.key("models");
    strings(w, m.models);
    w.key("device").str(m.device);
    w.key("memory_gb").float64(m.memoryGb);
    w.key("limits").mapHeader(4);
    w.key("max_message_bytes").integer(m.limits.maxMessageBytes);
    w.key("max_prompt_seconds").float64(m.limits.maxPromptSeconds);
    w.key("max_queued_jobs").integer(m.limits.maxQueuedJobs);
    w.key("max_variations").integer(m.limits.maxVariations);
}
void write(Writer& w, const Auth& m) {
    header(w, 3, "auth");
    w.key("client_id").str(m.clientId);
    w.key("mac").bin(m.mac);
    w.key("nonce").bin(m.nonce);
}
void write(Writer& w, const AuthOk& m) {
    header(w, 2, "auth_ok");
    w.key("mac").bin(m.mac);
    w.key("styles").mapHeader(m.styles.presets.empty() ? 2 : 3);
    w.key("artists");
    strings(w, m.styles.artists);
    w.key("genres");
    strings(w, m.styles.genres);
    if (m.styles.presets.empty()) return;
    w.key("presets").arrayHeader(m.styles.presets.size());
    for (const auto& p : m.styles.presets) {
        w.mapHeader(p.lyrics.empty() ? 3 : 4);
        w.key("name").str(p.name);
        w.key("artist").str(p.artist);
        w.key("genre").str(p.genre);
        if (!p.lyrics.empty()) w.key("lyrics").str(p.lyrics);
    }
}
void write(Writer& w, const Submit& m) {
    header(w, 3 + MapOut::count(m.job) + MapOut::count(m.prompt), "submit");
    w.key("request").integer(m.request);
    w.key("mode").str(m.mode);
    w.key("settings");
    settingsMap(w, m.settings);
    if (m.job) w.key("job").str(*m.job);
    if (m.prompt) {
        w.key("prompt").mapHeader(3);
        w.key("rate").integer(m.prompt->rate);
        w.key("channels").integer(m.prompt->channels);
        w.key("frames").integer(m.prompt->frames);
    }
}
void write(Writer& w, const Accepted& m) {
    header(w, 5, "accepted");
    w.key("request").integer(m.request);
    w.key("job").str(m.job);
    w.key("prompt_samples").integer(m.promptSamples);
    w.key("rate").integer(m.rate);
    w.key("variations").integer(m.variations);
}
void write(Writer& w, const Progress& m) {
    header(w, 7 + MapOut::count(m.eta), "progress");
    w.key("job").str(m.job);
    w.key("level").integer(m.level);
    w.key("windows_done").integer(m.windowsDone);
    w.key("windows_total").integer(m.windowsTotal);
    w.key("tokens_done").integer(m.tokensDone);
    w.key("tokens_total").integer(m.tokensTotal);
    w.key("elapsed").float64(m.elapsed);
    if (m.eta) w.key("eta").float64(*m.eta);
}
void write(Writer& w, const Block& m) {
    header(w, m.preview ? 8 : 7, "block");
    w.key("job").str(m.job);
    w.key("variation").integer(m.variation);
    w.key("seq").integer(m.seq);
    w.key("offset").integer(m.offset);
    w.key("rate").integer(m.rate);
    w.key("channels").integer(m.channels);
    w.key("frames").integer(m.frames);
    if (m.preview) w.key("preview").boolean(true);
}
void write(Writer& w, const Credit& m) {
    header(w, 2, "credit");
    w.key("job").str(m.job);
    w.key("blocks").integer(m.blocks);
}
void write(Writer& w, const TakeDone& m) {
    header(w, 4, "take_done");
    w.key("job").str(m.job);
    w.key("variations").integer(m.variations);
    w.key("blocks").integer(m.blocks);
    w.key("seconds").float64(m.seconds);
}
void write(Writer& w, const Cancel& m) {
    header(w, 1, "cancel");
    w.key("job").str(m.job);
}
void write(Writer& w, const ListJobs& m) {
    header(w, MapOut::count(m.offset) + MapOut::count(m.limit), "list_jobs");
    if (m.offset) w.key("offset").integer(*m.offset);
    if (m.limit) w.key("limit").integer(*m.limit);
}
void write(Writer& w, const Jobs& m) {
    header(w, 3, "jobs");
    w.key("jobs").arrayHeader(m.jobs.size());
    for (const auto& j : m.jobs) {
        w.mapHeader(7);
        w.key("job").str(j.job);
        w.key("state").str(j.state);
        w.key("mode").str(j.mode);
        w.key("seconds").float64(j.seconds);
        w.key("variations").integer(j.variations);
        w.key("blocks").integer(j.blocks);
        w.key("created").str(j.created);
    }
    w.key("offset").integer(m.offset);
    w.key("total").integer(m.total ? *m.total : static_cast<std::int64_t>(m.jobs.size()));
}
void write(Writer& w, const Fetch& m) {
    header(w, 2, "fetch");
    w.key("job").str(m.job);
    w.key("from_seq").integer(m.fromSeq);
}
void write(Writer& w, const Error& m) {
    header(w, 2 + MapOut::count(m.request) + MapOut::count(m.job), "error");
    w.key("code").str(m.code);
    w.key("message").str(m.message);
    if (m.request) w.key("request").integer(*m.request);
    if (m.job) w.key("job").str(*m.job);
}
void write(Writer& w, const Ping& m) {
    header(w, 1, "ping");
    w.key("t").integer(m.t);
}
void write(Writer& w, const Pong& m) {
    header(w, 1, "pong");
    w.key("t").integer(m.t);
}
void write(Writer& w, const Bye&) { header(w, 0, "bye"); }

// ---- decoding ------------------------------------------------------------------------------

[[noreturn]] void bad(const std::string& what) { throw BadMessage(what); }

const Value& need(const Value& m, const char* key) {
    const Value* v = m.find(key);
    if (v == nullptr) bad(std::string("missing field '") + key + "'");
    return *v;
}
std::int64_t i64(const Value& m, const char* key) {
    const Value& v = need(m, key);
    if (!v.isInt()) bad(std::string("'") + key + "' is not an integer");
    return v.asInt();
}
double f64(const Value& m, const char* key) {
    const Value& v = need(m, key);
    if (!v.isNumber()) bad(std::string("'") + key + "' is not a number");
    return v.asDouble();
}
bool flag(const Value& m, const char* key) {
    const Value& v = need(m, key);
    if (v.kind != Value::Kind::Bool) bad(std::string("'") + key + "' is not true or false");
    return v.b;
}
std::string text(const Value& m, const char* key) {
    const Value& v = need(m, key);
    if (v.kind != Value::Kind::Str) bad(std::string("'") + key + "' is not a string");
    return v.s;
}
mp::Bytes bytes(const Value& m, const char* key) {
    const Value& v = need(m, key);
    if (v.kind != Value::Kind::Bin) bad(std::string("'") + key + "' is not binary");
    return v.bin;
}
const Value& submap(const Value& m, const char* key) {
    const Value& v = need(m, key);
    if (v.kind != Value::Kind::Map) bad(std::string("'") + key + "' is not a map");
    return v;
}
const Value& list(const Value& m, const char* key) {
    const Value& v = need(m, key);
    if (v.kind != Value::Kind::Array) bad(std::string("'") + key + "' is not an array");
    return v;
}
std::vector<std::string> texts(const Value& m, const char* key) {
    std::vector<std::string> out;
    for (const auto& item : list(m, key).items) {
        if (item.kind != Value::Kind::Str) bad(std::string("'") + key + "' holds a non-string");
        out.push_back(item.s);
    }
    return out;
}
// auth_ok's styles.presets: each {name, artist, genre, lyrics?}, within the limits the daemon keeps to.
std::vector<StylePreset> presets(const Value& array) {
    if (array.items.size() > kMaxStylePresets) bad("'presets' holds more than 64 styles");
    std::vector<StylePreset> out;
    std::size_t lyricsBytes = 0;
    for (const auto& item : array.items) {
        if (item.kind != Value::Kind::Map) bad("'presets' holds a non-map");
        StylePreset p{text(item, "name"), text(item, "artist"), text(item, "genre"), {}};
        if (item.find("lyrics") != nullptr) p.lyrics = text(item, "lyrics");
        if (p.name.empty() || p.name.size() > kMaxStyleNameBytes || p.artist.size() > kMaxStyleNameBytes ||
            p.genre.size() > kMaxStyleNameBytes)
            bad("a preset's name, artist or genre is empty or longer than 256 bytes");
        lyricsBytes += p.lyrics.size();
        if (lyricsBytes > kMaxPresetLyricsBytes) bad("the presets' lyrics exceed 4 MiB");
        out.push_back(std::move(p));
    }
    return out;
}
template <typename T, typename F>
std::optional<T> opt(const Value& m, const char* key, F get) {
    if (m.find(key) == nullptr) return std::nullopt;
    return get(m, key);
}
void checkPcm(std::int64_t rate, std::int64_t channels, std::int64_t frames) {
    if (rate < 8000 || rate > 384000) bad("rate outside 8000-384000 Hz");
    if (channels < 1 || channels > 8) bad("channels outside 1-8");
    if (frames < 0) bad("negative frame count");
    std::int64_t samples = 0, bytes = 0;
    if (!checkedMul(frames, channels, &samples) || !checkedMul(samples, 4, &bytes) ||
        static_cast<std::uint64_t>(bytes) > kMaxPcmBytes)
        bad("'frames' too large: frames x channels x 4 bytes exceeds the PCM limit");
}

Settings readSettings(const Value& m) {
    Settings s;
    s.model = opt<std::string>(m, "model", text);
    s.seconds = opt<double>(m, "seconds", f64);
    s.variations = opt<std::int64_t>(m, "variations", i64);
    s.seed = opt<std::int64_t>(m, "seed", i64);
    s.temperature = opt<double>(m, "temperature", f64);
    s.topK = opt<std::int64_t>(m, "top_k", i64);
    s.topP = opt<double>(m, "top_p", f64);
    s.artist = opt<std::string>(m, "artist", text);
    s.genre = opt<std::string>(m, "genre", text);
    s.lyrics = opt<std::string>(m, "lyrics", text);
    s.quality = opt<std::string>(m, "quality", text);
    s.variation = opt<std::int64_t>(m, "variation", i64);
    s.timelineSeconds = opt<double>(m, "timeline_seconds", f64);
    return s;
}

}  // namespace

const char* typeName(const Message& m) {
    static const char* const names[] = {"hello", "welcome", "auth", "auth_ok", "submit", "accepted",
                                        "progress", "block", "credit", "take_done", "cancel", "list_jobs",
                                        "jobs", "fetch", "error", "ping", "pong", "bye"};
    static_assert(sizeof(names) / sizeof(names[0]) == std::variant_size<Message>::value, "one name per type");
    return names[m.index()];
}

mp::Bytes encode(const Message& m) {
    Writer w;
    std::visit([&](const auto& x) { write(w, x); }, m);
    return w.take();
}

bool hasPcm(const Message& m) {
    if (const auto* s = std::get_if<Submit>(&m)) return s->prompt.has_value();
    return std::holds_alternative<Block>(m);
}

bool checkedMul(std::int64_t a, std::int64_t b, std::int64_t* out) {
    if (a < 0 || b < 0) return false;
    if (a != 0 && b > INT64_MAX / a) return false;
    *out = a * b;
    return true;
}

namespace {
std::size_t pcmSize(std::int64_t frames, std::int64_t channels) {
    std::int64_t samples = 0, bytes = 0;
    if (!checkedMul(frames, channels, &samples) || !checkedMul(samples, 4, &bytes)) return SIZE_MAX;
    if (static_cast<std::uint64_t>(bytes) > SIZE_MAX) return SIZE_MAX;
    return static_cast<std::size_t>(bytes);
}
}  // namespace

std::size_t pcmBytes(const Message& m) {
    if (const auto* s = std::get_if<Submit>(&m)) return s->prompt ? pcmSize(s->prompt->frames, s->prompt->channels) : 0;
    if (const auto* b = std::get_if<Block>(&m)) return pcmSize(b->frames, b->channels);
    return 0;
}

Message decode(const std::uint8_t* data, std::size_t n) {
    Value m;
    try {
        m = mp::decodeMap(data, n);
    } catch (const mp::DecodeError& e) {
        bad(e.what());
    }
    const std::string type = text(m, "type");
    if (type == "hello") {
        Hello h;
        h.client = text(m, "client");
        for (const auto& v : list(m, "versions").items) {
            if (!v.isInt()) bad("'versions' holds a non-integer");
            h.versions.push_back(v.asInt());
        }
        return h;
    }
    // Every other message must be version 1 (hello is read whatever its version, to negotiate).
    if (i64(m, "v") != kVersion) bad("unsupported version");
    if (type == "welcome") {
        Welcome w;
        w.server = text(m, "server");
        w.version = i64(m, "version");
        w.auth = text(m, "auth");
        w.nonce = bytes(m, "nonce");
        if (w.nonce.size() != kNonceBytes) bad("'nonce' must be 32 bytes");
        w.models = texts(m, "models");
        w.device = text(m, "device");
        w.memoryGb = f64(m, "memory_gb");
        const Value& lim = submap(m, "limits");
        w.limits.maxMessageBytes = i64(lim, "max_message_bytes");
        w.limits.maxPromptSeconds = f64(lim, "max_prompt_seconds");
        w.limits.maxQueuedJobs = i64(lim, "max_queued_jobs");
        w.limits.maxVariations = i64(lim, "max_variations");
        return w;
    }
    if (type == "auth") {
        Auth a{text(m, "client_id"), bytes(m, "mac"), bytes(m, "nonce")};
        if (a.nonce.size() != kNonceBytes) bad("'nonce' must be 32 bytes");
        return a;
    }
    if (type == "auth_ok") {
        AuthOk a;
        a.mac = bytes(m, "mac");
        if (m.find("styles") != nullptr) {
            const Value& st = submap(m, "styles");
            a.styles.artists = texts(st, "artists");
            a.styles.genres = texts(st, "genres");
            if (st.find("presets") != nullptr) a.styles.presets = presets(list(st, "presets"));
        }
        return a;
    }
    if (type == "submit") {
        Submit s;
        s.request = i64(m, "request");
        s.mode = text(m, "mode");
        if (s.mode != "continue" && s.mode != "sample" && s.mode != "upsample" && s.mode != "resume")
            bad("unknown mode '" + s.mode + "'");
        if (m.find("settings") != nullptr) s.settings = readSettings(submap(m, "settings"));
        s.job = opt<std::string>(m, "job", text);
        if (m.find("prompt") != nullptr) {
            const Value& p = submap(m, "prompt");
            s.prompt = PromptFormat{i64(p, "rate"), i64(p, "channels"), i64(p, "frames")};
            checkPcm(s.prompt->rate, s.prompt->channels, s.prompt->frames);
        }
        return s;
    }
    if (type == "accepted")
        return Accepted{i64(m, "request"), text(m, "job"), i64(m, "prompt_samples"), i64(m, "rate"),
                        i64(m, "variations")};
    if (type == "progress") {
        Progress p;
        p.job = text(m, "job");
        p.level = i64(m, "level");
        p.windowsDone = i64(m, "windows_done");
        p.windowsTotal = i64(m, "windows_total");
        p.tokensDone = i64(m, "tokens_done");
        p.tokensTotal = i64(m, "tokens_total");
        p.elapsed = f64(m, "elapsed");
        p.eta = opt<double>(m, "eta", f64);
        return p;
    }
    if (type == "block") {
        Block b{text(m, "job"), i64(m, "variation"), i64(m, "seq"), i64(m, "offset"),
                i64(m, "rate"), i64(m, "channels"), i64(m, "frames")};
        b.preview = opt<bool>(m, "preview", flag).value_or(false);
        checkPcm(b.rate, b.channels, b.frames);
        if (b.variation < 0 || b.seq < 0 || b.offset < 0) bad("negative block position");
        return b;
    }
    if (type == "credit") return Credit{text(m, "job"), i64(m, "blocks")};
    if (type == "take_done") return TakeDone{text(m, "job"), i64(m, "variations"), i64(m, "blocks"), f64(m, "seconds")};
    if (type == "cancel") return Cancel{text(m, "job")};
    if (type == "list_jobs") return ListJobs{opt<std::int64_t>(m, "offset", i64), opt<std::int64_t>(m, "limit", i64)};
    if (type == "jobs") {
        Jobs js;
        for (const auto& j : list(m, "jobs").items) {
            if (j.kind != Value::Kind::Map) bad("'jobs' holds a non-map");
            js.jobs.push_back(JobInfo{text(j, "job"), text(j, "state"), text(j, "mode"), f64(j, "seconds"),
                                      i64(j, "variations"), i64(j, "blocks"), text(j, "created")});
        }
        js.offset = opt<std::int64_t>(m, "offset", i64).value_or(0);   // older daemons: one page, no total
        js.total = opt<std::int64_t>(m, "total", i64);
        return js;
    }
    if (type == "fetch") return Fetch{text(m, "job"), i64(m, "from_seq")};
    if (type == "error")
        return Error{text(m, "code"), text(m, "message"), opt<std::int64_t>(m, "request", i64),
                     opt<std::string>(m, "job", text)};
    if (type == "ping") return Ping{i64(m, "t")};
    if (type == "pong") return Pong{i64(m, "t")};
    if (type == "bye") return Bye{};
    bad("unknown message type '" + type + "'");
}

mp::Bytes authMac(const mp::Bytes& secret, const mp::Bytes& nonce, const std::string& clientId) {
    static const char kContext[] = "jukeboxbridge-auth-v1";
    mp::Bytes msg(kContext, kContext + sizeof(kContext) - 1);
    msg.insert(msg.end(), nonce.begin(), nonce.end());
    msg.insert(msg.end(), clientId.begin(), clientId.end());
    const Digest d = hmacSha256(secret.data(), secret.size(), msg.data(), msg.size());
    return mp::Bytes(d.begin(), d.end());
}

mp::Bytes serverMac(const mp::Bytes& secret, const mp::Bytes& clientNonce, const mp::Bytes& daemonNonce,
                    const std::string& clientId) {
    static const char kContext[] = "jukeboxbridge-server-v1";
    mp::Bytes msg(kContext, kContext + sizeof(kContext) - 1);
    msg.insert(msg.end(), clientNonce.begin(), clientNonce.end());
    msg.insert(msg.end(), daemonNonce.begin(), daemonNonce.end());
    msg.insert(msg.end(), clientId.begin(), clientId.end());
    const Digest d = hmacSha256(secret.data(), secret.size(), msg.data(), msg.size());
    return mp::Bytes(d.begin(), d.end());
}

bool isSafeJobId(const std::string& job) {
    if (job.empty() || job.size() > 128 || job == "." || job == "..") return false;
    for (const char c : job)
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'))
            return false;
    return true;
}

bool sameBytes(const mp::Bytes& a, const mp::Bytes& b) {
    if (a.size() != b.size()) return false;
    volatile std::uint8_t diff = 0;
    for (std::size_t i = 0; i < a.size(); ++i) diff = static_cast<std::uint8_t>(diff | (a[i] ^ b[i]));
    return diff == 0;
}

}  // namespace jb::proto
