// gup_v4_19.h: kernel 4.19's get_user_pages and get_user_pages_fast of one page
// (mm/gup.c v4.19, mm/huge_memory.c follow_trans_huge_pmd), for the
// `get_user_pages` and `get_user_pages_fast` actors in kernel 4.19. The v3.9
// forms are gup.h and gup_fast.h; their entry points dispatch here in 4.19, and
// the DMA and the release (dma_pinned_page) are shared.
//
// What 4.19 adds over 3.9: the pmd level (a THP mapped by a huge pmd is pinned
// through its head page, under the pmd lock in the slow path, with a lockless
// recheck of the pmd in the fast one), the zero page returned by follow_page_pte
// with a reference, the fast walk's speculative reference
// (try_get_compound_head: page_ref_add_unless(head, 1, 0)) and its recheck of
// the entry it read, and 17839856fd58 ("gup: document and work around 'COW can
// break either way' issue", in the 4.19.y tree): every pin of a COW mapping
// follows as a write (should_force_cow_break), and the fast walk accepts only
// writable entries.
// Invariants: as gup.h (Page::pins counts a pin from the step after its
// reference to the put_page that drops it); a speculative reference whose
// recheck fails is put back before the walk ends and is never a pin.
// Lock order: mmap_sem (read) -> pmd lock or the table's ptl; the fast walk
// takes nothing inside its interrupts-off section.
#pragma once

#include <cstdint>
#include <string>

#include "model/kernel.h"

namespace model::v4_19 {

/// mm/gup.c v4.19 follow_page_mask (-> follow_pmd_mask -> follow_page_pte, or
/// follow_trans_huge_pmd under the pmd lock): the page mapped at addr (a THP's head
/// page), with a reference when FOLL_GET, or kNoPage. `zero_page`: return the zero
/// page as the kernel does (get_user_pages); KSM's callers pass false and get kNoPage,
/// which they would treat alike (not PageAnon, not PageKsm).
PageId follow_page_mask(Kernel& k, std::uint32_t vma, std::uint64_t addr, unsigned flags, bool zero_page);

/// mm/gup.c v4.19 get_user_pages of one page, under the mmap_sem for read its callers take:
/// __get_user_pages_locked -> __get_user_pages (FOLL_GET | FOLL_TOUCH, FOLL_WRITE when `write` or, with
/// 17839856fd58, always in a COW mapping): follow_page_mask, and while it finds nothing
/// faultin_page (handle_mm_fault) and again. Returns 1 with the pinned page in `page`
/// (the running thread owns its reference, Page::pins counts it), or -errno.
/// With `force`, FOLL_FORCE (check_vma_flags takes a private vma without VM_WRITE for a write).
long get_user_pages(Kernel& k, std::uint32_t mm, std::uint64_t addr, bool write, PageId& page, bool force = false);

/// mm/gup.c v4.19 get_user_pages_fast of one page: interrupts off, a lockless read of the
/// pmd, gup_huge_pmd or gup_pte_range (a speculative reference and a recheck of the
/// entry), interrupts on; when that pinned nothing, get_user_pages_unlocked.
long get_user_pages_fast(Kernel& k, std::uint32_t mm, std::uint64_t addr, bool write, PageId& page);

/// Why a 4.19 get_user_pages(_fast) of (mm, addr) cannot run in this initial state, or "".
std::string gup_model_error(const Kernel& k, std::uint32_t mm, std::uint64_t addr, bool write, bool force = false);

}  // namespace model::v4_19
