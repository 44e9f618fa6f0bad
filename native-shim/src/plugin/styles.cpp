#include "plugin/styles.h"

#include <algorithm>
#include <cstdio>
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

const Style& styleAt(const StyleList& bundled, const std::vector<Style>& served, int index) {
    if (index >= 0 && index < bundled.count()) return bundled.at(index);
    const int k = index - bundled.count();
    if (k >= 0 && k < static_cast<int>(served.size())) return served[static_cast<std::size_t>(k)];
    return bundled.at(0);
}

std::string styleName(const StyleList& bundled, const std::vector<std::string>& servedNames, int index) {
    if (index >= 0 && index < bundled.count()) return bundled.at(index).name;
    const int k = index - bundled.count();
    if (k >= 0 && k < static_cast<int>(servedNames.size())) return servedNames[static_cast<std::size_t>(k)];
    if (k < 0) return bundled.at(0).name;
    char buf[48];
    std::snprintf(buf, sizeof buf, "Daemon style %d (none)", k + 1);
    return buf;
}

ServedStyles& ServedStyles::instance() {
    static ServedStyles list;
    return list;
}

void ServedStyles::publish(std::vector<std::string> names) {
    if (names.size() > static_cast<std::size_t>(kMaxServedStyles)) names.resize(kMaxServedStyles);
    std::lock_guard<std::mutex> lock(mutex_);
    if (names == names_) return;
    names_ = std::move(names);
    version_.fetch_add(1, std::memory_order_acq_rel);
}

std::vector<std::string> ServedStyles::names() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return names_;
}

}  // namespace jb
