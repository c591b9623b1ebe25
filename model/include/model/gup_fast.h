// gup_fast.h: get_user_pages_fast (arch/x86/mm/gup.c v3.9, issue 13) and the
// interrupts-off section it rests on: a CPU walking the page tables with
// interrupts disabled holds off every TLB-flush IPI sent to its mm's CPUs
// (native_flush_tlb_others waits for each CPU to run the flush handler).
//
// The irq-off section is the reader-writer semaphore "A.irqs_off" of mm A (created
// only when a get_user_pages_fast thread acts on A: MmStruct::gup_fast): a walk's
// local_irq_disable is a down_read and its local_irq_enable the up_read; a flush's
// IPI is a down_write and up_write, so it completes only when no CPU of A has
// interrupts off. Walks do not exclude each other; partial-order reduction orders
// each flush of A against each walk as it orders a lock's acquires and releases
// (a plain blocking wait whose guard a walk's disable and enable both write would
// race only with the enable, and the flush-before-the-walk order would be missed).
// Invariants: a flush of mm A completes only when no CPU of A has interrupts
// off, so a get_user_pages_fast that read a pte before it was cleared has taken
// its page reference before the flush returns (and the caller frees or
// inspects the page only after that); a pin taken by the fast walk is counted
// in Page::pins exactly as get_user_pages' pin (gup.h). Without a
// get_user_pages_fast thread of the mm no step is added anywhere.
// Lock order: a flush takes the write side of irqs_off under the ptl (ptep_clear_flush)
// or with none held (tlb_flush_mmu); a walk takes nothing inside its irq-off section,
// so it never waits there; the slow path is get_user_pages' (mmap_sem -> ptl).
#pragma once

#include <cstdint>
#include <string>

#include "model/kernel.h"

namespace model {

/// arch/x86 v3.9 local_irq_disable() on the running CPU while it walks mm (down_read of "mm.irqs_off").
void local_irq_disable(Kernel& k, std::uint32_t mm);

/// arch/x86 v3.9 local_irq_enable() after a walk of mm (up_read of "mm.irqs_off").
void local_irq_enable(Kernel& k, std::uint32_t mm);

/// arch/x86/mm/tlb.c v3.9 native_flush_tlb_others as every flush of mm sends it (flush_tlb_page,
/// flush_tlb_mm, flush_tlb_range, tlb_flush_mmu): smp_call_function_many(mm_cpumask(mm), ..., wait 1)
/// blocks until no CPU of mm has interrupts disabled: down_write and up_write of "mm.irqs_off"
/// (two steps); nothing when the scenario has no get_user_pages_fast thread of mm.
void flush_tlb_others_wait(Kernel& k, std::uint32_t mm, const char* label);

/// arch/x86/mm/gup.c v3.9 get_user_pages_fast of one page (nr_pages 1): the fast walk with
/// interrupts off (gup_get_pte, gup_pte_range's mask check, get_page); when the pte is not
/// present, not writable for a write, or special (the zero page), or the pmd is none, the
/// slow path: get_user_pages under mmap_sem (gup.h). Returns 1 with the pinned page in `page`
/// (the running thread owns its reference, Page::pins counts it), or get_user_pages' -errno.
long get_user_pages_fast(Kernel& k, std::uint32_t mm, std::uint64_t addr, bool write, PageId& page);

/// The `get_user_pages_fast` actor: pin (get_user_pages_fast), DMA (a write of `dma_value` when
/// `write`, else a read), release as dio_bio_complete. Returns get_user_pages_fast's result.
long get_user_pages_fast_dma(Kernel& k, std::uint32_t mm, std::uint64_t addr, bool write, std::uint32_t dma_value);

}  // namespace model
