// Counts heap allocations made on a thread while counting is switched on for it. The test host defines
// malloc/calloc/realloc/free & co. (forwarding to glibc's __libc_* functions); the executable is linked
// with -rdynamic so that the plugin, loaded with dlopen (without RTLD_DEEPBIND), resolves its allocator
// calls here, including those of its statically linked libstdc++'s operator new.
#pragma once

#include <cstdint>

namespace jbhost {

void countAllocations(bool on);        // for the calling thread
std::uint64_t allocationsCounted();    // total counted so far (all threads that switched counting on)
std::uint64_t allocationsSeen();       // every allocation since start (proves the hook is live)

}  // namespace jbhost
