// schedule.h: the choices that determine one execution, the only input replay
// needs. Thread choices and value choices (checker::choose) are interleaved in
// the order they were made.
#pragma once

#include <cstdint>
#include <vector>

#include "checker/ids.h"

namespace checker {

struct Choice {
  enum class Kind : std::uint8_t { Thread, Value };
  Kind kind = Kind::Thread;
  std::uint32_t value = 0;  ///< a ThreadId, or the value chosen in [0, n)
  std::uint32_t range = 0;  ///< for a value choice, n; for a thread choice, 0

  friend bool operator==(const Choice&, const Choice&) = default;
};

using Schedule = std::vector<Choice>;

}  // namespace checker
