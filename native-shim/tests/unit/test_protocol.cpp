// Protocol codec against the daemon's test vectors (tests/protocol-vectors): every header decodes to the
// values in fields.json and re-encodes byte-exactly; PCM frames have the size the header announces;
// HMAC-SHA256 and SHA-256 known answers; the decoder's refusals.
#include <algorithm>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>

#include "check.h"
#include "common/json.h"
#include "common/platform.h"
#include "protocol/messages.h"
#include "protocol/sha256.h"

using namespace jb;

namespace {

std::string vectorsDir() { return JB_PROTOCOL_VECTORS; }

std::vector<std::uint8_t> readBytes(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    return std::vector<std::uint8_t>(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
}

bool exists(const std::string& path) { return std::ifstream(path).good(); }

std::vector<std::string> vectorNames() { return listDirectories(vectorsDir()); }

std::string hex(const std::vector<std::uint8_t>& b) {
    static const char* digits = "0123456789abcdef";
    std::string s;
    for (auto x : b) { s += digits[x >> 4]; s += digits[x & 15]; }
    return s;
}

// A decoded MessagePack value equals the JSON the C# side wrote for it (bin as {"$bin": hex}).
bool same(const mp::Value& m, const json::Value& j, const std::string& path) {
    using K = mp::Value::Kind;
    bool ok = true;
    switch (m.kind) {
        case K::Int: case K::UInt:
            ok = j.kind == json::Value::Kind::Number && j.integral && j.integer == m.asInt();
            break;
        case K::Float:
            ok = j.kind == json::Value::Kind::Number && j.number == m.f;
            break;
        case K::Str: ok = j.kind == json::Value::Kind::String && j.str == m.s; break;
        case K::Bool: ok = j.kind == json::Value::Kind::Bool && j.b == m.b; break;
        case K::Bin: ok = j.kind == json::Value::Kind::Object && j.getString("$bin") == hex(m.bin); break;
        case K::Array:
            ok = j.kind == json::Value::Kind::Array && j.items.size() == m.items.size();
            for (std::size_t i = 0; ok && i < m.items.size(); ++i)
                ok = same(m.items[i], j.items[i], path + "[" + std::to_string(i) + "]");
            break;
        case K::Map:
            ok = j.kind == json::Value::Kind::Object && j.members.size() == m.map.size();
            for (std::size_t i = 0; ok && i < m.map.size(); ++i)
                ok = j.members[i].first == m.map[i].first &&
                     same(m.map[i].second, j.members[i].second, path + "." + m.map[i].first);
            break;
        case K::Nil: ok = j.kind == json::Value::Kind::Null; break;
    }
    if (!ok) std::printf("  mismatch at %s\n", path.c_str());
    return ok;
}

}  // namespace

TEST(every_vector_decodes_to_its_fields_and_reencodes_byte_exactly) {
    const auto names = vectorNames();
    CHECK(names.size() >= 19);
    for (const auto& name : names) {
        const std::string dir = vectorsDir() + "/" + name;
        const auto header = readBytes(dir + "/header.msgpack");
        CHECK(!header.empty());
        const mp::Value generic = mp::decodeMap(header.data(), header.size());
        const json::Value fields = json::parseFile(dir + "/fields.json");
        if (!same(generic, fields, name)) { std::printf("  %s: fields differ\n", name.c_str()); CHECK(false); }

        const proto::Message typed = proto::decode(header);
        CHECK_EQ(std::string(proto::typeName(typed)), fields.getString("type"));
        const auto again = proto::encode(typed);
        if (again != header) {
            std::printf("  %s: re-encoded %s\n     expected %s\n", name.c_str(), hex(again).c_str(), hex(header).c_str());
            CHECK(false);
        }
        const bool pcmFile = exists(dir + "/pcm.f32");
        CHECK_EQ(pcmFile, proto::hasPcm(typed));
        if (pcmFile) CHECK_EQ(readBytes(dir + "/pcm.f32").size(), proto::pcmBytes(typed));
    }
}

TEST(ping_encodes_to_the_documented_bytes) {
    const auto b = proto::encode(proto::Ping{42});
    CHECK_EQ(hex(b), std::string("83a17601a474797065a470696e67a1742a"));
}

TEST(typed_fields_are_read) {
    const auto block = std::get<proto::Block>(proto::decode(readBytes(vectorsDir() + "/block/header.msgpack")));
    CHECK_EQ(block.job, std::string("20261125-041501-3f2a"));
    CHECK_EQ(block.variation, 1);
    CHECK_EQ(block.offset, 176384);
    CHECK_EQ(block.rate, 44100);
    CHECK_EQ(block.frames, 4);
    const auto w = std::get<proto::Welcome>(proto::decode(readBytes(vectorsDir() + "/welcome/header.msgpack")));
    CHECK_EQ(w.nonce.size(), std::size_t(32));
    CHECK_EQ(int(w.nonce[31]), 31);
    CHECK_EQ(w.limits.maxVariations, 8);
    const auto ok = std::get<proto::AuthOk>(proto::decode(readBytes(vectorsDir() + "/auth_ok/header.msgpack")));
    CHECK_EQ(ok.styles.artists.size(), std::size_t(2));
    CHECK_EQ(ok.styles.genres[1], std::string("techno"));
    const auto jobs = std::get<proto::Jobs>(proto::decode(readBytes(vectorsDir() + "/jobs/header.msgpack")));
    CHECK_EQ(jobs.offset, 100);
    CHECK(jobs.total && *jobs.total == 101);
    const auto list = std::get<proto::ListJobs>(proto::decode(readBytes(vectorsDir() + "/list_jobs/header.msgpack")));
    CHECK(list.offset && *list.offset == 100 && list.limit && *list.limit == 50);
    CHECK_NEAR(w.limits.maxPromptSeconds, 60.0, 0);
    const auto p = std::get<proto::Progress>(proto::decode(readBytes(vectorsDir() + "/progress/header.msgpack")));
    CHECK(p.eta.has_value());
    CHECK_NEAR(*p.eta, 50.25, 0);
}

TEST(auth_ok_presets_round_trip_and_their_limits_hold) {
    proto::AuthOk ok;
    ok.mac = mp::Bytes(32, 7);
    ok.styles.artists = {"brass_city"};
    ok.styles.genres = {"rock"};
    ok.styles.presets = {{"Sung rock", "brass_city", "rock", "la la\nla"}, {"Plain", "velvet", "ambient", ""}};
    const auto back = std::get<proto::AuthOk>(proto::decode(proto::encode(ok)));
    CHECK_EQ(back.styles.presets.size(), std::size_t(2));
    CHECK_EQ(back.styles.presets[0].lyrics, std::string("la la\nla"));
    CHECK_EQ(back.styles.presets[1].genre, std::string("ambient"));
    CHECK(back.styles.presets[1].lyrics.empty());
    // More than 64, an empty name, or a name of over 256 bytes: the message is refused, not truncated.
    auto refused = [](proto::AuthOk m) {
        try { proto::decode(proto::encode(m)); return false; } catch (const proto::BadMessage&) { return true; }
    };
    proto::AuthOk many = ok;
    many.styles.presets.assign(65, proto::StylePreset{"x", "a", "g", ""});
    CHECK(refused(many));
    proto::AuthOk unnamed = ok;
    unnamed.styles.presets[0].name.clear();
    CHECK(refused(unnamed));
    proto::AuthOk longName = ok;
    longName.styles.presets[0].name.assign(257, 'n');
    CHECK(refused(longName));
}

TEST(job_ids_that_name_folders_safely) {
    CHECK(proto::isSafeJobId("20261203-164033-09e275"));
    CHECK(proto::isSafeJobId("a.b_c-D9"));
    CHECK(!proto::isSafeJobId(""));
    CHECK(!proto::isSafeJobId(".."));
    CHECK(!proto::isSafeJobId("."));
    CHECK(!proto::isSafeJobId("../x"));
    CHECK(!proto::isSafeJobId("a/b"));
    CHECK(!proto::isSafeJobId("a\\b"));
    CHECK(!proto::isSafeJobId(std::string(129, 'a')));
    CHECK(proto::isSafeJobId(std::string(128, 'a')));
}

TEST(sha256_known_answers) {
    CHECK_EQ(hex([] { auto d = sha256("", 0); return std::vector<std::uint8_t>(d.begin(), d.end()); }()),
             std::string("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
    CHECK_EQ(hex([] { auto d = sha256("abc", 3); return std::vector<std::uint8_t>(d.begin(), d.end()); }()),
             std::string("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
    const std::string two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";   // two blocks
    auto d2 = sha256(two.data(), two.size());
    CHECK_EQ(hex(std::vector<std::uint8_t>(d2.begin(), d2.end())),
             std::string("248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"));
    // RFC 4231 test case 2.
    const std::string key = "Jefe", msg = "what do ya want for nothing?";
    auto h = hmacSha256(key.data(), key.size(), msg.data(), msg.size());
    CHECK_EQ(hex(std::vector<std::uint8_t>(h.begin(), h.end())),
             std::string("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"));
}

TEST(auth_mac_matches_the_documented_known_answer_and_the_vector) {
    const mp::Bytes zeros(32, 0);
    CHECK_EQ(hex(proto::authMac(zeros, zeros, "x")),
             std::string("32e9d73dc5836f7efdffd2d735e2c73ba92b2b324d622d4110defb46ee0bcc35"));
    mp::Bytes nonce(32);
    for (int i = 0; i < 32; ++i) nonce[i] = static_cast<std::uint8_t>(i);
    const auto auth = std::get<proto::Auth>(proto::decode(readBytes(vectorsDir() + "/auth/header.msgpack")));
    CHECK(proto::authMac(zeros, nonce, auth.clientId) == auth.mac);
    CHECK_EQ(auth.nonce.size(), std::size_t(32));
    CHECK_EQ(int(auth.nonce[0]), 32);
}

TEST(server_mac_matches_the_vector_and_a_wrong_one_is_refused) {
    // auth_ok's vector: secret 32 zero bytes, the client nonce from auth, the daemon nonce from welcome.
    const mp::Bytes zeros(32, 0);
    const auto auth = std::get<proto::Auth>(proto::decode(readBytes(vectorsDir() + "/auth/header.msgpack")));
    const auto w = std::get<proto::Welcome>(proto::decode(readBytes(vectorsDir() + "/welcome/header.msgpack")));
    const auto ok = std::get<proto::AuthOk>(proto::decode(readBytes(vectorsDir() + "/auth_ok/header.msgpack")));
    const auto mine = proto::serverMac(zeros, auth.nonce, w.nonce, auth.clientId);
    CHECK(proto::sameBytes(mine, ok.mac));
    auto wrong = ok.mac;
    wrong[31] ^= 1;
    CHECK(!proto::sameBytes(mine, wrong));
    CHECK(!proto::sameBytes(mine, mp::Bytes(ok.mac.begin(), ok.mac.end() - 1)));
    // The daemon's MAC is not the client's (different context): a daemon cannot echo the client's answer.
    CHECK(!proto::sameBytes(proto::authMac(zeros, w.nonce, auth.clientId), mine));
}

namespace {
std::string decodeError(const mp::Bytes& b) {
    try {
        (void)mp::decodeMap(b.data(), b.size());
    } catch (const mp::DecodeError& e) {
        return e.what();
    }
    return "";
}
}  // namespace

TEST(msgpack_checks_counts_against_the_input_before_reserving) {
    // A map announcing 4096 entries (the most allowed) with two bytes behind it: refused by the count
    // check itself, not after reserving 4096 entries and running out of input.
    mp::Bytes m = {0xDE, 0x10, 0x00, 0xA1, 0x78};
    CHECK(decodeError(m).find("announces more entries") != std::string::npos);
    // An array of 4095 items inside a valid map: same for arrays.
    mp::Writer w;
    w.mapHeader(3).key("v").integer(1).key("type").str("ping").key("t");
    mp::Bytes a = w.take();
    a.insert(a.end(), {0xDC, 0x0F, 0xFF, 0x01});
    CHECK(decodeError(a).find("announces more items") != std::string::npos);
    CHECK_THROWS(proto::decode(a));
    // Counts that do fit still decode.
    mp::Writer ok;
    ok.mapHeader(3).key("v").integer(1).key("type").str("ping").key("t").integer(5);
    CHECK_EQ(decodeError(ok.bytes()), std::string(""));
}

TEST(msgpack_refuses_duplicate_keys) {
    mp::Writer w;   // "type" twice: which one counts would be up to the reader
    w.mapHeader(3).key("v").integer(1).key("type").str("ping").key("type").str("bye");
    CHECK(decodeError(w.bytes()).find("duplicate map key 'type'") != std::string::npos);
    CHECK_THROWS(proto::decode(w.bytes()));
    mp::Writer nested;   // in a nested map too, and in a large map (the hashed path)
    nested.mapHeader(3).key("v").integer(1).key("type").str("ping").key("x").mapHeader(2).key("a").integer(1).key("a").integer(2);
    CHECK(decodeError(nested.bytes()).find("duplicate") != std::string::npos);
    mp::Writer big;
    big.mapHeader(40);
    for (int i = 0; i < 39; ++i) big.key(("k" + std::to_string(i)).c_str()).integer(i);
    big.key("k7").integer(0);
    CHECK(decodeError(big.bytes()).find("duplicate map key 'k7'") != std::string::npos);
}

TEST(pcm_sizes_use_checked_multiplication) {
    // frames = 2^62 with 1 channel: frames x 4 wraps to 0 in 64 bits; the decoder refuses it.
    mp::Writer b;
    b.mapHeader(9).key("v").integer(1).key("type").str("block").key("job").str("j").key("variation").integer(0)
        .key("seq").integer(0).key("offset").integer(0).key("rate").integer(44100).key("channels").integer(1)
        .key("frames").integer(std::int64_t(1) << 62);
    CHECK_THROWS(proto::decode(b.bytes()));
    proto::Block blk{"j", 0, 0, 0, 44100, 4, std::int64_t(1) << 62};
    CHECK_EQ(proto::pcmBytes(proto::Message(blk)), SIZE_MAX);
    std::int64_t out = 0;
    CHECK(!proto::checkedMul(std::int64_t(1) << 62, 4, &out));
    CHECK(proto::checkedMul(1000, 4, &out) && out == 4000);
}

TEST(decoder_refuses_what_the_daemon_refuses) {
    auto bytesOf = [](std::initializer_list<int> v) { mp::Bytes b; for (int x : v) b.push_back(std::uint8_t(x)); return b; };
    CHECK_THROWS(proto::decode(bytesOf({0x91, 0x01})));                       // not a map
    CHECK_THROWS(proto::decode(bytesOf({0xC1})));                             // never-used byte
    CHECK_THROWS(proto::decode(bytesOf({0xC6, 0xFF, 0xFF, 0xFF, 0xFF})));     // bin32 claiming 4 GiB
    CHECK_THROWS(proto::decode(bytesOf({0xDF, 0x7F, 0xFF, 0xFF, 0xFF})));     // map32 with 2^31 entries
    CHECK_THROWS(proto::decode(mp::Bytes()));                                 // empty frame
    auto ping = proto::encode(proto::Ping{1});
    ping.push_back(0x00);
    CHECK_THROWS(proto::decode(ping));                                        // bytes after the map
    mp::Writer w;                                                             // "type" as an int
    w.mapHeader(2).key("v").integer(1).key("type").integer(3);
    CHECK_THROWS(proto::decode(w.bytes()));
    mp::Writer deep;                                                          // 5 levels of maps
    deep.mapHeader(3).key("v").integer(1).key("type").str("ping").key("t");
    for (int k = 0; k < 5; ++k) deep.mapHeader(1).key("x");
    deep.integer(1);
    CHECK_THROWS(proto::decode(deep.bytes()));
    mp::Writer block;                                                         // rate out of range
    block.mapHeader(9).key("v").integer(1).key("type").str("block").key("job").str("j").key("variation").integer(0)
        .key("seq").integer(0).key("offset").integer(0).key("rate").integer(1000).key("channels").integer(1)
        .key("frames").integer(4);
    CHECK_THROWS(proto::decode(block.bytes()));
    // nil counts as absent: an error with request = nil decodes without a request.
    mp::Writer err;
    err.mapHeader(5).key("v").integer(1).key("type").str("error").key("code").str("internal")
        .key("message").str("m").key("request").nil();
    const auto e = std::get<proto::Error>(proto::decode(err.bytes()));
    CHECK(!e.request.has_value());
    // and re-encodes without it
    CHECK_EQ(proto::encode(e).size() + 9, err.bytes().size());
}

TEST(integers_use_the_smallest_form) {
    auto enc = [](std::int64_t v) { mp::Writer w; w.integer(v); return hex(w.bytes()); };
    CHECK_EQ(enc(0), std::string("00"));
    CHECK_EQ(enc(127), std::string("7f"));
    CHECK_EQ(enc(128), std::string("cc80"));
    CHECK_EQ(enc(65535), std::string("cdffff"));
    CHECK_EQ(enc(65536), std::string("ce00010000"));
    CHECK_EQ(enc(-1), std::string("ff"));
    CHECK_EQ(enc(-33), std::string("d0df"));
    CHECK_EQ(enc(-129), std::string("d1ff7f"));
}

TEST_MAIN()
