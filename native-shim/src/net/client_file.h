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
    // False with a reason when missing or malformed.
    static bool load(const std::string& path, ClientFile& out, std::string& error);
};

}  // namespace jb
