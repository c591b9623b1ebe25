// madvise.cpp: madvise(MADV_DONTNEED) (mm/madvise.c, mm/memory.c v2.6.33 and v3.9), the
// `madvise_dontneed` actor. The zap itself is the munmap/exit path's (memory.cpp):
// v3.9 unmap_vmas -> zap_pte_range with the mmu_gather, v2.6.33 zap_pte_range.
//
// Yield points: mmap_sem for read, and everything zap_pte_range and tlb_finish_mmu
// announce (the ptl, each pte cleared, mapcount and reference drops, swap_free).
// Invariant: the vma stays (no detach, no unlink_anon_vmas): only its ptes in the
// range go, so a later fault finds pte none and maps a fresh page or the zero page.
#include "model/madvise.h"

#include "model/memory.h"
#include "model/v2_6_33.h"

namespace model {

// mm/madvise.c v3.9: sys_madvise (MADV_DONTNEED: down_read) -> madvise_dontneed -> zap_page_range
// (mm/memory.c v3.9: lru_add_drain, tlb_gather_mmu, unmap_single_vma, tlb_finish_mmu); v2.6.33 the same
long madvise_dontneed(Kernel& k, std::uint32_t mm, std::uint64_t start, std::uint64_t end) {
  MmStruct& m = k.mms.at(mm);
  m.mmap_sem->down_read("sys_madvise");
  const int v = k.find_vma(mm, start);
  if (v >= 0) {  // VM_LOCKED, VM_HUGETLB and VM_PFNMAP vmas (-EINVAL) are not modelled
    const std::uint32_t vma = static_cast<std::uint32_t>(v);
    if (k.config.era == Era::V2_6_33) {
      v2_6_33::zap_page_range(k, vma, start, end);
    } else {
      MmuGather tlb;
      unmap_vmas(k, tlb, {vma}, start, end);
      tlb_finish_mmu(k, tlb);
    }
    checker::note([&] { return std::string("MADV_DONTNEED " + k.where(mm, start) + ".." + k.where(mm, end)); });
  }
  m.mmap_sem->up_read("sys_madvise");
  return 0;
}

}  // namespace model
