// Runs a real `jukebox serve` for a test: its own config/keys/jobs folders under a scratch folder, a free
// loopback port, the tiny random-weight model; stopped with SIGTERM at the end.
#pragma once

#include <string>
#include <sys/types.h>

namespace jbhost {

class DaemonProcess {
public:
    DaemonProcess(const std::string& jukebox, const std::string& scratch, const std::string& model);
    ~DaemonProcess();
    bool waitReady(int seconds);   // the client file exists
    std::string clientFile() const { return scratch_ + "/keys/client.json"; }
    std::string endpoint() const { return endpoint_; }
    // Runs `jukebox ARGS` (another process), waits for it; returns the exit status.
    int run(const std::string& args, const std::string& logFile) const;
    pid_t pid() const { return pid_; }

private:
    std::string jukebox_, scratch_, endpoint_;
    pid_t pid_ = -1;
};

int freeTcpPort();

}  // namespace jbhost
