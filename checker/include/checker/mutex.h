// mutex.h: exclusive locks. Mutex (sleeping) and Spinlock differ only in name:
// a spinning waiter is modelled as blocked, since spinning changes no state.
// Each operation runs in a Frame named for it (mutex_lock or spin_lock, ...),
// so Options::reach finds a lock operation whatever the caller labelled it.
//
// Invariant: holder() is kNoThread or the thread between its lock() and
// unlock(). Unlocking a lock one does not hold is a model error.
#pragma once

#include <string>

#include "checker/api.h"

namespace checker {

class Mutex {
 public:
  explicit Mutex(std::string name) : id_(new_object(std::move(name))) {}
  /// A lock that is a child of `parent` (checker::new_object(name, parent)): its
  /// acquires and releases are related to every access to `parent`. For a lock whose
  /// critical sections change what a lockless reader of `parent` reads (a list the
  /// lock guards, whose emptiness a waiter tests as part of `parent`'s state).
  Mutex(std::string name, ObjectId parent) : id_(new_object(std::move(name), parent)) {}

  void lock(const char* label = "mutex_lock", SourceLoc loc = SourceLoc::current());
  /// Never blocks; returns whether the lock was taken.
  bool try_lock(const char* label = "mutex_trylock", SourceLoc loc = SourceLoc::current());
  void unlock(const char* label = "mutex_unlock", SourceLoc loc = SourceLoc::current());

  bool is_locked() const { return holder_ != kNoThread; }
  ThreadId holder() const { return holder_; }
  ObjectId id() const { return id_; }

 protected:
  bool spin_ = false;  ///< a Spinlock: its operations' frames are spin_lock, spin_trylock, spin_unlock

 private:
  ObjectId id_;
  ThreadId holder_ = kNoThread;
};

class Spinlock : public Mutex {
 public:
  explicit Spinlock(std::string name) : Mutex(std::move(name)) { spin_ = true; }
  Spinlock(std::string name, ObjectId parent) : Mutex(std::move(name), parent) { spin_ = true; }
  void lock(const char* label = "spin_lock", SourceLoc loc = SourceLoc::current()) {
    Mutex::lock(label, loc);
  }
  bool try_lock(const char* label = "spin_trylock", SourceLoc loc = SourceLoc::current()) {
    return Mutex::try_lock(label, loc);
  }
  void unlock(const char* label = "spin_unlock", SourceLoc loc = SourceLoc::current()) {
    Mutex::unlock(label, loc);
  }
};

}  // namespace checker
