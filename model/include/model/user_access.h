// user_access.h: a task's store to its memory and the kernel's reads of page
// data, over the ghost data token Page::content (issue 13: "a read returns the
// last value written").
//
// A user store is two steps, as the hardware does it: the page walk (a Read of
// the pte; a pte that is not present and writable takes the write fault first,
// do_page_fault -> handle_mm_fault, and the access is re-run), then the store
// through the translation the walk cached (a Write of "K.data"). A TLB flush of
// that pte in between (ptep_clear_flush in write_protect_page and try_to_unmap_one,
// dup_mmap's flush_tlb_mm after copy_one_pte write-protected it, munmap's
// tlb_flush_mmu, mremap's flush_tlb_range) invalidates the cached translation, and
// the store walks again.
// Lock order: none taken by the store itself; the fault takes mmap_sem, ptl.
#pragma once

#include <cstdint>

#include "model/kernel.h"

namespace model {

/// A user store of `value` at addr of mm (a write instruction of a task of mm). Returns 0, or
/// the VM_FAULT_OOM / VM_FAULT_SIGBUS of the write fault that could not be resolved.
unsigned user_store(Kernel& k, std::uint32_t mm, std::uint64_t addr, std::uint32_t value);

/// A write of user data `value` into `page` for (mm, addr), inside the step the caller announced
/// on the page's data: the page's token, no_lost_write's last write there (and whether a DMA
/// made it), and the note "K data old -> new (store at / DMA for A:0x1000)".
void write_user_data(Kernel& k, PageId page, std::uint32_t mm, std::uint64_t addr, std::uint32_t value,
                     const char* dma_what);
/// A kernel read of the page's data (kmap_atomic + memcmp or jhash2): a Read step on
/// "K.data" when the scenario stores (Kernel::user_data.track); nothing otherwise.
void read_page_data(Kernel& k, PageId page, const char* label);
/// MADV_DONTNEED of [start, end) in mm is done (ptes cleared, TLBs flushed): the last write
/// of each address there is discarded, and no_lost_write accepts the zero fill for it until
/// the next write there (ghost; no step).
void discard_user_data(Kernel& k, std::uint32_t mm, std::uint64_t start, std::uint64_t end);

/// flush_tlb_page() after a writable pte of page at (mm, addr) was changed under the ptl:
/// every store's cached translation of that pte is dropped. A Write step on "K.data"
/// when the scenario stores; nothing otherwise.
void flush_tlb_page(Kernel& k, std::uint32_t mm, std::uint64_t addr, PageId page, const char* label);
/// The same for every address of mm in [start, end) (4.19's flush of a huge pmd's 2 MiB).
void flush_tlb_range(Kernel& k, std::uint32_t mm, std::uint64_t start, std::uint64_t end, PageId page,
                     const char* label);

/// mremap moved the ptes of mm's [old_start, old_end) to new_start (called at the TLB flush
/// of the old range, after which no store writes through a translation of it): the ghost
/// record of what was last written at each old address now describes the new address (a
/// record a later write at the new address left is kept).
void move_user_data(Kernel& k, std::uint32_t mm, std::uint64_t old_start, std::uint64_t old_end,
                    std::uint64_t new_start);

/// End-of-run invariant "no_lost_write": every address a store or a get_user_pages DMA write
/// (model/src/gup.cpp) completed at reads the last value written there (present pte: its page; migration entry: its page; swap pte: the
/// swap-cache page of its slot). An address whose vma is gone is not checked.
void no_lost_write(const Kernel& k);

/// Why a `store` to (mm, addr) cannot run in this initial state, or "" (checked at load).
std::string store_model_error(const Kernel& k, std::uint32_t mm, std::uint64_t addr);

}  // namespace model
