// shared_array.h: SharedArray<T>, n shared variables "base[0]".."base[n-1]",
// each its own object (accesses to different elements never conflict).
//
// A program keeps the array as a plain member and reset()s it in every
// Program::setup(); element names are built once per search, not once per
// execution (new_element(base, index)).
// Invariant: after reset(base, n, v), element i is object "base[i]" holding v,
// created in index order.
#pragma once

#include <cstdint>
#include <vector>

#include "checker/shared.h"

namespace checker {

template <class T>
class SharedArray {
 public:
  SharedArray() = default;

  /// Create this execution's n elements, each holding `initial`. `base` must
  /// outlive the search (a string literal).
  void reset(const char* base, std::uint32_t n, const T& initial) {
    elems_.resize(n);
    for (std::uint32_t i = 0; i < n; ++i) elems_[i].reset(base, i, initial);
  }

  Shared<T>& operator[](std::size_t i) { return elems_[i]; }
  const Shared<T>& operator[](std::size_t i) const { return elems_[i]; }
  Shared<T>& at(std::size_t i) { return elems_.at(i); }
  std::size_t size() const { return elems_.size(); }
  auto begin() { return elems_.begin(); }
  auto end() { return elems_.end(); }
  auto begin() const { return elems_.begin(); }
  auto end() const { return elems_.end(); }

 private:
  std::vector<Shared<T>> elems_;
};

}  // namespace checker
