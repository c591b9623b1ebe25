// primitives.cpp: Mutex, RwSem and BitLock on top of announce_blocking().
//
// Each operation announces first and acts after the strategy chose it, so a
// blocked acquire is simply a pending access whose guard is false. It runs in a
// Frame named for the operation (spin_lock, up_read, lock_page, ...): a step the
// caller labelled with its own function is still found by --reach up_read.
#include <string>

#include "checker/bitlock.h"
#include "checker/mutex.h"
#include "checker/rwsem.h"

namespace checker {

namespace {
[[noreturn]] void misuse(const std::string& what, ObjectId id, SourceLoc loc) {
  fail(FailureKind::Assertion, what + " " + object_name(id) + " by " +
                                   thread_name(current_thread()), loc);
}
}  // namespace

void Mutex::lock(const char* label, SourceLoc loc) {
  Frame op(spin_ ? "spin_lock" : "mutex_lock");
  auto free = [this] { return holder_ == kNoThread; };
  announce_blocking(id_, AccessKind::LockAcquire, label, free, loc);
  holder_ = current_thread();
  set_lock_holder(id_, holder_);
}

bool Mutex::try_lock(const char* label, SourceLoc loc) {
  Frame op(spin_ ? "spin_trylock" : "mutex_trylock");
  announce_refinable(id_, AccessKind::ReadModifyWrite, label, loc);
  if (holder_ != kNoThread) {
    refine(AccessKind::Read, loc);  // a failed trylock only read the lock
    return false;
  }
  holder_ = current_thread();
  set_lock_holder(id_, holder_);
  return true;
}

void Mutex::unlock(const char* label, SourceLoc loc) {
  Frame op(spin_ ? "spin_unlock" : "mutex_unlock");
  announce(id_, AccessKind::LockRelease, label, loc);
  if (holder_ != current_thread()) misuse("unlock of a lock not held:", id_, loc);
  holder_ = kNoThread;
  set_lock_holder(id_, kNoThread);
}

void RwSem::down_read(const char* label, SourceLoc loc) {
  Frame op("down_read");
  auto no_writer = [this] { return writer_ == kNoThread; };
  announce_blocking(id_, AccessKind::LockAcquireShared, label, no_writer, loc);
  ++readers_;
}

void RwSem::up_read(const char* label, SourceLoc loc) {
  Frame op("up_read");
  announce(id_, AccessKind::LockReleaseShared, label, loc);
  if (readers_ == 0) misuse("up_read without readers:", id_, loc);
  --readers_;
}

void RwSem::down_write(const char* label, SourceLoc loc) {
  Frame op("down_write");
  auto free = [this] { return writer_ == kNoThread && readers_ == 0; };
  announce_blocking(id_, AccessKind::LockAcquire, label, free, loc);
  writer_ = current_thread();
  set_lock_holder(id_, writer_);
}

void RwSem::up_write(const char* label, SourceLoc loc) {
  Frame op("up_write");
  announce(id_, AccessKind::LockRelease, label, loc);
  if (writer_ != current_thread()) misuse("up_write of a rwsem not write-held:", id_, loc);
  writer_ = kNoThread;
  set_lock_holder(id_, kNoThread);
}

void BitLock::lock(const char* label, SourceLoc loc) {
  Frame op("lock_page");
  auto clear = [this] { return holder_ == kNoThread; };
  announce_blocking(id_, AccessKind::LockAcquire, label, clear, loc);
  holder_ = current_thread();
  set_lock_holder(id_, holder_);
}

bool BitLock::try_lock(const char* label, SourceLoc loc) {
  Frame op("trylock_page");
  announce_refinable(id_, AccessKind::ReadModifyWrite, label, loc);
  if (holder_ != kNoThread) {
    refine(AccessKind::Read, loc);  // a failed trylock only read the lock
    return false;
  }
  holder_ = current_thread();
  set_lock_holder(id_, holder_);
  return true;
}

void BitLock::unlock(const char* label, SourceLoc loc) {
  Frame op("unlock_page");
  announce(id_, AccessKind::LockRelease, label, loc);
  // Like the kernel's page lock, any context may clear the bit; it must be set.
  if (holder_ == kNoThread) misuse("unlock of a bit lock that is not locked:", id_, loc);
  holder_ = kNoThread;
  set_lock_holder(id_, kNoThread);
}

void BitLock::wait_unlocked(const char* label, SourceLoc loc) {
  Frame op("wait_on_page_locked");
  auto clear = [this] { return holder_ == kNoThread; };
  announce_blocking(id_, AccessKind::Wait, label, clear, loc);
}

}  // namespace checker
