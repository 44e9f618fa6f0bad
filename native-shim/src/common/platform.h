// The few operating-system services the plugin needs outside the audio thread: the folder of the
// loaded module, the per-user config and takes folders, making and listing folders, sleeping.
// Threads: [main-thread] / [net-thread]; sleepMs() also in offline (bounce) processing.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace jb {

std::string moduleDir();                       // folder of this .so/.dll/.dylib, or ""
std::string userConfigDir();                   // …/jukeboxbridge (same rule as the daemon's KeyStore)
// Where "Export takes" writes: $JUKEBOXBRIDGE_TAKES, else Linux $XDG_DATA_HOME (or ~/.local/share)/jukeboxbridge/takes,
// macOS ~/Music/JukeboxBridge Takes, Windows %LOCALAPPDATA%\JukeboxBridge\Takes.
std::string userTakesDir();
bool makeDirs(const std::string& path);        // mkdir -p (0755 on Unix); false when a part cannot be made
std::vector<std::string> listFiles(const std::string& dir, const std::string& suffix);   // sorted full paths
std::vector<std::string> listDirectories(const std::string& dir);   // sorted names (no "." entries)
void sleepMs(int ms);
std::string readTextFile(const std::string& path, bool* ok);
// n bytes from the operating system's CSPRNG (getrandom / arc4random_buf / /dev/urandom;
// BCryptGenRandom on Windows). False when none could be read: the caller must not go on without them.
bool secureRandom(unsigned char* out, std::size_t n);

}  // namespace jb
