#include "alloc_counter.h"

#include <atomic>
#include <cstddef>

extern "C" {
void* __libc_malloc(std::size_t);
void* __libc_calloc(std::size_t, std::size_t);
void* __libc_realloc(void*, std::size_t);
void* __libc_memalign(std::size_t, std::size_t);
void __libc_free(void*);
}

namespace {
thread_local bool tCounting = false;
std::atomic<std::uint64_t> gCounted{0};
std::atomic<std::uint64_t> gSeen{0};
inline void note() {
    gSeen.fetch_add(1, std::memory_order_relaxed);
    if (tCounting) gCounted.fetch_add(1, std::memory_order_relaxed);
}
}  // namespace

namespace jbhost {
void countAllocations(bool on) { tCounting = on; }
std::uint64_t allocationsCounted() { return gCounted.load(); }
std::uint64_t allocationsSeen() { return gSeen.load(); }
}  // namespace jbhost

extern "C" {
__attribute__((visibility("default"))) void* malloc(std::size_t n) { note(); return __libc_malloc(n); }
__attribute__((visibility("default"))) void* calloc(std::size_t a, std::size_t b) { note(); return __libc_calloc(a, b); }
__attribute__((visibility("default"))) void* realloc(void* p, std::size_t n) { note(); return __libc_realloc(p, n); }
__attribute__((visibility("default"))) void free(void* p) { if (p != nullptr && tCounting) gCounted.fetch_add(1, std::memory_order_relaxed); __libc_free(p); }
__attribute__((visibility("default"))) void* memalign(std::size_t a, std::size_t n) { note(); return __libc_memalign(a, n); }
__attribute__((visibility("default"))) void* aligned_alloc(std::size_t a, std::size_t n) { note(); return __libc_memalign(a, n); }
__attribute__((visibility("default"))) int posix_memalign(void** out, std::size_t a, std::size_t n) {
    note();
    *out = __libc_memalign(a, n);
    return *out ? 0 : 12;
}
}
