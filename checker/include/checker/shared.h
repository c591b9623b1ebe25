// shared.h: Shared<T>, a variable every access to which is a visible operation.
//
// Invariant: the stored value changes only in store/exchange/compare_exchange/
// update, each announced before it acts; peek() is for setup and final checks.
#pragma once

#include <string>
#include <utility>

#include "checker/api.h"

namespace checker {

template <class T>
class Shared {
 public:
  /// No object yet: reset() it in Program::setup() before a thread uses it
  /// (an access before that is a model error naming the operation).
  Shared() = default;
  Shared(std::string name, T initial) : id_(new_object(std::move(name))), value_(std::move(initial)) {}
  /// A field of the struct `parent` (see checker::new_object(name, parent)).
  Shared(std::string name, T initial, ObjectId parent)
      : id_(new_object(std::move(name), parent)), value_(std::move(initial)) {}

  /// Create this execution's object (in Program::setup()): a program keeps its
  /// Shared members and resets them every execution instead of rebuilding them.
  void reset(std::string name, T initial) {
    id_ = new_object(std::move(name));
    value_ = std::move(initial);
  }
  /// reset() as the array element "base[index]" (the name is built once per search).
  void reset(const char* base, std::uint32_t index, T initial) {
    id_ = new_element(base, index);
    value_ = std::move(initial);
  }

  T load(const char* label = "load", SourceLoc loc = SourceLoc::current()) {
    announce(id_, AccessKind::Read, label, loc);
    return value_;
  }
  void store(T v, const char* label = "store", SourceLoc loc = SourceLoc::current()) {
    announce(id_, AccessKind::Write, label, loc);
    value_ = std::move(v);
  }
  T exchange(T v, const char* label = "exchange", SourceLoc loc = SourceLoc::current()) {
    announce(id_, AccessKind::ReadModifyWrite, label, loc);
    return std::exchange(value_, std::move(v));
  }
  /// Atomic compare-and-swap; on failure `expected` receives the current value
  /// and the step counts as a Read (it changed nothing).
  bool compare_exchange(T& expected, T desired, const char* label = "cmpxchg",
                        SourceLoc loc = SourceLoc::current()) {
    announce_refinable(id_, AccessKind::ReadModifyWrite, label, loc);
    if (value_ == expected) {
      value_ = std::move(desired);
      return true;
    }
    expected = value_;
    refine(AccessKind::Read, loc);
    return false;
  }
  /// Atomic read-modify-write with f(T&); returns the value before.
  template <class F>
  T update(F&& f, const char* label = "update", SourceLoc loc = SourceLoc::current()) {
    announce(id_, AccessKind::ReadModifyWrite, label, loc);
    T old = value_;
    f(value_);
    return old;
  }
  /// An update f(T&) whose result the caller does not look at and which
  /// commutes with every other commuting_update of this variable (increments,
  /// decrements, adding flags): AccessKind::CommutingUpdate. The caller
  /// promises the commutation; Options::check_commutation checks it.
  template <class F>
  void commuting_update(F&& f, const char* label = "update",
                        SourceLoc loc = SourceLoc::current()) {
    announce(id_, AccessKind::CommutingUpdate, label, loc);
    f(value_);
  }
  /// Unannounced read: only for setup(), final checks and guards.
  const T& peek() const { return value_; }
  ObjectId id() const { return id_; }

 private:
  ObjectId id_ = kNoObject;
  T value_{};
};

}  // namespace checker
