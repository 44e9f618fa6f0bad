// What crosses between the audio thread and the network thread. Everything here is plain data copied
// through SpscRing (no allocation on the audio side); TakeBuffer pointers change owner with the message.
#pragma once

#include <atomic>
#include <cstdint>

namespace jb {

class TakeBuffer;

// Settings as the audio thread saw them when it sealed the prompt.
struct PromptRequest {
    std::uint32_t captureSerial = 0;
    std::int64_t frames = 0;          // prompt frames at the host rate (stereo, in LoopCapture)
    double sampleRate = 0;
    std::int64_t loopStart = 0, loopEnd = 0;   // timeline samples
    double seconds = 0;               // continuation length
    int variations = 1;
    double temperature = 1.0;
    int style = 0;                    // Style entry: the bundle's styles, then the daemon's (styleAt); 0: the model's default
    bool preview = false;             // Quality = Preview: the top level only, decoded from it
};

// audio → net
//   Prompt: a sealed loop to continue. RetireTake: a take buffer the audio thread gave back.
//   Upsample: "Upsample selected": the current take's `variation` (0-based) at full quality, played over it.
//   ExportTakes: "Export takes": the current job's takes into the takes folder (once the job is done).
struct ToNet {
    enum class Kind : std::uint8_t { Prompt, RetireTake, Upsample, ExportTakes } kind = Kind::Prompt;
    PromptRequest prompt;
    TakeBuffer* take = nullptr;
    std::int32_t variation = 0;
};

// Connection and job state for the status parameter.
//   AuthFailed: the daemon refused our MAC. DaemonUnproven: the daemon could not prove it knows this
//   client (wrong MAC in auth_ok). ClientFileUnsafe: the client file is readable by group/others.
//   EndpointInsecure: a non-loopback endpoint while the client file says no CURVE.
enum class Connection : std::uint8_t {
    Offline = 0, Connecting, Connected, AuthFailed, DaemonUnproven, ClientFileUnsafe, EndpointInsecure
};
constexpr int kConnectionStates = 7;
// Connections that will not come up by waiting (the offline render stops waiting for them).
inline bool refused(Connection c) {
    return c == Connection::AuthFailed || c == Connection::DaemonUnproven || c == Connection::ClientFileUnsafe ||
           c == Connection::EndpointInsecure;
}
enum class JobState : std::uint8_t { None = 0, Submitted, Generating, Done, Failed };
// The last thing a daemon sent that the plugin refused (kept until the next accepted take).
enum class Problem : std::uint8_t {
    None = 0,
    BadMessage,     // a header that does not decode (garbage MessagePack, duplicate keys, wrong types)
    Handshake,      // a second welcome, an auth_ok nobody asked for: the connection is dropped
    BadBlock,       // a block that does not fit its job (variation, channels, rate, frames, offset, PCM size)
    UnknownJob,     // a block for a job this plugin never asked for
    BadAccepted,    // accepted with variations or rate out of range
    Credit,         // blocks beyond the credit while the backlog is full
    Internal,       // an exception while handling a daemon message
};
constexpr int kProblemStates = 8;
// "Export takes": Waiting until the job is done, Done (the folder: ExportedPath), Failed (the plugin log says why).
enum class ExportState : std::uint8_t { None = 0, Waiting, Done, Failed };
constexpr int kExportStates = 4;
struct NetStatus {
    Connection connection = Connection::Offline;
    JobState job = JobState::None;
    std::uint8_t progress = 0;   // 0..100
    Problem problem = Problem::None;
    ExportState exported = ExportState::None;
    bool operator==(const NetStatus& o) const {
        return connection == o.connection && job == o.job && progress == o.progress && problem == o.problem &&
               exported == o.exported;
    }
    bool operator!=(const NetStatus& o) const { return !(*this == o); }
};

// net → audio
//   InstallTake with overlayVariation < 0: the new audible take (the old one and its overlay are retired);
//   with overlayVariation = v: the full-quality take of the audible take's variation v, played wherever its
//   audio has arrived, the take below it elsewhere (it replaces an earlier overlay).
struct ToAudio {
    enum class Kind : std::uint8_t { InstallTake, ReleasePrompt, Status, TakeLength } kind = Kind::Status;
    TakeBuffer* take = nullptr;
    std::int32_t overlayVariation = -1;
    std::uint32_t captureSerial = 0;   // ReleasePrompt: the capture; TakeLength: the take's serial
    std::int64_t frames = 0;           // TakeLength: the take's real length at the host rate
    NetStatus status;
};

// Continuation audio at the host rate, stereo interleaved, for take `takeSerial` from frame `offset`.
struct PcmChunk {
    static constexpr int kFrames = 512;
    std::uint32_t takeSerial = 0;
    std::int32_t variation = 0;
    std::int32_t frames = 0;
    std::int64_t offset = 0;
    float samples[2 * kFrames];
};

// What the audio thread saw last, for the diagnostics log ($JUKEBOXBRIDGE_LOG): relaxed atomic stores
// by the audio thread (no system call), read and logged once a second by the network thread.
struct AudioDiag {
    std::atomic<std::uint64_t> blocks{0};
    std::atomic<std::int32_t> mode{0}, numSamples{0};
    std::atomic<bool> playing{false}, loopActive{false}, complete{false}, sealed{false}, haveTake{false};
    std::atomic<std::int64_t> pos{0}, loopStart{0}, loopEnd{0};
    std::atomic<double> pass{0}, autoParam{0};
};

}  // namespace jb
