// The Style parameter's list, built from the style presets (presets/styles/*.json, copied into the
// bundle's Contents/Resources/styles): {"name", "artist", "genres": [...], "lyrics"}. Entry 0 is always
// "Model default" (no artist/genre sent).
// Threads: load() [main-thread] once per plugin object; the list is immutable afterwards, so any thread
// may read it.
#pragma once

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

}  // namespace jb
