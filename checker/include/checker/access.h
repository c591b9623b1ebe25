// access.h: one pending visible operation, and when two of them conflict.
//
// Before every operation another thread could observe, a simulated thread
// announces an Access and yields. The strategy sees the pending Access of every
// enabled thread. Invariant: dependent(a, b) is symmetric, and two accesses
// that are not dependent commute (running them in either order reaches the
// same state, and neither enables, disables or changes the kind of the other),
// which is what partial-order reduction relies on. Objects may form families
// of one level: a parent object (a whole struct) and its children (its
// fields); an access to the parent is related to every child's, children are
// unrelated to each other. Options::check_commutation checks the claim.
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
  /// An update whose result the thread does not look at and which commutes
  /// with the other CommutingUpdates of the object that share one of its
  /// commutation groups (Access::groups; by default all are in group 1:
  /// atomic_inc, atomic_dec, get_page): independent of those, dependent on
  /// every other access of a related object.
  CommutingUpdate,
};

/// Every kind, in declaration order (for tables and tests).
inline constexpr AccessKind kAllAccessKinds[] = {
    AccessKind::Read,          AccessKind::Write,         AccessKind::ReadModifyWrite,
    AccessKind::LockAcquire,   AccessKind::LockAcquireShared, AccessKind::LockRelease,
    AccessKind::LockReleaseShared, AccessKind::Wait,      AccessKind::Yield,
    AccessKind::CommutingUpdate};

std::string_view to_string(AccessKind k);

/// One announced operation. `label` is a short static text (for the model, the
/// kernel function); it must outlive the execution (use string literals).
struct Access {
  ObjectId object = kNoObject;
  AccessKind kind = AccessKind::Yield;
  const char* label = "";
  SourceLoc loc{};
  /// The parent of `object` when it is a child (a field of a struct), else
  /// kNoObject. Filled in by the engine from checker::new_object(name, parent).
  ObjectId parent = kNoObject;
  /// For a CommutingUpdate: the commutation groups it belongs to (a bit
  /// each). Two updates commute when they share a group, so increments (group
  /// 1), releases that may free (group 2) and decrements that never reach
  /// zero (groups 1|2) can say that increments and frees do not commute.
  std::uint8_t groups = 1;
  /// A wait announced with checker::announce_wait_for_change: its guard is
  /// false while no other thread has written `object` (or its family) since
  /// this thread's last step on it. Not part of dependent().
  bool until_change = false;
  /// Announced with checker::announce_refinable (or _update): the step may
  /// refine itself once it has run (checker::refine), so what it turns out
  /// to be can depend on the steps of other threads before it. Not part of
  /// dependent(); the race analysis takes it into account (dpor.h).
  bool may_refine = false;
};

/// True when the order of a and b can matter: related objects (the same one,
/// or a parent and its child) and kinds that conflict: not both read-like
/// (Read, Wait, shared acquire/release of the same lock), not both
/// CommutingUpdate.
bool dependent(const Access& a, const Access& b);

/// True when two accesses of kinds a and b to the same object conflict
/// (two CommutingUpdates: when they share no group; groups default to 1).
bool kinds_conflict(AccessKind a, AccessKind b, std::uint8_t groups_a = 1,
                    std::uint8_t groups_b = 1);

/// True when an operation announced as `announced` may be refined, once it
/// has run, to `refined` (checker::refine): `refined` conflicts with no kind
/// `announced` does not conflict with, and neither is a lock operation or a
/// wait (which blocking and lock matching depend on) unless they are equal.
bool refinable(AccessKind announced, AccessKind refined);

}  // namespace checker
