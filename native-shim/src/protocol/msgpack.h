// The subset of MessagePack the protocol uses (docs/protocol.md), written and read canonically:
// integers in their smallest form (non-negative ones unsigned), floats always float64, str and bin with
// the shortest length prefix. The reader refuses what the daemon refuses: nesting deeper than 4 levels,
// more than 4096 entries in one map or array, a map or array announcing more entries than the rest of
// the input could hold (checked before anything is reserved), duplicate keys in a map, truncated input
// and bytes after the top-level value.
//
// Threads: [net-thread] and tests only. Both classes allocate; never use them on the audio thread.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace jb::mp {

using Bytes = std::vector<std::uint8_t>;

class Writer {
public:
    Writer& mapHeader(std::size_t n);
    Writer& arrayHeader(std::size_t n);
    Writer& nil();
    Writer& boolean(bool b);
    Writer& integer(std::int64_t v);
    Writer& uinteger(std::uint64_t v);
    Writer& float64(double v);
    Writer& str(const std::string& s);
    Writer& bin(const std::uint8_t* data, std::size_t n);
    Writer& bin(const Bytes& b) { return bin(b.data(), b.size()); }
    // A key of the current map: a str.
    Writer& key(const char* k) { return str(k); }

    const Bytes& bytes() const { return out_; }
    Bytes take() { return std::move(out_); }

private:
    void put(std::uint8_t b) { out_.push_back(b); }
    void putBE(std::uint64_t v, int n);
    Bytes out_;
};

struct DecodeError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// A decoded value. Map entries keep their wire order (canonical re-encoding depends on it).
struct Value {
    enum class Kind { Nil, Bool, Int, UInt, Float, Str, Bin, Array, Map };
    Kind kind = Kind::Nil;
    bool b = false;
    std::int64_t i = 0;
    std::uint64_t u = 0;
    double f = 0;
    std::string s;                                 // Str
    Bytes bin;                                     // Bin
    std::vector<Value> items;                      // Array
    std::vector<std::pair<std::string, Value>> map;   // Map (string keys only)

    bool isNil() const { return kind == Kind::Nil; }
    bool isInt() const { return kind == Kind::Int || kind == Kind::UInt; }
    bool isNumber() const { return isInt() || kind == Kind::Float; }
    // Map lookup: nullptr when absent or nil (nil counts as absent).
    const Value* find(const char* key) const;
    std::int64_t asInt() const;    // throws DecodeError unless an integer that fits int64
    double asDouble() const;       // any number
};

constexpr int kMaxDepth = 4;
constexpr std::size_t kMaxEntries = 4096;

// Decodes exactly one top-level map from [data, data+n). Throws DecodeError.
Value decodeMap(const std::uint8_t* data, std::size_t n);

}  // namespace jb::mp
