// json_input.h: strict reading of scenario JSON. Every accessor knows its JSON
// pointer, so every error is one InputError line: "FILE: at /ptr: what".
//
// Invariants: an object read through JsonInput is checked for unknown keys by
// done(): every key must have been read or be listed as allowed. Arrays hold at
// most kMaxArrayItems elements, integers are reported as the values written
// (never wrapped), addresses are page aligned user addresses up to kTaskSize,
// and an error quotes input only as a short escaped excerpt (input_limits.h).
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "model/input_limits.h"
#include "model/scenario.h"

namespace model {

class JsonInput {
 public:
  JsonInput(const nlohmann::json& j, std::string file, std::string pointer)
      : j_(j), file_(std::move(file)), ptr_(std::move(pointer)) {}

  const nlohmann::json& json() const { return j_; }
  const std::string& pointer() const { return ptr_; }
  const std::string& file() const { return file_; }

  [[noreturn]] void error(const std::string& what) const { throw InputError(file_, ptr_, what); }
  /// A kernel path the model does not have (UnsupportedInput: exit 4).
  [[noreturn]] void unsupported(const std::string& what) const { throw UnsupportedInput(file_, ptr_, what); }
  /// For the model's input checks that return a message (fault_model_error,
  /// mremap_input_error, ...): by the house convention their messages say "not
  /// modelled" exactly when the refusal is a model limit rather than bad input.
  [[noreturn]] void refuse(const std::string& what) const {
    if (what.find("not modelled") != std::string::npos) unsupported(what);
    error(what);
  }

  static std::string type_name(const nlohmann::json& j) {
    if (j.is_null()) return "null";
    if (j.is_boolean()) return "a boolean";
    if (j.is_number_integer() || j.is_number_unsigned()) return "an integer";
    if (j.is_number()) return "a number";
    if (j.is_string()) return "a string";
    if (j.is_array()) return "an array";
    return "an object";
  }

  void expect_object() const {
    if (!j_.is_object()) error("expected an object, got " + type_name(j_));
  }
  void expect_array() const {
    if (!j_.is_array()) error("expected an array, got " + type_name(j_));
    if (j_.size() > kMaxArrayItems)
      error("an array of " + std::to_string(j_.size()) + " elements; at most " +
            std::to_string(kMaxArrayItems) + " are accepted");
  }

  bool has(const std::string& key) {
    seen_.insert(key);
    return j_.contains(key);
  }
  /// The member `key` (required).
  JsonInput at(const std::string& key) {
    seen_.insert(key);
    if (!j_.contains(key)) {
      std::string typo;  // a key of the object one or two edits away, not read as anything else
      for (auto it = j_.begin(); it != j_.end() && typo.empty(); ++it)
        if (!seen_.count(it.key()) && model::edit_distance(it.key(), key) <= 2) typo = it.key();
      error("missing required field \"" + key + "\"" +
            (typo.empty() ? std::string() : " (the object has " + quote_input(typo) + ": a misspelling?)"));
    }
    return JsonInput(j_.at(key), file_, ptr_ + "/" + escape(key));
  }
  /// Element i of an array.
  JsonInput at(std::size_t i) const { return JsonInput(j_.at(i), file_, ptr_ + "/" + std::to_string(i)); }
  std::size_t size() const { return j_.size(); }

  std::string as_string() const {
    if (!j_.is_string()) error("expected a string, got " + type_name(j_));
    return j_.get<std::string>();
  }
  std::int64_t as_int(std::int64_t lo, std::int64_t hi) const {
    if (!j_.is_number_integer() && !j_.is_number_unsigned())
      error("expected an integer, got " + type_name(j_));
    if (j_.is_number_unsigned() && j_.get<std::uint64_t>() > static_cast<std::uint64_t>(hi))
      error("expected an integer in [" + std::to_string(lo) + ", " + std::to_string(hi) + "], got " +
            std::to_string(j_.get<std::uint64_t>()));
    std::int64_t v = j_.get<std::int64_t>();
    if (v < lo || v > hi)
      error("expected an integer in [" + std::to_string(lo) + ", " + std::to_string(hi) + "], got " +
            std::to_string(v));
    return v;
  }
  bool as_bool() const {
    if (!j_.is_boolean()) error("expected a boolean, got " + type_name(j_));
    return j_.get<bool>();
  }
  /// An address: "0x1000" (hexadecimal digits after "0x") or a non-negative
  /// integer; page aligned and at most kTaskSize.
  std::uint64_t as_address() const {
    std::uint64_t v = 0;
    if (j_.is_number_unsigned()) {
      v = j_.get<std::uint64_t>();
    } else if (j_.is_number_integer()) {
      if (j_.get<std::int64_t>() < 0) error("expected an address, got a negative number");
      v = j_.get<std::uint64_t>();
    } else if (j_.is_string()) {
      const std::string s = j_.get<std::string>();
      if (!parse_address(s, v)) error("expected an address like \"0x1000\", got " + quote_input(s));
    } else {
      error("expected an address (\"0x1000\" or an integer), got " + type_name(j_));
    }
    if (v > kTaskSize) error("address " + hex(v) + " is above the end of user space (" + hex(kTaskSize) + ")");
    if (v % 0x1000 != 0) error("address " + hex(v) + " is not page aligned (a multiple of the page size, 0x1000)");
    return v;
  }

  /// "0x" and 1..16 hexadecimal digits, or 1..19 decimal digits; nothing else.
  static bool parse_address(const std::string& s, std::uint64_t& v) {
    v = 0;
    if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
      if (s.size() > 18) return false;
      for (std::size_t i = 2; i < s.size(); ++i) {
        char c = s[i];
        int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
        if (d < 0) return false;
        v = v * 16 + static_cast<std::uint64_t>(d);
      }
      return true;
    }
    if (s.empty() || s.size() > 19) return false;
    for (char c : s) {
      if (c < '0' || c > '9') return false;
      v = v * 10 + static_cast<std::uint64_t>(c - '0');
    }
    return true;
  }

  static std::string hex(std::uint64_t v) {
    char buf[24];
    std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
    return buf;
  }

  /// A key as a JSON pointer token (RFC 6901), shortened when long.
  static std::string escape(const std::string& key) { return pointer_token(key); }

  /// Reject keys that were not read (typos, unknown fields).
  void done() const {
    for (auto it = j_.begin(); it != j_.end(); ++it) {
      if (seen_.count(it.key())) continue;
      // The fields this object was read for (seen_), the closest one absent named as a likely
      // misspelling, else all of them.
      std::string close, fields;
      std::size_t best = 3;
      for (const std::string& k : seen_) {
        fields += (fields.empty() ? "" : ", ") + k;
        const std::size_t d = model::edit_distance(k, it.key());
        if (d < best && !j_.contains(k)) best = d, close = k;
      }
      throw InputError(file_, ptr_ + "/" + escape(it.key()),
                       "unknown field " + quote_input(it.key()) +
                           (!close.empty() ? " (\"" + close + "\": a misspelling?)"
                            : fields.empty() ? std::string()
                                             : " (fields here: " + fields + ")"));
    }
  }

 private:
  const nlohmann::json& j_;
  std::string file_, ptr_;
  std::set<std::string> seen_;
};

}  // namespace model
