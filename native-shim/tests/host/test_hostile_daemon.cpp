// "Nothing a daemon sends may crash the host": the in-process fake daemon (bench/fake_daemon) misbehaves
// once in one way, with the plugin loaded in the test host. For each: the host survives (this process
// keeps running), process() keeps passing the input through while looping, no heap call happens inside
// process(), the status or the log ($JUKEBOXBRIDGE_LOG) names the problem, and afterwards the same daemon,
// behaving again, is served (the plugin reconnects, or a new Generate gets a take).
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "../unit/check.h"
#include "alloc_counter.h"
#include "fake_daemon.h"
#include "host.h"

using namespace jbhost;
using jbbench::Hostile;
using Clock = std::chrono::steady_clock;

namespace {

// One log for the whole executable (the plugin reads $JUKEBOXBRIDGE_LOG once); each test reads from
// where the previous one stopped.
const std::string& logPath() {
    static const std::string path = [] {
        const std::string p = "/tmp/jb-hostile-" + std::to_string(getpid()) + ".log";
        std::remove(p.c_str());
        setenv("JUKEBOXBRIDGE_LOG", p.c_str(), 1);
        return p;
    }();
    return path;
}

std::string readFrom(const std::string& path, std::size_t from) {
    std::ifstream f(path, std::ios::binary);
    std::stringstream ss;
    ss << f.rdbuf();
    const std::string all = ss.str();
    return from < all.size() ? all.substr(from) : std::string();
}

std::size_t fileSize(const std::string& path) {
    struct stat st;
    return ::stat(path.c_str(), &st) == 0 ? static_cast<std::size_t>(st.st_size) : 0;
}

struct Rig {
    std::string dir, client;
    std::size_t logStart;
    std::unique_ptr<jbbench::FakeDaemon> d;
    std::unique_ptr<Plugin> p;
    Transport t;
    std::vector<float> l = std::vector<float>(256), r = std::vector<float>(256), ol = std::vector<float>(256),
                       orr = std::vector<float>(256);
    bool through = true;
    std::uint64_t blocks = 0, allocBefore = 0;
    bool generateHigh = false;

    // seconds of continuation in blocks of blockSeconds, one block every paceMs.
    // The daemon is told to misbehave before the plugin is loaded (its handshake starts at once).
    Rig(const char* name, Hostile h = Hostile::None, std::int64_t value = 0, double seconds = 1.0,
        double blockSeconds = 0.25, int paceMs = 20, bool start = true) {
        logStart = fileSize(logPath());
        char tmpl[64];
        std::snprintf(tmpl, sizeof tmpl, "/tmp/jb-%s-XXXXXX", name);
        dir = mkdtemp(tmpl);
        client = dir + "/client.json";
        d = std::make_unique<jbbench::FakeDaemon>(seconds, blockSeconds, paceMs, 1);
        d->hostile(h, value);
        if (start) d->writeClientFile(client);
        setenv("JUKEBOXBRIDGE_CLIENT_FILE", client.c_str(), 1);
        p = std::make_unique<Plugin>(findModule());
        p->setup(48000, 256, v3::kRealtime);
        p->inputChanges.set(4, 1.0);                         // length in seconds
        p->inputChanges.set(3, (seconds - 1.0) / 63.0);      // Length = seconds
        allocBefore = allocationsCounted();
    }
    ~Rig() {
        p.reset();   // the plugin first: its network thread talks to d
        d.reset();
    }
    std::string status() { return p->paramString(10, p->status); }
    std::string log() const { return readFrom(logPath(), logStart); }
    // Generate: a rising edge (0 then 1 in the next block).
    void generate() {
        p->inputChanges.set(0, 0.0);
        block();
        p->inputChanges.set(0, 1.0);
    }
    void block() {
        int n = 256;
        const auto ctx = t.context(n);
        for (int i = 0; i < n; ++i) { l[i] = float(0.3 * std::sin(0.01 * double(t.pos + i))); r[i] = -l[i]; }
        const float* in[2] = {l.data(), r.data()};
        float* out[2] = {ol.data(), orr.data()};
        countAllocations(true);
        p->process(in, out, n, &ctx, v3::kRealtime);
        countAllocations(false);
        // Looping: the take lies after the loop end and never plays here; the input must pass unchanged.
        for (int i = 0; i < n; ++i) through = through && ol[i] == l[i] && orr[i] == r[i];
        t.advance(n);
        ++blocks;
        std::this_thread::sleep_for(std::chrono::microseconds(300));
    }
    // Runs blocks until cond() or the time is up; true when cond() came true.
    bool until(const std::function<bool()>& cond, double seconds) {
        const auto end = Clock::now() + std::chrono::duration<double>(seconds);
        while (Clock::now() < end) {
            block();
            if (cond()) return true;
        }
        return cond();
    }
    bool statusHas(const char* s) { return status().find(s) != std::string::npos; }
    bool logHas(const char* s) const { return log().find(s) != std::string::npos; }
    std::uint64_t allocations() const { return allocationsCounted() - allocBefore; }
    // The survival checks every test ends with.
    void checkSurvived(const char* name) {
        std::printf("  %s: %llu blocks, status \"%s\", %llu hello(s), %llu submit(s), %llu block(s) sent\n", name,
                    (unsigned long long)blocks, status().c_str(), (unsigned long long)d->hellos(),
                    (unsigned long long)d->submits(), (unsigned long long)d->blocksSent());
        CHECK(through);
        CHECK_EQ(allocations(), std::uint64_t(0));
    }
    // The plugin works with the daemon behaving again: a new Generate gets a whole take.
    void checkServedAgain() {
        const auto submits = d->submits();
        const auto sent = d->blocksSent();
        generate();
        const bool served = until([&] { return d->submits() > submits && d->blocksSent() >= sent + 4 && statusHas("take ready"); }, 20);
        if (!served) std::printf("  not served again; log:\n%s\n", log().c_str());
        CHECK(served);
    }
};

// A common shape: Generate, wait for the problem to show, then for the plugin to be served again.
void problemThenServed(const char* name, Hostile h, std::int64_t value, const char* statusText, const char* logText,
                       bool reconnects) {
    Rig g(name, h, value);
    g.generate();
    const bool named = g.until([&] { return g.statusHas(statusText); }, 20);
    if (!named) std::printf("  status never showed \"%s\"\n", statusText);
    CHECK(named);
    CHECK(g.d->hostileDone());
    CHECK(g.until([&] { return g.logHas(logText); }, 2));
    if (!g.logHas(logText)) std::printf("  log lacks \"%s\":\n%s\n", logText, g.log().c_str());
    if (reconnects) CHECK(g.until([&] { return g.d->hellos() >= 2 && g.statusHas("connected"); }, 20));
    g.checkServedAgain();
    g.checkSurvived(name);
}

}  // namespace

TEST(frames_overflow_in_a_block_header_is_refused) {
    // frames = 2^62: frames x 1 x 4 wraps to 0 and an empty PCM frame used to "match"; now the header is
    // refused at decode (checked multiplication), the connection dropped, and the plugin reconnects.
    problemThenServed("frames", Hostile::FramesOverflow, 0, "undecodable", "frames", true);
}

TEST(a_block_with_fewer_channels_than_the_first_rejects_the_job) {
    problemThenServed("channels", Hostile::ChannelChange, 0, "does not fit its job", "1 channel(s), the job's first block had 2",
                      false);
}

TEST(a_huge_offset_rejects_the_job) {
    problemThenServed("offset", Hostile::HugeOffset, 0, "does not fit its job", "offset 1099511627776 beyond", false);
}

TEST(accepted_variations_out_of_range_are_refused) {
    problemThenServed("var40", Hostile::Variations, std::int64_t(1) << 40, "impossible settings",
                      "accepted.variations 1099511627776 outside 1-8", false);
    problemThenServed("var0", Hostile::Variations, 0, "impossible settings", "accepted.variations 0 outside", false);
    problemThenServed("var9", Hostile::Variations, 9, "impossible settings", "accepted.variations 9 outside", false);
}

TEST(an_accepted_job_id_that_is_a_path_is_refused) {
    problemThenServed("jobpath", Hostile::JobIdPath, 0, "impossible settings", "accepted.job is not 1-128 letters", false);
}

TEST(an_oversize_message_drops_the_connection_not_the_host) {
    // 17 MiB after auth_ok: libzmq refuses it (ZMQ_MAXMSGSIZE 16 MiB) without buffering it, the monitor
    // reports the disconnect, and the plugin starts a new handshake.
    Rig g("oversize", Hostile::Oversize);
    CHECK(g.until([&] { return g.d->hostileDone(); }, 10));
    CHECK(g.until([&] { return g.logHas("connection dropped"); }, 10));
    CHECK(g.until([&] { return g.d->hellos() >= 2 && g.statusHas("connected"); }, 20));
    g.checkServedAgain();
    g.checkSurvived("oversize");
}

TEST(a_block_for_an_unknown_job_is_dropped) {
    Rig g("unknown", Hostile::UnknownJob);
    g.generate();
    CHECK(g.until([&] { return g.statusHas("take ready"); }, 20));   // the real take still completes
    CHECK(g.statusHas("unknown job"));
    CHECK(g.logHas("a block for job 'nobody-asked-for-this'"));
    g.checkSurvived("unknown job");
}

TEST(garbage_messagepack_drops_the_connection) {
    problemThenServed("garbage", Hostile::Garbage, 0, "undecodable", "does not decode", true);
}

TEST(duplicate_keys_drop_the_connection) {
    problemThenServed("dupkeys", Hostile::DuplicateKeys, 0, "undecodable", "duplicate map key 'job'", true);
}

TEST(an_auth_ok_offering_more_than_64_styles_drops_the_connection) {
    problemThenServed("styles65", Hostile::TooManyStyles, 0, "undecodable", "more than 64 styles", true);
}

TEST(a_second_welcome_drops_the_connection) {
    problemThenServed("welcome2", Hostile::SecondWelcome, 0, "broke the handshake", "a second welcome", true);
}

TEST(a_daemon_that_cannot_prove_itself_gets_nothing) {
    // auth_ok carries a MAC that is not HMAC(secret, server context ...) (here the client's own MAC
    // replayed): the plugin refuses the daemon and submits nothing, however long the loop plays.
    Rig g("wrongmac", Hostile::WrongServerMac);
    g.generate();
    CHECK(g.until([&] { return g.statusHas("could not prove it knows this client"); }, 10));
    // While refused (the second before the next attempt) the loop completes and the prompt is sealed;
    // nothing goes out.
    const auto refusedAt = Clock::now();
    g.until([&] { return Clock::now() - refusedAt > std::chrono::milliseconds(600); }, 2);
    CHECK(g.logHas("could not prove it knows this client"));
    CHECK_EQ(g.d->submits(), std::uint64_t(0));
    // The daemon proves itself on the next connection: the pending Generate goes out then.
    CHECK(g.until([&] { return g.statusHas("take ready"); }, 20));
    CHECK_EQ(g.d->submits(), std::uint64_t(1));
    g.checkSurvived("wrong server mac");
}

TEST(a_daemon_that_ignores_credit_cannot_grow_the_backlog) {
    // 60 s of take flooded at once (240 blocks, no credit waited for) while the host calls no process()
    // for 2 s: more than the backlog limit (4096 chunks) would pile up; the plugin refuses the excess,
    // fetches it again once the audio thread has taken the rest, and the take is whole.
    Rig g("credit", Hostile::IgnoreCredit, 0, 60.0, 0.25, 1);
    g.generate();
    CHECK(g.until([&] { return g.statusHas("generating"); }, 10));
    std::this_thread::sleep_for(std::chrono::seconds(2));   // the host stalls; the flood arrives
    CHECK(g.until([&] { return g.statusHas("take ready"); }, 60));
    CHECK(g.statusHas("ignored its credit"));
    // The most chunks ever held, from the log's "while N chunks wait".
    const std::string log = g.log();
    long most = 0;
    for (std::size_t at = log.find(" chunks wait"); at != std::string::npos; at = log.find(" chunks wait", at + 1)) {
        std::size_t b = log.rfind(' ', at - 1);
        most = std::max(most, std::strtol(log.c_str() + b + 1, nullptr, 10));
    }
    std::printf("  most chunks held while refusing: %ld (limit 4096 + one block)\n", most);
    CHECK(most >= 4096 && most <= 4096 + 64);
    g.checkSurvived("ignore credit");
    // Bounce: the whole 60 s take is one continuous 220 Hz sine (nothing lost to the refusals).
    Transport lin;
    lin.looping = false;
    lin.pos = lin.loopEnd();
    double worst = 0;
    const float* in[2] = {g.l.data(), g.r.data()};
    float* out[2] = {g.ol.data(), g.orr.data()};
    for (std::int64_t k = 0; k < 60 * 48000 - 256; k += 256) {
        int n = 256;
        const auto ctx = lin.context(n);
        for (int i = 0; i < n; ++i) { g.l[i] = 0; g.r[i] = 0; }
        g.p->process(in, out, n, &ctx, v3::kOffline);
        for (int i = 0; i < n; ++i) {
            const std::int64_t f = k + i;
            if (f < 200 || f > 60 * 48000 - 1200) continue;
            worst = std::max(worst, std::fabs(g.ol[i] - 0.2 * std::sin(2 * M_PI * 220.0 * double(f) / 48000.0)));
        }
        lin.advance(n);
    }
    std::printf("  max |take - 220 Hz sine| over 60 s: %.3g\n", worst);
    CHECK(worst < 1e-3);
}

TEST(a_client_file_others_can_read_is_refused) {
    Rig g("mode", Hostile::None, 0, 1.0, 0.25, 20, false);
    g.d->writeClientFile(g.client, 0644);
    CHECK(g.until([&] { return g.statusHas("chmod 600"); }, 5));
    CHECK(g.logHas("run chmod 600"));
    CHECK_EQ(g.d->hellos(), std::uint64_t(0));   // not even a hello with a secret others can read
    ::chmod(g.client.c_str(), 0600);
    CHECK(g.until([&] { return g.statusHas("connected"); }, 10));
    g.checkServedAgain();
    g.checkSurvived("client file 0644");
}

TEST(a_remote_endpoint_without_curve_is_refused) {
    Rig g("remote", Hostile::None, 0, 1.0, 0.25, 20, false);
    g.d->writeClientFile(g.client, 0600, "tcp://192.0.2.7:5555");
    CHECK(g.until([&] { return g.statusHas("remote endpoint without CURVE refused"); }, 5));
    CHECK(g.logHas("is not on this machine and the file says no CURVE"));
    g.d->writeClientFile(g.client);   // the local daemon again
    CHECK(g.until([&] { return g.statusHas("connected"); }, 10));
    g.checkServedAgain();
    g.checkSurvived("remote endpoint");
}

int main() {
    logPath();   // before the first plugin is loaded
    return jbtest::runAll();
}
