// gup_fast.cpp: get_user_pages_fast of one page (arch/x86/mm/gup.c v3.9) and the
// irq-off section the TLB flush IPI waits for (arch/x86/mm/tlb.c v3.9), for the
// `get_user_pages_fast` actor (issue 13: "gup_fast is not modelled").
//
// Yield points: local_irq_disable and local_irq_enable (down_read, up_read of "mm.irqs_off"),
// gup_get_pte (a Read of the pte, without the ptl or mmap_sem), get_page (a
// commuting update of "K._count"), then the slow path's and the DMA's and the
// release's steps (gup.cpp). Every TLB flush of an mm with a get_user_pages_fast
// thread waits, as a down_write and up_write of "mm.irqs_off", until no CPU of it
// has interrupts off (flush_tlb_others_wait).
// Invariant: MmStruct::irqs_off has one reader per CPU of the mm between its
// local_irq_disable and local_irq_enable steps; the fast walk takes its page
// reference inside that section, so a pte cleared and flushed before the
// page is freed or its count checked cannot lose a reference taken through it.
#include "model/gup_fast.h"

#include "model/gup.h"
#include "model/gup_v4_19.h"
#include "model/memory.h"
#include "model/user_access.h"

namespace model {

using checker::AccessKind;

// arch/x86 v3.9: local_irq_disable (a reader of "A.irqs_off": it never waits for a flush in
// progress, which the model completes in the step after it took the write side)
void local_irq_disable(Kernel& k, std::uint32_t mm) {
  MmStruct& m = k.mms.at(mm);
  if (!m.irqs_off) throw std::logic_error("model error: local_irq_disable of mm " + m.name + " without its irqs_off");
  m.irqs_off->down_read("local_irq_disable");
}

// arch/x86 v3.9: local_irq_enable (the pending flush IPIs run: the reader leaves "A.irqs_off")
void local_irq_enable(Kernel& k, std::uint32_t mm) { k.mms.at(mm).irqs_off->up_read("local_irq_enable"); }

// arch/x86/mm/tlb.c v3.9: native_flush_tlb_others (smp_call_function_many with wait: an IPI a CPU with
// interrupts off cannot take)
void flush_tlb_others_wait(Kernel& k, std::uint32_t mm, const char* label) {
  MmStruct& m = k.mms.at(mm);
  if (!m.irqs_off) return;
  m.irqs_off->down_write(label);  // every CPU of mm took the IPI: none has interrupts off
  m.irqs_off->up_write(label);
}

namespace {

// arch/x86/mm/gup.c v3.9: gup_pte_range (one pte; mask _PAGE_PRESENT|_PAGE_USER, |_PAGE_RW for a write,
// _PAGE_SPECIAL refused; get_page, SetPageReferenced is not modelled). False: "goto slow".
bool gup_pte_range(Kernel& k, std::uint32_t mm, std::uint64_t addr, bool write, PageId& page) {
  checker::Frame frame("gup_pte_range");
  // arch/x86/mm/gup.c v3.9: gup_pmd_range (pmd_none: slow; the 3.9 scenarios' pmds are tables)
  const PmdSlot* pmd = k.pmd_slot(mm, addr);
  if (!pmd || pmd->pmd.is_none()) return false;
  if (!pmd->pmd.is_table()) model_limit("get_user_pages_fast of a huge pmd (gup_huge_pmd)");
  PteSlot* slot = k.pte_slot(mm, addr);
  if (!slot) return false;  // a pte never populated: none
  // arch/x86/mm/gup.c v3.9: gup_get_pte (ACCESS_ONCE(*ptep): one read, no lock)
  checker::announce(slot->obj, AccessKind::Read, "gup_get_pte");
  const Pte pte = slot->pte;
  checker::note([&] { return std::string("pte " + k.where(mm, addr) + " = " + k.pte_str(pte)); });
  // pte_special: the zero page (do_anonymous_page maps it with pte_mkspecial)
  if (!pte.is_present() || (write && !pte.write) || k.vm_normal_page(pte) == kNoPage) return false;
  page = pte.page;
  k.page_ref_get(page, "gup_pte_range");  // get_page: VM_BUG_ON(page_count == 0) on a freed page
  pin_taken(k, page, mm, addr, "get_user_pages_fast");
  return true;
}

}  // namespace

// arch/x86/mm/gup.c v3.9: get_user_pages_fast (nr_pages 1; the slow: path with nr 0)
long get_user_pages_fast(Kernel& k, std::uint32_t mm, std::uint64_t addr, bool write, PageId& page) {
  checker::Frame frame("get_user_pages_fast");
  if (k.config.era == Era::V4_19) return v4_19::get_user_pages_fast(k, mm, addr, write, page);  // mm/gup.c v4.19
  page = kNoPage;
  local_irq_disable(k, mm);
  const bool fast = gup_pte_range(k, mm, addr, write, page);
  local_irq_enable(k, mm);
  if (fast) return 1;
  checker::note("get_user_pages_fast: slow path");
  return get_user_pages(k, mm, addr, write, page);  // down_read(mmap_sem), get_user_pages, up_read
}

long get_user_pages_fast_dma(Kernel& k, std::uint32_t mm, std::uint64_t addr, bool write, std::uint32_t dma_value) {
  PageId page = kNoPage;
  const long ret = get_user_pages_fast(k, mm, addr, write, page);
  return dma_pinned_page(k, ret, page, mm, addr, write, dma_value, "DMA write", "DMA write (get_user_pages_fast)");
}

}  // namespace model
