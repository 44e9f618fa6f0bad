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
    CHECK_EQ(w.styles.artists.size(), std::size_t(2));
    CHECK_EQ(w.limits.maxVariations, 8);
    CHECK_NEAR(w.limits.maxPromptSeconds, 60.0, 0);
    const auto p = std::get<proto::Progress>(proto::decode(readBytes(vectorsDir() + "/progress/header.msgpack")));
    CHECK(p.eta.has_value());
    CHECK_NEAR(*p.eta, 50.25, 0);
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
