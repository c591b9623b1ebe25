// pagewalk.cpp: walk_page_range, walk_pmd_range (mm/pagewalk.c v4.19).
// Yield points: walk_pmd_range's lockless pmd_none(*pmd), a Read of the pmd.
// Invariant: the pgd, p4d and pud levels are always present in the model (no
// pud holes), so walk_pgd_range .. walk_pud_range reduce to walk_pmd_range.
#include "model/pagewalk.h"

#include "model/ksm.h"

namespace model::v4_19 {

namespace {

// mm/pagewalk.c v4.19: walk_pmd_range (no pte_entry: no split, no walk_pte_range)
int walk_pmd_range(Kernel& k, std::uint64_t addr, std::uint64_t end, MmWalk& walk) {
  checker::Frame frame("walk_pmd_range");
  int err = 0;
  do {
    const std::uint64_t next = std::min(pmd_base(addr) + kPmdSize, end);  // pmd_addr_end
    PmdSlot* slot = k.pmd_slot(walk.mm, addr);
    const bool none = !slot || pmd_none(k.read_pmd(walk.mm, *slot, "walk_pmd_range"));
    if (none || walk.vma < 0) {
      if (walk.pte_hole) err = walk.pte_hole(addr, next);
    } else if (walk.pmd_entry) {
      err = walk.pmd_entry(*slot, addr, next);
    }
    if (err) break;
    addr = next;
  } while (addr != end);
  return err;
}

}  // namespace

// mm/pagewalk.c v4.19: walk_page_range (-> walk_page_test, __walk_page_range, walk_pgd_range)
int walk_page_range(Kernel& k, std::uint64_t start, std::uint64_t end, MmWalk& walk) {
  checker::Frame frame("walk_page_range");
  if (start >= end) return -kEINVAL;
  int err = 0;
  do {
    std::uint64_t next = end;
    const int v = k.find_vma(walk.mm, start);
    if (v < 0) {
      walk.vma = -1;  // outside any vma: the hole callback
      for (std::uint32_t other : k.mms[walk.mm].vmas)
        if (k.vmas[other].start > start) { next = std::min(end, k.vmas[other].start); break; }
    } else {
      walk.vma = v;
      next = std::min(end, k.vmas[static_cast<std::size_t>(v)].end);
    }
    if (walk.vma >= 0 || walk.pte_hole) err = walk_pmd_range(k, start, next, walk);
    if (err) break;
    start = next;
  } while (start < end);
  return err;
}

}  // namespace model::v4_19
