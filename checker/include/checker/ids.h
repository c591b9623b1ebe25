// ids.h: the small identity types of the engine.
//
// Identities are assigned in creation order inside one execution, so the same
// program under the same schedule prefix gives the same ids in every execution
// and on every machine. Invariant: an id is an index, never a pointer.
#pragma once

#include <cstdint>
#include <limits>
#include <source_location>

namespace checker {

/// A simulated thread: its index in spawn order (0, 1, ...).
using ThreadId = std::uint32_t;
inline constexpr ThreadId kNoThread = std::numeric_limits<ThreadId>::max();

/// The most simulated threads one execution may spawn (enabled sets are bitmasks).
inline constexpr ThreadId kMaxThreads = 64;

/// A shared object (variable, lock, pte, ...): its index in creation order.
using ObjectId = std::uint32_t;
inline constexpr ObjectId kNoObject = std::numeric_limits<ObjectId>::max();

/// Where in the model's source an operation was announced.
#if defined(__cpp_lib_source_location)
using SourceLoc = std::source_location;
#else
/// clang before 15 has no std::source_location over libstdc++ (the fuzz build,
/// tests/fuzz): the same interface from the builtins it does have.
class SourceLoc {
 public:
  static constexpr SourceLoc current(const char* file = __builtin_FILE(), std::uint_least32_t line = __builtin_LINE(),
                                     const char* function = __builtin_FUNCTION()) noexcept {
    SourceLoc l;
    l.file_ = file;
    l.line_ = line;
    l.function_ = function;
    return l;
  }
  constexpr const char* file_name() const noexcept { return file_; }
  constexpr const char* function_name() const noexcept { return function_; }
  constexpr std::uint_least32_t line() const noexcept { return line_; }
  constexpr std::uint_least32_t column() const noexcept { return 0; }

 private:
  const char* file_ = "";
  const char* function_ = "";
  std::uint_least32_t line_ = 0;
};
#endif

}  // namespace checker
