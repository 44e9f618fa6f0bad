// shim-bench [--json] [--seconds S]: the cost of process() per 64- and 512-sample block at 48 kHz stereo
// while a continuation streams in (an in-process fake daemon sends 0.25 s blocks every 20 ms, two
// variations), the playhead crossing the take, and the heap calls made inside process() (counted by the
// test host's allocator hook; must be 0). One line per block size: block, mean_us, p99_us, max_us,
// allocations, blocks.
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "alloc_counter.h"
#include "fake_daemon.h"
#include "host.h"

using namespace jbhost;
using Clock = std::chrono::steady_clock;

namespace {

struct Result {
    int block;
    double meanUs, p99Us, maxUs;
    std::uint64_t allocations, blocks, daemonBlocks;
};

Result measure(int block, double seconds, const std::string& scratch) {
    jbbench::FakeDaemon daemon(seconds, 0.25, 20, 2);
    const std::string client = scratch + "/client-" + std::to_string(block) + ".json";
    daemon.writeClientFile(client);
    setenv("JUKEBOXBRIDGE_CLIENT_FILE", client.c_str(), 1);
    Plugin p(findModule());
    p.setup(48000, block, v3::kRealtime);
    p.inputChanges.set(4, 1.0);                          // seconds
    p.inputChanges.set(3, (seconds - 1) / 63.0);         // Length = seconds
    p.inputChanges.set(6, 1.0 / 7);                      // 2 variations
    p.inputChanges.set(0, 1.0);                          // Generate

    Transport t;   // loop [0, 2) quarters = 1 s at 120 BPM
    std::vector<float> l(block), r(block), ol(block), orr(block);
    const float* in[2] = {l.data(), r.data()};
    float* out[2] = {ol.data(), orr.data()};
    auto fill = [&](std::int64_t pos, int n) {
        for (int i = 0; i < n; ++i) { l[i] = float(0.3 * std::sin(0.01 * double(pos + i))); r[i] = -l[i]; }
    };
    // One pass of the loop (the prompt), then wait until the take is accepted.
    const auto t0 = Clock::now();
    while (Clock::now() - t0 < std::chrono::seconds(10)) {
        int n = block;
        const auto ctx = t.context(n);
        fill(t.pos, n);
        p.process(in, out, n, &ctx, v3::kRealtime);
        t.advance(n);
        const std::string s = p.paramString(10, p.status);
        if (s.find("generating") != std::string::npos || s.find("take ready") != std::string::npos) break;
        if (t.pos == 0) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    // Play linearly from the loop end through the take at real-time pace while blocks stream in.
    t.looping = false;
    t.pos = t.loopEnd();
    const double blockSeconds = double(block) / 48000.0;
    const std::int64_t total = static_cast<std::int64_t>(seconds * 48000 / block);
    std::vector<double> us;
    us.reserve(static_cast<std::size_t>(total));
    const std::uint64_t before = allocationsCounted();
    auto deadline = Clock::now();
    for (std::int64_t b = 0; b < total; ++b) {
        int n = block;
        const auto ctx = t.context(n);
        fill(t.pos, n);
        countAllocations(true);
        const auto a = Clock::now();
        p.process(in, out, n, &ctx, v3::kRealtime);
        const auto z = Clock::now();
        countAllocations(false);
        us.push_back(std::chrono::duration<double, std::micro>(z - a).count());
        t.advance(n);
        deadline += std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(blockSeconds));
        std::this_thread::sleep_until(deadline);
    }
    Result res{block, 0, 0, 0, allocationsCounted() - before, static_cast<std::uint64_t>(us.size()), daemon.blocksSent()};
    for (double x : us) res.meanUs += x;
    res.meanUs /= std::max<std::size_t>(us.size(), 1);
    std::sort(us.begin(), us.end());
    res.p99Us = us.empty() ? 0 : us[us.size() * 99 / 100];
    res.maxUs = us.empty() ? 0 : us.back();
    return res;
}

}  // namespace

int main(int argc, char** argv) {
    bool json = false;
    double seconds = 8;
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--json") == 0) json = true;
        else if (std::strcmp(argv[i], "--seconds") == 0 && i + 1 < argc) seconds = std::atof(argv[++i]);
        else { std::fprintf(stderr, "usage: shim-bench [--json] [--seconds S]\n"); return 2; }
    }
    char tmpl[] = "/tmp/jb-shim-bench-XXXXXX";
    const std::string scratch = mkdtemp(tmpl);
    int rc = 0;
    for (int block : {64, 512}) {
        const Result r = measure(block, seconds, scratch);
        if (json)
            std::printf("{\"block\": %d, \"mean_us\": %.3f, \"p99_us\": %.3f, \"max_us\": %.3f, \"allocations\": %llu, \"blocks\": %llu, \"daemon_blocks\": %llu}\n",
                        r.block, r.meanUs, r.p99Us, r.maxUs, (unsigned long long)r.allocations, (unsigned long long)r.blocks,
                        (unsigned long long)r.daemonBlocks);
        else
            std::printf("block %4d: mean %.2f us, p99 %.2f us, max %.2f us, allocations %llu (%llu blocks, %llu daemon blocks streamed)\n",
                        r.block, r.meanUs, r.p99Us, r.maxUs, (unsigned long long)r.allocations, (unsigned long long)r.blocks,
                        (unsigned long long)r.daemonBlocks);
        if (r.allocations != 0 || r.daemonBlocks == 0) rc = 1;
        std::fflush(stdout);
    }
    return rc;
}
