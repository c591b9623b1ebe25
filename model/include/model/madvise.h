// madvise.h: madvise(MADV_DONTNEED) (mm/madvise.c v2.6.33, v3.9): the user's
// discard of a range of anonymous memory, the one pte-clearing path that runs
// under mmap_sem for read, beside faults, ksmd and get_user_pages.
//
// Lock rules (both eras): sys_madvise takes mmap_sem for read for
// MADV_DONTNEED (madvise_need_mmap_write is 0), and zap_page_range takes each
// page table's ptl; no page lock. So it can clear a pte between two steps of a
// walker that holds mmap_sem for read and the page lock (ksmd between
// write_protect_page and replace_page): those recheck the pte (pte_same).
#pragma once

#include <cstdint>

#include "model/kernel.h"

namespace model {

/// sys_madvise(start, end - start, MADV_DONTNEED): down_read(mmap_sem),
/// madvise_dontneed of each vma's part of the range (zap_page_range: the ptes
/// cleared, rmap and page references dropped, swap entries freed),
/// up_read(mmap_sem). Returns 0; -EINVAL for a VM_LOCKED vma (nothing of it
/// zapped); -ENOMEM when part of the range has no vma (at input the range lies in
/// one vma, but another thread may unmap or move it first).
long madvise_dontneed(Kernel& k, std::uint32_t mm, std::uint64_t start, std::uint64_t end);

}  // namespace model
