// The Style parameter's list: first the style presets of the bundle (presets/styles/*.json, copied into
// the bundle's Contents/Resources/styles): {"name", "artist", "genres": [...], "lyrics"}, entry 0 always
// "Model default" (no artist/genre sent); then kMaxServedStyles slots for the styles the daemon offers
// after auth (its user's `jukebox styles add`, auth_ok.styles.presets), named once they are known.
// Threads: StyleList::load() [main-thread] once per plugin object, immutable afterwards (any thread reads
// it); ServedStyles below: [net-thread] publishes, [main-thread] reads; never the audio thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

namespace jb {

struct Style {
    std::string name, artist, lyrics;
    std::vector<std::string> genres;
};

class StyleList {
public:
    // Reads every *.json in dir (sorted by file name); unreadable files are skipped.
    void load(const std::string& dir);
    const std::vector<Style>& all() const { return styles_; }
    int count() const { return static_cast<int>(styles_.size()); }
    const Style& at(int i) const { return styles_[static_cast<std::size_t>(i < 0 || i >= count() ? 0 : i)]; }

    // The folder beside the loaded module: <bundle>/Contents/Resources/styles, or $JUKEBOXBRIDGE_STYLES.
    static std::string defaultDir();

private:
    std::vector<Style> styles_{Style{"Model default", "", "", {}}};
};

// As many as the daemon sends at most (docs/protocol.md, auth_ok).
constexpr int kMaxServedStyles = 64;

// The Style parameter's entries: the bundle's styles, then the daemon's slots.
inline int styleSlots(const StyleList& bundled) { return bundled.count() + kMaxServedStyles; }

// Entry `index` of the Style parameter: a bundled style, a served one, or (an empty slot) "Model default".
const Style& styleAt(const StyleList& bundled, const std::vector<Style>& served, int index);
// Its name for the host, from the served styles' names: an empty slot reads "Daemon style N (none)".
std::string styleName(const StyleList& bundled, const std::vector<std::string>& servedNames, int index);

// The names of the styles the daemon offers (all a controller shows), shared by every plugin object of this module. All instances in a host
// process reach the same daemon (one client file), and hosts may put proxies between a processor's and a
// controller's connection points (Ardour does), so this module-wide list is the one channel from the
// network thread to the controllers that needs no host messaging. A mutex: never touched by the audio thread.
class ServedStyles {
public:
    static ServedStyles& instance();
    void publish(std::vector<std::string> names);   // [net-thread] after auth; bumps version() when it changed
    std::vector<std::string> names() const;         // [main-thread]
    std::uint64_t version() const { return version_.load(std::memory_order_acquire); }

private:
    mutable std::mutex mutex_;
    std::vector<std::string> names_;
    std::atomic<std::uint64_t> version_{0};
};

}  // namespace jb
