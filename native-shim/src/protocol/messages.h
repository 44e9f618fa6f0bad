// Protocol v1 messages (docs/protocol.md) as typed structs, with canonical encoding (fields in the
// documented order, optional fields left out when absent) and decoding (unknown keys ignored, nil treated
// as absent, wrong types refused). A message is a header frame plus, for `submit` with a prompt and for
// `block`, a PCM frame of float32 little-endian interleaved samples.
//
// Threads: [net-thread] and tests. Everything here allocates.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "protocol/msgpack.h"

namespace jb::proto {

constexpr std::int64_t kVersion = 1;

struct Hello { std::string client; std::vector<std::int64_t> versions; };
// A style the daemon's user added (`jukebox styles add`) that the served model can take.
struct StylePreset { std::string name, artist, genre, lyrics; };
constexpr std::size_t kMaxStylePresets = 64;              // as the daemon sends at most
constexpr std::size_t kMaxStyleNameBytes = 256;           // name, artist, genre each
constexpr std::size_t kMaxPresetLyricsBytes = 4u << 20;   // all lyrics together (the daemon: 1 Mi characters)
struct Styles { std::vector<std::string> artists, genres; std::vector<StylePreset> presets; };
struct Limits {
    std::int64_t maxMessageBytes = 0;
    double maxPromptSeconds = 0;
    std::int64_t maxQueuedJobs = 0;
    std::int64_t maxVariations = 0;
};
struct Welcome {
    std::string server;
    std::int64_t version = 1;
    std::string auth;
    mp::Bytes nonce;
    std::vector<std::string> models;
    std::string device;
    double memoryGb = 0;
    Limits limits;
};
// The client's answer to welcome: its MAC over the daemon's nonce, and a fresh nonce of its own that the
// daemon must answer in auth_ok.
struct Auth { std::string clientId; mp::Bytes mac; mp::Bytes nonce; };
// The daemon's proof (serverMac below) and the style names it knows (only after authentication).
struct AuthOk { mp::Bytes mac; Styles styles; };
struct Settings {
    std::optional<std::string> model;
    std::optional<double> seconds;
    std::optional<std::int64_t> variations;
    std::optional<std::int64_t> seed;
    std::optional<double> temperature;
    std::optional<std::int64_t> topK;
    std::optional<double> topP;
    std::optional<std::string> artist;
    std::optional<std::string> genre;
    std::optional<std::string> lyrics;
    std::optional<std::string> quality;        // "full" | "preview" (continue/sample)
    std::optional<std::int64_t> variation;     // upsample: the source job's variation (0-based)
    std::optional<double> timelineSeconds;     // where the take (prompt first) belongs on the host's timeline
};
struct PromptFormat { std::int64_t rate = 0, channels = 0, frames = 0; };
struct Submit {
    std::int64_t request = 0;
    std::string mode;   // "continue" | "sample" | "upsample" | "resume"
    Settings settings;
    std::optional<std::string> job;
    std::optional<PromptFormat> prompt;   // continue: the PCM frame follows
};
struct Accepted { std::int64_t request = 0; std::string job; std::int64_t promptSamples = 0, rate = 0, variations = 0; };
struct Progress {
    std::string job;
    std::int64_t level = 0, windowsDone = 0, windowsTotal = 0, tokensDone = 0, tokensTotal = 0;
    double elapsed = 0;
    std::optional<double> eta;
};
struct Block {
    std::string job;
    std::int64_t variation = 0, seq = 0, offset = 0, rate = 0, channels = 0, frames = 0;
    bool preview = false;   // a preview job's audio (decoded from the top level); sent only when true
};
struct Credit { std::string job; std::int64_t blocks = 0; };
struct TakeDone { std::string job; std::int64_t variations = 0, blocks = 0; double seconds = 0; };
struct Cancel { std::string job; };
struct ListJobs { std::optional<std::int64_t> offset, limit; };
struct JobInfo {
    std::string job, state, mode;
    double seconds = 0;
    std::int64_t variations = 0, blocks = 0;
    std::string created;
};
struct Jobs { std::vector<JobInfo> jobs; std::int64_t offset = 0; std::optional<std::int64_t> total; };
struct Fetch { std::string job; std::int64_t fromSeq = 0; };
struct Error { std::string code, message; std::optional<std::int64_t> request; std::optional<std::string> job; };
struct Ping { std::int64_t t = 0; };
struct Pong { std::int64_t t = 0; };
struct Bye {};

using Message = std::variant<Hello, Welcome, Auth, AuthOk, Submit, Accepted, Progress, Block, Credit, TakeDone,
                             Cancel, ListJobs, Jobs, Fetch, Error, Ping, Pong, Bye>;

// The wire name of a message ("hello", "take_done", ...).
const char* typeName(const Message& m);

// The header frame of m.
mp::Bytes encode(const Message& m);

// The largest PCM frame a decoded header may announce (frames × channels × 4, checked multiplication);
// the plugin's socket refuses messages over kMaxDaemonMessageBytes anyway.
constexpr std::uint64_t kMaxPcmBytes = std::uint64_t(1) << 30;
constexpr std::int64_t kMaxDaemonMessageBytes = std::int64_t(16) << 20;
constexpr std::size_t kNonceBytes = 32;

// Whether a message of this kind carries a PCM frame, and its exact size in bytes (SIZE_MAX when
// frames × channels × 4 would overflow, which no frame can match).
bool hasPcm(const Message& m);
std::size_t pcmBytes(const Message& m);
// a × b, or false when it overflows (or either is negative).
bool checkedMul(std::int64_t a, std::int64_t b, std::int64_t* out);

struct BadMessage : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// Decodes a header frame. Throws BadMessage (wrong type, missing field, unknown type, broken limits).
Message decode(const std::uint8_t* data, std::size_t n);
inline Message decode(const mp::Bytes& b) { return decode(b.data(), b.size()); }

// The MAC a client sends in `auth`: HMAC-SHA256(secret, "jukeboxbridge-auth-v1" || nonce || client_id).
mp::Bytes authMac(const mp::Bytes& secret, const mp::Bytes& nonce, const std::string& clientId);
// The MAC a daemon proves itself with in `auth_ok`: HMAC-SHA256(secret, "jukeboxbridge-server-v1" ||
// client nonce || daemon nonce || client_id).
mp::Bytes serverMac(const mp::Bytes& secret, const mp::Bytes& clientNonce, const mp::Bytes& daemonNonce,
                    const std::string& clientId);
// A job id the plugin can use as a file name (its takes folder): 1-128 bytes of letters, digits, '.', '_'
// and '-', and not "." or ".." (the daemon's ids look like 20261203-164033-09e275).
bool isSafeJobId(const std::string& job);
// Constant-time comparison (the time depends on the lengths only).
bool sameBytes(const mp::Bytes& a, const mp::Bytes& b);

}  // namespace jb::proto
