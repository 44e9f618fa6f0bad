#include "net/client_file.h"

#include <cstdlib>

#if !defined(_WIN32)
#include <sys/stat.h>
#endif

#include "common/json.h"
#include "common/platform.h"

namespace jb {

std::string ClientFile::defaultPath() {
    if (const char* env = std::getenv("JUKEBOXBRIDGE_CLIENT_FILE")) return env;
    return userConfigDir() + "/client.json";
}

bool ClientFile::isLoopback(const std::string& endpoint) {
    if (endpoint.rfind("ipc://", 0) == 0 || endpoint.rfind("inproc://", 0) == 0) return true;
    if (endpoint.rfind("tcp://", 0) != 0) return false;
    const std::string rest = endpoint.substr(6);
    // The host part: up to the last ':' (the port); "[::1]" in brackets. A "source;" prefix is refused.
    if (rest.find(';') != std::string::npos) return false;
    const std::size_t colon = rest.rfind(':');
    const std::string host = colon == std::string::npos ? rest : rest.substr(0, colon);
    if (host == "localhost" || host == "[::1]") return true;
    if (host.rfind("127.", 0) != 0) return false;
    // 127.a.b.c with digits only
    int dots = 0;
    for (std::size_t i = 4; i < host.size(); ++i) {
        if (host[i] == '.') ++dots;
        else if (host[i] < '0' || host[i] > '9') return false;
    }
    return dots == 2;
}

bool ClientFile::load(const std::string& path, ClientFile& out, std::string& error, Refusal* why) {
    if (why) *why = Refusal::Unusable;
#if !defined(_WIN32)
    struct stat st;
    if (::stat(path.c_str(), &st) == 0 && (st.st_mode & 077) != 0) {
        if (why) *why = Refusal::Unsafe;
        error = path + ": readable by group or others (it holds the secret): run chmod 600 " + path;
        return false;
    }
#endif
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
        if (!c.curve && !isLoopback(c.endpoint)) {
            if (why) *why = Refusal::Insecure;
            error = path + ": endpoint " + c.endpoint + " is not on this machine and the file says no CURVE: refused";
            return false;
        }
        if (why) *why = Refusal::None;
        out = std::move(c);
        return true;
    } catch (const json::ParseError& e) {
        error = e.what();
        return false;
    }
}

}  // namespace jb
