// gup.h: a dynamic get_user_pages pin (issue 13, v3.9): a task pins one user page
// the way O_DIRECT or a driver does (get_user_pages under mmap_sem for read), the
// device reads or writes the page by DMA, and the pin is dropped the way bio
// completion drops it (set_page_dirty_lock, then put_page).
//
// In v3.9 __get_user_pages and follow_page_mask live in mm/memory.c (mm/gup.c came
// in v3.19); the release follows fs/direct-io.c's dio_bio_complete. The lookup is
// memory.cpp's follow_page and the fault memory.cpp's handle_mm_fault: nothing of
// them is duplicated here.
//
// Invariants: while a get_user_pages thread holds its pin, the pinned page's
// refcount holds one reference for it and Page::pins counts it (the ghost that
// page_counts_consistent adds to mapcount + swap cache); after put_page neither
// does. A DMA write is recorded in UserData::last_store like a store, so
// no_lost_write checks that the process reads it back at that address.
// Lock order: mmap_sem (read) -> ptl, as the fault paths; the release takes the
// page lock alone.
#pragma once

#include <cstdint>
#include <string>

#include "model/kernel.h"

namespace model {

/// mm/memory.c v3.9 __get_user_pages of one page (nr_pages 1, FOLL_GET, FOLL_WRITE when
/// `write`), the caller holding mm's mmap_sem for read: follow_page, and while it finds
/// nothing handle_mm_fault and follow_page again. Returns 1 with the pinned page in
/// `page` (the running thread owns its reference, Page::pins counts it), or -EFAULT
/// (no vma, a vma without the access, VM_FAULT_SIGBUS) / -ENOMEM (VM_FAULT_OOM).
/// With `force` (FOLL_FORCE: ptrace, /proc/PID/mem) a private vma is written without VM_WRITE:
/// the fault breaks COW into a read-only dirty pte, and foll_flags_after_fault decides how the
/// lookup after it treats that pte.
long __get_user_pages(Kernel& k, std::uint32_t mm, std::uint64_t addr, bool write, PageId& page, bool force = false);

/// __get_user_pages' foll_flags after a handle_mm_fault that returned `ret` in `vma` (both eras):
/// VM_FAULT_WRITE in a vma without VM_WRITE sets FOLL_COW (19be0eaffa3a), or with that fix
/// reverted drops FOLL_WRITE (the 4.8 code: the retry follows the pte as a read, whatever it maps
/// by then; Dirty COW). Unchanged otherwise.
unsigned foll_flags_after_fault(const Kernel& k, const Vma& vma, unsigned ret, unsigned foll_flags);

/// get_user_pages() as its callers run it: down_read(mmap_sem), __get_user_pages, up_read.
long get_user_pages(Kernel& k, std::uint32_t mm, std::uint64_t addr, bool write, PageId& page, bool force = false);

/// Bookkeeping of a pin the running thread just took on `page` at (mm, addr) (the step
/// before took its reference): the thread owns the reference, Page::pins counts it, and
/// UserData::pins records the page's data token for pin_reads_own_data. Every era's
/// get_user_pages and get_user_pages_fast end a successful pin here.
void pin_taken(Kernel& k, PageId page, std::uint32_t mm, std::uint64_t addr, const char* who);

/// The device writes data token `value` into the pinned page by DMA (a Write of "K.data");
/// recorded as the last write at (mm, addr) for no_lost_write. Needs UserData::track.
/// `what` names the write in no_lost_write's report.
void dma_write_page(Kernel& k, PageId page, std::uint32_t mm, std::uint64_t addr, std::uint32_t value,
                    const char* label = "DMA write", const char* what = "DMA write (get_user_pages)");

/// The device reads the pinned page by DMA (a Read of "K.data" when the scenario tracks data);
/// with the step check pin_reads_own_data, the token read must be the one the page held at
/// the pin or one the pinning mm wrote since.
void dma_read_page(Kernel& k, PageId page);

/// mm/page-writeback.c v3.9 set_page_dirty_lock: lock_page, set_page_dirty, unlock_page.
void set_page_dirty_lock(Kernel& k, PageId page);

/// fs/direct-io.c v3.9 dio_bio_complete's release of one pinned page: set_page_dirty_lock
/// when the device wrote it, then page_cache_release (put_page of the pin, which frees a
/// page nothing else holds).
void release_user_page(Kernel& k, PageId page, bool dirty);

/// What an O_DIRECT-style user does with a page it pinned (get_user_pages or
/// get_user_pages_fast returned `pinned`): the DMA (a write of `dma_value` when `write`,
/// else a read), then the release. Nothing when the pin failed. Returns `pinned`.
long dma_pinned_page(Kernel& k, long pinned, PageId page, std::uint32_t mm, std::uint64_t addr, bool write,
                     std::uint32_t dma_value, const char* write_label = "DMA write",
                     const char* what = "DMA write (get_user_pages)");

/// The `get_user_pages` actor: pin (get_user_pages), DMA (a write of `dma_value` when
/// `write`, else a read), release. Returns get_user_pages' result (1 or -errno). With
/// `force`, access_process_vm's FOLL_FORCE pin and its copy_to_user_page write.
long get_user_pages_dma(Kernel& k, std::uint32_t mm, std::uint64_t addr, bool write, std::uint32_t dma_value,
                        bool force = false);

/// Why a `get_user_pages` of (mm, addr) cannot run in this initial state, or "" (checked at load).
std::string gup_model_error(const Kernel& k, std::uint32_t mm, std::uint64_t addr, bool write, bool force = false);

}  // namespace model
