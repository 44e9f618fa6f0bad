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

// When luasession crashes (daw-e2e.md: now and then, by itself), print the crashing thread's stack to stderr
// so that a failed run says where. Async-signal-safe: backtrace() is primed once at load, then only write().
#include <execinfo.h>
#include <signal.h>
#include <unistd.h>

namespace {
void crashTrace(int sig) {
  static const char head[] = "\n=== luasession crashed (signal ";
  (void)!write(2, head, sizeof head - 1);
  char num[4] = {char('0' + sig / 10 % 10), char('0' + sig % 10), ')', '\n'};
  (void)!write(2, num, sizeof num);
  void* frames[64];
  const int n = backtrace(frames, 64);
  backtrace_symbols_fd(frames, n, 2);
  static const char tail[] = "=== end of stack\n";
  (void)!write(2, tail, sizeof tail - 1);
  signal(sig, SIG_DFL);
  raise(sig);
}

__attribute__((constructor)) void installCrashTrace() {
  void* prime[1];
  backtrace(prime, 1);   // loads libgcc_s now, not inside the handler
  struct sigaction sa {};
  sa.sa_handler = crashTrace;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESETHAND | SA_NODEFER;
  for (int sig : {SIGSEGV, SIGBUS, SIGABRT, SIGFPE, SIGILL}) sigaction(sig, &sa, nullptr);
}
}  // namespace
