// bitlock.h: BitLock, a sleeping lock on one bit with waiters: the shape of the
// kernel's page lock (PG_locked with lock_page / trylock_page / unlock_page /
// wait_on_page_locked). Each operation runs in a Frame of that name.
//
// Invariant: locked() iff holder() != kNoThread. Waiters are the threads whose
// pending operation waits on this object; deadlock reports list them.
#pragma once

#include <string>

#include "checker/api.h"

namespace checker {

class BitLock {
 public:
  explicit BitLock(std::string name) : id_(new_object(std::move(name))) {}

  /// Sleep until the bit is clear, then set it (lock_page).
  void lock(const char* label = "lock_page", SourceLoc loc = SourceLoc::current());
  /// Set the bit if clear; never sleeps (trylock_page).
  bool try_lock(const char* label = "trylock_page", SourceLoc loc = SourceLoc::current());
  /// Clear the bit and wake the waiters (unlock_page). Must be held by the caller.
  void unlock(const char* label = "unlock_page", SourceLoc loc = SourceLoc::current());
  /// Sleep until the bit is clear, without taking it (wait_on_page_locked).
  void wait_unlocked(const char* label = "wait_on_page_locked",
                     SourceLoc loc = SourceLoc::current());

  bool locked() const { return holder_ != kNoThread; }
  ThreadId holder() const { return holder_; }
  ObjectId id() const { return id_; }

 private:
  ObjectId id_;
  ThreadId holder_ = kNoThread;
};

}  // namespace checker
