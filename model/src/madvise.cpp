// madvise.cpp: madvise(MADV_DONTNEED) (mm/madvise.c, mm/memory.c v2.6.33, v3.9 and v4.19),
// the `madvise_dontneed` actor. The zap itself is the munmap/exit path's (memory.cpp):
// v3.9 unmap_vmas -> zap_pte_range with the mmu_gather, v2.6.33 zap_pte_range with its
// own mmu_gather (the pages put at tlb_finish_mmu, after the ptl), v4.19 zap_page_range
// (memory_zap_v4_19.cpp: the mmu notifier around zap_pmd_range). The syscall's shape
// (mmap_sem for read, the vma loop, -EINVAL for VM_LOCKED) is the same in all three.
//
// Yield points: mmap_sem for read, and everything zap_pte_range and tlb_finish_mmu
// announce (the ptl, each pte cleared, mapcount and reference drops, swap_free).
// Invariant: the vma stays (no detach, no unlink_anon_vmas): only its ptes in the
// range go, so a later fault finds pte none and maps a fresh page or the zero page; a
// VM_LOCKED vma is left whole (-EINVAL). Once a vma's part is zapped and flushed, the last
// stores there are marked discarded (the only ones no_lost_write reads as zero fill).
#include "model/madvise.h"

#include <algorithm>
#include <string>

#include "model/ksm.h"

#include "model/memory.h"
#include "model/mmap_v4_19.h"
#include "model/user_access.h"
#include "model/v2_6_33.h"

namespace model {

namespace {

/// find_vma(): the first vma of mm that ends above addr (it may start above addr), or -1.
int find_vma_above(const Kernel& k, std::uint32_t mm, std::uint64_t addr) {
  int best = -1;
  for (std::uint32_t v : k.mms.at(mm).vmas)
    if (k.vmas[v].end > addr && (best < 0 || k.vmas[v].start < k.vmas[static_cast<std::size_t>(best)].start))
      best = static_cast<int>(v);
  return best;
}

// mm/madvise.c v3.9, v2.6.33: madvise_dontneed, v4.19: madvise_dontneed_free (VM_LOCKED: -EINVAL; VM_HUGETLB, VM_PFNMAP and
// VM_NONLINEAR vmas do not exist in the model) -> mm/memory.c zap_page_range of [start, end)
long madvise_dontneed_vma(Kernel& k, std::uint32_t vma, std::uint64_t start, std::uint64_t end) {
  checker::Frame frame(k.config.era == Era::V4_19 ? "madvise_dontneed_free" : "madvise_dontneed");
  if (k.vmas.at(vma).flags & VM_LOCKED) {
    checker::note("madvise_dontneed: VM_LOCKED vma: -EINVAL");
    return -kEINVAL;
  }
  if (k.config.era == Era::V2_6_33) {
    v2_6_33::zap_page_range(k, vma, start, end);
  } else if (k.config.era == Era::V4_19) {
    // madvise_dontneed_free (v4.19): can_madv_dontneed_vma (above), userfaultfd_remove (no
    // userfaultfd: true), zap_page_range: the notifier bracket, zap_pmd_range, tlb_finish_mmu
    v4_19::zap_page_range(k, vma, start, end);
  } else {
    // zap_page_range (v3.9): lru_add_drain, tlb_gather_mmu, unmap_single_vma, tlb_finish_mmu
    MmuGather tlb;
    unmap_vmas(k, tlb, {vma}, start, end);
    tlb_finish_mmu(k, tlb);
  }
  const std::uint32_t mm = k.vmas[vma].mm;
  // The stores to the range that completed so far went to pages now unmapped and flushed
  // from every TLB: a read returns the zero fill (no_lost_write's rule).
  discard_user_data(k, mm, start, end);
  checker::note([&] { return std::string("MADV_DONTNEED " + k.where(mm, start) + ".." + k.where(mm, end)); });
  return 0;
}

}  // namespace

// mm/madvise.c v3.9, v2.6.33, v4.19: sys_madvise(MADV_DONTNEED) (down_read: madvise_need_mmap_write is 0):
// madvise_vma of each vma's part of [start, end); a hole in the range gives -ENOMEM at the end
// (the vmas around it are still discarded), a vma's own error stops the loop
long madvise_dontneed(Kernel& k, std::uint32_t mm, std::uint64_t start, std::uint64_t end) {
  checker::Frame frame("sys_madvise");
  MmStruct& m = k.mms.at(mm);
  m.mmap_sem->down_read("sys_madvise");
  long error = 0, unmapped_error = 0;
  int v = find_vma_above(k, mm, start);  // find_vma_prev
  for (;;) {
    error = -kENOMEM;
    if (v < 0) break;
    const Vma& vma = k.vmas[static_cast<std::size_t>(v)];
    if (start < vma.start) {  // "covers some unmapped address ranges": ignored, -ENOMEM at the end
      unmapped_error = -kENOMEM;
      start = vma.start;
      if (start >= end) break;
    }
    const std::uint64_t tmp = std::min(vma.end, end);
    error = madvise_dontneed_vma(k, static_cast<std::uint32_t>(v), start, tmp);
    if (error) break;
    start = tmp;
    error = unmapped_error;
    if (start >= end) break;
    v = find_vma_above(k, mm, start);  // vma = prev->vm_next
  }
  if (error) checker::note([&] { return "sys_madvise returns " + std::to_string(error); });
  m.mmap_sem->up_read("sys_madvise");
  return error;
}

}  // namespace model
