#include "protocol/msgpack.h"

#include <cstring>
#include <unordered_set>

namespace jb::mp {

void Writer::putBE(std::uint64_t v, int n) {
    for (int k = n - 1; k >= 0; --k) put(static_cast<std::uint8_t>(v >> (8 * k)));
}

Writer& Writer::mapHeader(std::size_t n) {
    if (n <= 15) put(static_cast<std::uint8_t>(0x80 | n));
    else if (n <= 0xFFFF) { put(0xDE); putBE(n, 2); }
    else { put(0xDF); putBE(n, 4); }
    return *this;
}

Writer& Writer::arrayHeader(std::size_t n) {
    if (n <= 15) put(static_cast<std::uint8_t>(0x90 | n));
    else if (n <= 0xFFFF) { put(0xDC); putBE(n, 2); }
    else { put(0xDD); putBE(n, 4); }
    return *this;
}

Writer& Writer::nil() { put(0xC0); return *this; }
Writer& Writer::boolean(bool b) { put(b ? 0xC3 : 0xC2); return *this; }

Writer& Writer::uinteger(std::uint64_t v) {
    if (v <= 0x7F) put(static_cast<std::uint8_t>(v));
    else if (v <= 0xFF) { put(0xCC); putBE(v, 1); }
    else if (v <= 0xFFFF) { put(0xCD); putBE(v, 2); }
    else if (v <= 0xFFFFFFFFull) { put(0xCE); putBE(v, 4); }
    else { put(0xCF); putBE(v, 8); }
    return *this;
}

Writer& Writer::integer(std::int64_t v) {
    if (v >= 0) return uinteger(static_cast<std::uint64_t>(v));
    const auto u = static_cast<std::uint64_t>(v);
    if (v >= -32) put(static_cast<std::uint8_t>(v));
    else if (v >= -128) { put(0xD0); putBE(u, 1); }
    else if (v >= -32768) { put(0xD1); putBE(u, 2); }
    else if (v >= -2147483648LL) { put(0xD2); putBE(u, 4); }
    else { put(0xD3); putBE(u, 8); }
    return *this;
}

Writer& Writer::float64(double v) {
    std::uint64_t bits;
    std::memcpy(&bits, &v, 8);
    put(0xCB);
    putBE(bits, 8);
    return *this;
}

Writer& Writer::str(const std::string& s) {
    const std::size_t n = s.size();
    if (n <= 31) put(static_cast<std::uint8_t>(0xA0 | n));
    else if (n <= 0xFF) { put(0xD9); putBE(n, 1); }
    else if (n <= 0xFFFF) { put(0xDA); putBE(n, 2); }
    else { put(0xDB); putBE(n, 4); }
    out_.insert(out_.end(), s.begin(), s.end());
    return *this;
}

Writer& Writer::bin(const std::uint8_t* data, std::size_t n) {
    if (n <= 0xFF) { put(0xC4); putBE(n, 1); }
    else if (n <= 0xFFFF) { put(0xC5); putBE(n, 2); }
    else { put(0xC6); putBE(n, 4); }
    out_.insert(out_.end(), data, data + n);
    return *this;
}

const Value* Value::find(const char* key) const {
    for (const auto& kv : map)
        if (kv.first == key) return kv.second.isNil() ? nullptr : &kv.second;
    return nullptr;
}

std::int64_t Value::asInt() const {
    if (kind == Kind::Int) return i;
    if (kind == Kind::UInt && u <= static_cast<std::uint64_t>(INT64_MAX)) return static_cast<std::int64_t>(u);
    throw DecodeError("expected an integer");
}

double Value::asDouble() const {
    if (kind == Kind::Float) return f;
    if (kind == Kind::Int) return static_cast<double>(i);
    if (kind == Kind::UInt) return static_cast<double>(u);
    throw DecodeError("expected a number");
}

namespace {

class Reader {
public:
    Reader(const std::uint8_t* p, std::size_t n) : p_(p), end_(p + n) {}

    bool atEnd() const { return p_ == end_; }

    std::uint8_t byte() {
        need(1);
        return *p_++;
    }
    std::uint64_t be(int n) {
        need(static_cast<std::size_t>(n));
        std::uint64_t v = 0;
        for (int k = 0; k < n; ++k) v = (v << 8) | *p_++;
        return v;
    }
    std::size_t remaining() const { return static_cast<std::size_t>(end_ - p_); }
    void need(std::size_t n) const {
        if (remaining() < n) throw DecodeError("truncated message");
    }
    const std::uint8_t* take(std::size_t n) {
        need(n);
        const std::uint8_t* at = p_;
        p_ += n;
        return at;
    }

    Value map(std::size_t n, int depth) {
        if (depth > kMaxDepth) throw DecodeError("message nested too deeply");
        if (n > kMaxEntries) throw DecodeError("too many entries");
        // Every entry takes at least two bytes (key and value): refuse a count the input cannot hold
        // before reserving anything for it.
        if (n > remaining() / 2) throw DecodeError("truncated message: the map announces more entries than follow");
        Value v;
        v.kind = Value::Kind::Map;
        v.map.reserve(n);
        std::unordered_set<std::string> seen;   // only for larger maps; small ones are scanned
        for (std::size_t k = 0; k < n; ++k) {
            Value key = value(depth);
            if (key.kind != Value::Kind::Str) throw DecodeError("map key is not a string");
            bool duplicate = false;
            if (n <= 16) {
                for (const auto& kv : v.map) duplicate = duplicate || kv.first == key.s;
            } else {
                duplicate = !seen.insert(key.s).second;
            }
            if (duplicate) throw DecodeError("duplicate map key '" + key.s.substr(0, 64) + "'");
            Value item = value(depth);
            v.map.emplace_back(std::move(key.s), std::move(item));
        }
        return v;
    }

    Value array(std::size_t n, int depth) {
        if (depth + 1 > kMaxDepth) throw DecodeError("message nested too deeply");
        if (n > kMaxEntries) throw DecodeError("too many entries");
        if (n > remaining()) throw DecodeError("truncated message: the array announces more items than follow");
        Value v;
        v.kind = Value::Kind::Array;
        v.items.reserve(n);
        for (std::size_t k = 0; k < n; ++k) v.items.push_back(value(depth + 1));
        return v;
    }

    // A value inside a container at `depth` (a nested map goes one level deeper).
    Value value(int depth) {
        const std::uint8_t t = byte();
        Value v;
        if (t <= 0x7F) { v.kind = Value::Kind::UInt; v.u = t; return v; }
        if (t >= 0xE0) { v.kind = Value::Kind::Int; v.i = static_cast<std::int8_t>(t); return v; }
        if ((t & 0xF0) == 0x80) return map(t & 0x0F, depth + 1);
        if ((t & 0xF0) == 0x90) return array(t & 0x0F, depth);
        if ((t & 0xE0) == 0xA0) return string(t & 0x1F);
        switch (t) {
            case 0xC0: return v;
            case 0xC2: v.kind = Value::Kind::Bool; v.b = false; return v;
            case 0xC3: v.kind = Value::Kind::Bool; v.b = true; return v;
            case 0xC4: return binary(be(1));
            case 0xC5: return binary(be(2));
            case 0xC6: return binary(be(4));
            case 0xCA: {
                const auto bits = static_cast<std::uint32_t>(be(4));
                float f;
                std::memcpy(&f, &bits, 4);
                v.kind = Value::Kind::Float; v.f = f; return v;
            }
            case 0xCB: {
                const std::uint64_t bits = be(8);
                std::memcpy(&v.f, &bits, 8);
                v.kind = Value::Kind::Float; return v;
            }
            case 0xCC: v.kind = Value::Kind::UInt; v.u = be(1); return v;
            case 0xCD: v.kind = Value::Kind::UInt; v.u = be(2); return v;
            case 0xCE: v.kind = Value::Kind::UInt; v.u = be(4); return v;
            case 0xCF: v.kind = Value::Kind::UInt; v.u = be(8); return v;
            case 0xD0: v.kind = Value::Kind::Int; v.i = static_cast<std::int8_t>(be(1)); return v;
            case 0xD1: v.kind = Value::Kind::Int; v.i = static_cast<std::int16_t>(be(2)); return v;
            case 0xD2: v.kind = Value::Kind::Int; v.i = static_cast<std::int32_t>(be(4)); return v;
            case 0xD3: v.kind = Value::Kind::Int; v.i = static_cast<std::int64_t>(be(8)); return v;
            case 0xD9: return string(be(1));
            case 0xDA: return string(be(2));
            case 0xDB: return string(be(4));
            case 0xDC: return array(be(2), depth);
            case 0xDD: return array(be(4), depth);
            case 0xDE: return map(be(2), depth + 1);
            case 0xDF: return map(be(4), depth + 1);
            default: throw DecodeError("unsupported MessagePack type");
        }
    }

private:
    Value string(std::uint64_t n) {
        Value v;
        v.kind = Value::Kind::Str;
        const std::uint8_t* at = take(n);
        v.s.assign(reinterpret_cast<const char*>(at), n);
        return v;
    }
    Value binary(std::uint64_t n) {
        Value v;
        v.kind = Value::Kind::Bin;
        const std::uint8_t* at = take(n);
        v.bin.assign(at, at + n);
        return v;
    }

    const std::uint8_t* p_;
    const std::uint8_t* end_;
};

}  // namespace

Value decodeMap(const std::uint8_t* data, std::size_t n) {
    Reader r(data, n);
    const std::uint8_t t = r.byte();
    std::size_t entries;
    if ((t & 0xF0) == 0x80) entries = t & 0x0F;
    else if (t == 0xDE) entries = r.be(2);
    else if (t == 0xDF) entries = r.be(4);
    else throw DecodeError("the header is not a map");
    Value v = r.map(entries, 0);
    if (!r.atEnd()) throw DecodeError("bytes after the map");
    return v;
}

}  // namespace jb::mp
