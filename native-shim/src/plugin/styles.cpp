#include "plugin/styles.h"

#include <algorithm>
#include <cstdlib>

#include "common/json.h"
#include "common/platform.h"

namespace jb {

void StyleList::load(const std::string& dir) {
    styles_.resize(1);
    for (const std::string& path : listFiles(dir, ".json")) {
        try {
            const json::Value v = json::parseFile(path);
            Style s;
            s.name = v.getString("name");
            s.artist = v.getString("artist");
            s.lyrics = v.getString("lyrics");
            if (const json::Value* g = v.find("genres"))
                for (const auto& item : g->items)
                    if (item.kind == json::Value::Kind::String) s.genres.push_back(item.str);
            if (s.name.empty()) s.name = s.artist.empty() ? path : s.artist;
            styles_.push_back(std::move(s));
        } catch (const json::ParseError&) {
            // skipped: a broken preset must not stop the plugin from loading
        }
    }
}

std::string StyleList::defaultDir() {
    if (const char* env = std::getenv("JUKEBOXBRIDGE_STYLES")) return env;
    const std::string module = moduleDir();   // <bundle>/Contents/<arch>
    return module.empty() ? std::string() : module + "/../Resources/styles";
}

}  // namespace jb
