// The client file the daemon writes (`jukebox serve` → <config>/jukeboxbridge/client.json, 0600) or that
// `jukebox keys add-client` makes for another machine: endpoint, the server's CURVE public key (Z85),
// whether the daemon uses CURVE, the client id and its 32-byte secret (hex).
// Threads: [net-thread] (read at every connection attempt, so a daemon started later is found).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace jb {

struct ClientFile {
    std::string endpoint;
    std::string serverPublicKey;
    std::string clientId;
    std::vector<std::uint8_t> secret;
    bool curve = false;

    // $JUKEBOXBRIDGE_CLIENT_FILE, else <user config folder>/client.json.
    static std::string defaultPath();
    // Why a client file was refused.
    enum class Refusal { None, Unusable, Unsafe, Insecure };
    // False with a reason when missing or malformed (Unusable), readable by group or others on POSIX
    // (Unsafe: the secret is exposed; chmod 600 it), or naming a non-loopback endpoint while `curve` is
    // false (Insecure: the audio and the MAC exchange would cross the network in the clear).
    static bool load(const std::string& path, ClientFile& out, std::string& error, Refusal* why = nullptr);
    // tcp://127.x.x.x, tcp://localhost, tcp://[::1], ipc://, inproc://
    static bool isLoopback(const std::string& endpoint);
};

}  // namespace jb
