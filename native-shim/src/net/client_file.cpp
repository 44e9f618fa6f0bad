#include "net/client_file.h"

#include <cstdlib>

#include "common/json.h"
#include "common/platform.h"

namespace jb {

std::string ClientFile::defaultPath() {
    if (const char* env = std::getenv("JUKEBOXBRIDGE_CLIENT_FILE")) return env;
    return userConfigDir() + "/client.json";
}

bool ClientFile::load(const std::string& path, ClientFile& out, std::string& error) {
    try {
        const json::Value v = json::parseFile(path);
        ClientFile c;
        c.endpoint = v.getString("endpoint");
        c.serverPublicKey = v.getString("server_public_key");
        c.clientId = v.getString("client_id");
        c.curve = v.getBool("curve", false);
        const std::string hex = v.getString("secret");
        if (c.endpoint.empty() || c.clientId.empty() || hex.size() != 64) {
            error = path + ": needs endpoint, client_id and a 64-hex-digit secret";
            return false;
        }
        for (std::size_t i = 0; i < hex.size(); i += 2) {
            const std::string byte = hex.substr(i, 2);
            char* end = nullptr;
            const long b = std::strtol(byte.c_str(), &end, 16);
            if (end != byte.c_str() + 2) { error = path + ": secret is not hex"; return false; }
            c.secret.push_back(static_cast<std::uint8_t>(b));
        }
        out = std::move(c);
        return true;
    } catch (const json::ParseError& e) {
        error = e.what();
        return false;
    }
}

}  // namespace jb
