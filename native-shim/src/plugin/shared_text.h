// Text the network thread tells the controllers that a parameter value cannot carry, module-wide (as
// ServedStyles, styles.h): the folder the last "Export takes" wrote. [net-thread] set, [main-thread] get;
// never the audio thread (a mutex).
#pragma once

#include <mutex>
#include <string>

namespace jb {

class ExportedPath {
public:
    static ExportedPath& instance() {
        static ExportedPath p;
        return p;
    }
    void set(std::string path) {
        std::lock_guard<std::mutex> lock(mutex_);
        path_ = std::move(path);
    }
    std::string get() const {
        std::lock_guard<std::mutex> lock(mutex_);
        return path_;
    }

private:
    mutable std::mutex mutex_;
    std::string path_;
};

}  // namespace jb
