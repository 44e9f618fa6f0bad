// A minimal test harness: TEST(name) { CHECK(...); } and a main() that runs every test and fails the
// process when one check fails. Each unit-test executable is one ctest entry.
#pragma once

#include <cmath>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

namespace jbtest {

struct Case {
    const char* name;
    std::function<void()> fn;
};

inline std::vector<Case>& cases() {
    static std::vector<Case> all;
    return all;
}
inline int& failures() {
    static int n = 0;
    return n;
}

struct Register {
    Register(const char* name, std::function<void()> fn) { cases().push_back({name, std::move(fn)}); }
};

inline std::string show(const std::string& s) { return "\"" + s + "\""; }
inline std::string show(const char* s) { return show(std::string(s)); }
inline std::string show(bool b) { return b ? "true" : "false"; }
template <typename T>
std::string show(const T& v) { return std::to_string(v); }

inline int runAll() {
    int failedCases = 0;
    for (const auto& c : cases()) {
        const int before = failures();
        try {
            c.fn();
        } catch (const std::exception& e) {
            std::printf("  exception: %s\n", e.what());
            ++failures();
        }
        const bool ok = failures() == before;
        std::printf("%s %s\n", ok ? "PASS" : "FAIL", c.name);
        if (!ok) ++failedCases;
    }
    std::printf("%zu tests, %d failed\n", cases().size(), failedCases);
    return failedCases == 0 ? 0 : 1;
}

}  // namespace jbtest

#define JB_CAT2(a, b) a##b
#define JB_CAT(a, b) JB_CAT2(a, b)
#define TEST(name)                                                                   \
    static void name();                                                              \
    static jbtest::Register JB_CAT(reg_, name)(#name, name);                          \
    static void name()

#define CHECK(cond)                                                                  \
    do {                                                                             \
        if (!(cond)) {                                                               \
            std::printf("  %s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #cond);   \
            ++jbtest::failures();                                                    \
        }                                                                            \
    } while (0)

#define CHECK_EQ(a, b)                                                               \
    do {                                                                             \
        const auto va_ = (a);                                                        \
        const auto vb_ = (b);                                                        \
        if (!(va_ == vb_)) {                                                         \
            std::printf("  %s:%d: CHECK_EQ(%s, %s) failed: %s vs %s\n", __FILE__, __LINE__, #a, #b, \
                        jbtest::show(va_).c_str(), jbtest::show(vb_).c_str());   \
            ++jbtest::failures();                                                    \
        }                                                                            \
    } while (0)

#define CHECK_NEAR(a, b, tol)                                                        \
    do {                                                                             \
        const double va_ = (a), vb_ = (b);                                           \
        if (!(std::fabs(va_ - vb_) <= (tol))) {                                      \
            std::printf("  %s:%d: CHECK_NEAR(%s, %s) failed: %.9g vs %.9g\n", __FILE__, __LINE__, #a, #b, va_, vb_); \
            ++jbtest::failures();                                                    \
        }                                                                            \
    } while (0)

#define CHECK_THROWS(expr)                                                           \
    do {                                                                             \
        bool threw_ = false;                                                         \
        try { (void)(expr); } catch (...) { threw_ = true; }                         \
        if (!threw_) {                                                               \
            std::printf("  %s:%d: %s did not throw\n", __FILE__, __LINE__, #expr);   \
            ++jbtest::failures();                                                    \
        }                                                                            \
    } while (0)

#define TEST_MAIN() int main() { return jbtest::runAll(); }
