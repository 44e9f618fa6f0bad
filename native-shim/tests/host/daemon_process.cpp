#include "daemon_process.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <stdexcept>
#include <thread>

namespace jbhost {

int freeTcpPort() {
    const int s = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = 0;
    bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a);
    socklen_t len = sizeof a;
    getsockname(s, reinterpret_cast<sockaddr*>(&a), &len);
    const int port = ntohs(a.sin_port);
    close(s);
    return port;
}

DaemonProcess::DaemonProcess(const std::string& jukebox, const std::string& scratch, const std::string& model)
    : jukebox_(jukebox), scratch_(scratch) {
    endpoint_ = "tcp://127.0.0.1:" + std::to_string(freeTcpPort());
    for (const char* d : {"", "/cfg", "/home", "/jobs"}) mkdir((scratch_ + d).c_str(), 0700);
    const std::string log = scratch_ + "/serve.log";
    pid_ = fork();
    if (pid_ < 0) throw std::runtime_error("fork failed");
    if (pid_ == 0) {
        setenv("XDG_CONFIG_HOME", (scratch_ + "/cfg").c_str(), 1);
        setenv("HOME", (scratch_ + "/home").c_str(), 1);
        const int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (fd >= 0) { dup2(fd, 1); dup2(fd, 2); }
        const std::string keys = scratch_ + "/keys", jobs = scratch_ + "/jobs";
        execl(jukebox_.c_str(), jukebox_.c_str(), "serve", "--endpoint", endpoint_.c_str(), "--model", model.c_str(),
              "--jobs", jobs.c_str(), "--keys", keys.c_str(), "--curve", "off", static_cast<char*>(nullptr));
        _exit(127);
    }
}

DaemonProcess::~DaemonProcess() {
    if (pid_ > 0) {
        kill(pid_, SIGTERM);
        for (int i = 0; i < 100; ++i) {
            if (waitpid(pid_, nullptr, WNOHANG) == pid_) return;
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
        kill(pid_, SIGKILL);
        waitpid(pid_, nullptr, 0);
    }
}

bool DaemonProcess::waitReady(int seconds) {
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
    while (std::chrono::steady_clock::now() < until) {
        if (access(clientFile().c_str(), R_OK) == 0) {
            std::this_thread::sleep_for(std::chrono::milliseconds(500));   // the socket is bound right after
            return true;
        }
        if (waitpid(pid_, nullptr, WNOHANG) == pid_) { pid_ = -1; return false; }
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
}

int DaemonProcess::run(const std::string& args, const std::string& logFile) const {
    const std::string cmd = "XDG_CONFIG_HOME='" + scratch_ + "/cfg' HOME='" + scratch_ + "/home' '" + jukebox_ + "' " +
                            args + " > '" + logFile + "' 2>&1";
    return std::system(cmd.c_str());
}

}  // namespace jbhost
