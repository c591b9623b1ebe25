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
using SourceLoc = std::source_location;

}  // namespace checker
