// pagewalk.h: the generic page-table walker of kernel 4.19 (mm/pagewalk.c):
// walk_page_range over one mm, calling the walk's pmd_entry for each pmd that
// is not none and pte_hole for the rest (HMM's walkers have no pte_entry).
// Invariant: callbacks get [addr, next) inside one pmd's 2 MiB; a non-zero
// callback result ends the walk and is returned.
#pragma once

#include <cstdint>
#include <functional>

#include "model/kernel.h"

namespace model::v4_19 {

/// struct mm_walk.
struct MmWalk {
  std::uint32_t mm = 0;
  std::function<int(PmdSlot& pmd, std::uint64_t addr, std::uint64_t next)> pmd_entry;
  std::function<int(std::uint64_t addr, std::uint64_t next)> pte_hole;
  int vma = -1;  ///< walk->vma, set by walk_page_range
};

/// walk_page_range(start, end, walk): -EINVAL for an empty range, else the
/// first non-zero callback result, or 0.
int walk_page_range(Kernel& k, std::uint64_t start, std::uint64_t end, MmWalk& walk);

}  // namespace model::v4_19
