// A small JSON reader for the files the plugin reads (client.json, style presets) and for the tests'
// protocol vectors (fields.json). Numbers keep whether they were written as integers.
// Threads: [main-thread] / [net-thread]; allocates.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace jb::json {

struct Value {
    enum class Kind { Null, Bool, Number, String, Array, Object };
    Kind kind = Kind::Null;
    bool b = false;
    double number = 0;
    bool integral = false;   // written without fraction or exponent
    std::int64_t integer = 0;
    std::string str;
    std::vector<Value> items;
    std::vector<std::pair<std::string, Value>> members;   // in file order

    const Value* find(const std::string& key) const;
    std::string getString(const std::string& key, const std::string& fallback = "") const;
    double getNumber(const std::string& key, double fallback) const;
    bool getBool(const std::string& key, bool fallback) const;
};

struct ParseError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

Value parse(const std::string& text);   // throws ParseError
Value parseFile(const std::string& path);   // throws ParseError (also when unreadable)

}  // namespace jb::json
