// The few operating-system services the plugin needs outside the audio thread: the folder of the
// loaded module, the per-user config folder, listing a folder, sleeping.
// Threads: [main-thread] / [net-thread]; sleepMs() also in offline (bounce) processing.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace jb {

std::string moduleDir();                       // folder of this .so/.dll/.dylib, or ""
std::string userConfigDir();                   // …/jukeboxbridge (same rule as the daemon's KeyStore)
std::vector<std::string> listFiles(const std::string& dir, const std::string& suffix);   // sorted full paths
std::vector<std::string> listDirectories(const std::string& dir);   // sorted names (no "." entries)
void sleepMs(int ms);
std::string readTextFile(const std::string& path, bool* ok);
// n bytes from the operating system's CSPRNG (getrandom / arc4random_buf / /dev/urandom;
// BCryptGenRandom on Windows). False when none could be read: the caller must not go on without them.
bool secureRandom(unsigned char* out, std::size_t n);

}  // namespace jb
