// Test-only glue, kept from ../shared/tools/daw-e2e (the project's own Ardour study). Never shipped.
// LD_PRELOAD helper for Ardour 7's headless Lua interpreter (luasession).
// luasession never calls ARDOUR::init_post_engine(), so the PluginManager
// never scans and VST3 plugins stay invisible to Lua. This helper interposes
// the Lua-bound ARDOUR::LuaAPI::dump_untagged_plugins() so that calling it
// from Lua runs PluginManager::refresh(). ARDOUR_PROBE_SCAN=full also runs the
// external ardour-vst3-scanner; anything else uses the existing scan cache.
#include <cstdlib>
#include <cstring>
#include <string>

namespace ARDOUR {
struct PluginManager {
  static PluginManager& instance();
  void refresh(bool cache_only);
};
namespace LuaAPI {
std::string dump_untagged_plugins();
}
}  // namespace ARDOUR

std::string ARDOUR::LuaAPI::dump_untagged_plugins() {
  const char* mode = std::getenv("ARDOUR_PROBE_SCAN");
  const bool cache_only = !(mode && std::strcmp(mode, "full") == 0);
  ARDOUR::PluginManager::instance().refresh(cache_only);
  return cache_only ? "refreshed (cache only)" : "refreshed (full scan)";
}
