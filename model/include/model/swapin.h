// swapin.h: the swap-in fault (mm/memory.c do_swap_page) and KSM's say in it
// (mm/ksm.c ksm_might_need_to_copy), in the v3.9 form and, per part of
// cbf86cfe04a6 reverted, the v3.8 / pre-003 form.
//
// Invariant (I-003e, asserted at set_pte): do_swap_page never maps a page that
// is !PageUptodate or whose data was copied from a !PageUptodate page; a
// failed swap read ends in VM_FAULT_SIGBUS with the pte untouched.
// Lock order: mmap_sem (caller) -> swap-cache page lock -> ptl.
#pragma once

#include <cstdint>

#include "model/kernel.h"

namespace model {

/// do_swap_page() on a swap pte orig_pte at addr of vma (a read fault).
/// Precondition: mmap_sem held for read. Returns 0 or VM_FAULT_* bits.
unsigned do_swap_page_swapin(Kernel& k, std::uint32_t vma, std::uint64_t addr, const Pte& orig_pte,
                             unsigned fault_flags = 0);

/// Whether a part of cbf86cfe04a6 (SwapinCopyKsm, SwapinUptodateCheck) is in the kernel
/// modelled: applied in 3.9 unless reverted, always in 4.19 (a later kernel).
bool swapin_fix_in(const KernelConfig& config, Fix fix);

/// ksm_might_need_to_copy(): the page do_swap_page should map: `page` itself,
/// a fresh locked copy, or kNoPage (out of memory). v3.9 (one function); with
/// cbf86cfe04a6/3 reverted the v3.8 predicate decides (never copies a KSM page);
/// with cbf86cfe04a6/4 reverted a !PageUptodate page is copied too.
/// Precondition: page locked and referenced by the caller.
PageId ksm_might_need_to_copy(Kernel& k, PageId page, std::uint32_t vma, std::uint64_t addr);

/// ksm_might_need_to_copy's test: must the swap-in copy the page (v3.9; v3.8's and
/// v2.6.33's predicate when cbf86cfe04a6/3 is not in the kernel modelled)?
bool ksm_swapin_needs_copy(Kernel& k, PageId page, std::uint32_t vma, std::uint64_t addr);
/// The copy: a fresh locked, dirty, Uptodate page of node 0 with page's data, or kNoPage.
PageId ksm_copy_swapin_page(Kernel& k, PageId page);

/// The swap-in fault actor: down_read(mmap_sem), handle_mm_fault (read), up_read.
/// after_unmerge_store: the fault starts only once ksm_run has KSM_RUN_UNMERGE.
/// choose_read: the swap read of the slot's !Uptodate swap-cache page completes
/// first, its outcome a value choice: 0 = read ok (SetPageUptodate), 1 = I/O error.
unsigned swapin_fault(Kernel& k, std::uint32_t mm, std::uint64_t addr, bool after_unmerge_store,
                      bool choose_read = false);

}  // namespace model
