// access.h: one pending visible operation, and when two of them conflict.
//
// Before every operation another thread could observe, a simulated thread
// announces an Access and yields. The strategy sees the pending Access of every
// enabled thread. Invariant: dependent(a, b) is symmetric, and two accesses
// that are not dependent commute (running them in either order reaches the
// same state), which is what partial-order reduction relies on.
#pragma once

#include <string_view>

#include "checker/ids.h"

namespace checker {

/// The kind of a visible operation. Closed: strings only at the JSON boundary.
enum class AccessKind : std::uint8_t {
  Read,              ///< reads the object
  Write,             ///< overwrites the object
  ReadModifyWrite,   ///< reads and writes atomically (exchange, CAS, counters)
  LockAcquire,       ///< takes a lock exclusively (blocks while it is held)
  LockAcquireShared, ///< takes a lock shared (rwsem down_read)
  LockRelease,       ///< releases an exclusive hold
  LockReleaseShared, ///< releases a shared hold
  Wait,              ///< blocks until a condition on the object holds; reads it
  Yield,             ///< a pure scheduling point that touches nothing shared
};

std::string_view to_string(AccessKind k);

/// One announced operation. `label` is a short static text (for the model, the
/// kernel function); it must outlive the execution (use string literals).
struct Access {
  ObjectId object = kNoObject;
  AccessKind kind = AccessKind::Yield;
  const char* label = "";
  SourceLoc loc{};
};

/// True when the order of a and b can matter: same object and not both
/// read-like (Read, Wait, shared acquire/release of the same lock).
bool dependent(const Access& a, const Access& b);

}  // namespace checker
