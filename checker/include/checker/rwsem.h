// rwsem.h: RwSem, a reader-writer semaphore (the shape of mmap_sem).
//
// Invariant: writer() != kNoThread implies readers() == 0. Readers do not
// exclude each other; a waiting writer does not block new readers (no fairness
// is modelled: fairness only removes interleavings). Each operation runs in a
// Frame named for it (down_read, up_read, down_write, up_write).
#pragma once

#include <string>

#include "checker/api.h"

namespace checker {

class RwSem {
 public:
  explicit RwSem(std::string name) : id_(new_object(std::move(name))) {}

  void down_read(const char* label = "down_read", SourceLoc loc = SourceLoc::current());
  void up_read(const char* label = "up_read", SourceLoc loc = SourceLoc::current());
  void down_write(const char* label = "down_write", SourceLoc loc = SourceLoc::current());
  void up_write(const char* label = "up_write", SourceLoc loc = SourceLoc::current());

  unsigned readers() const { return readers_; }
  ThreadId writer() const { return writer_; }
  ObjectId id() const { return id_; }

 private:
  ObjectId id_;
  unsigned readers_ = 0;
  ThreadId writer_ = kNoThread;
};

}  // namespace checker
