// gup.cpp: get_user_pages of one page (mm/memory.c v3.9 __get_user_pages over
// memory.cpp's follow_page and handle_mm_fault), the device's DMA into or out of
// the pinned page, and the release of the pin (fs/direct-io.c v3.9
// dio_bio_complete: set_page_dirty_lock, page_cache_release), for the
// `get_user_pages` actor (issue 13).
//
// Yield points: mmap_sem, follow_page's ptl and its get_page (the pin, a step on
// "K._count"), everything handle_mm_fault announces, the DMA (a step on
// "K.data"), the page lock of set_page_dirty_lock with its flags write, and the
// put_page (a step on the whole page: it may free it).
// Invariant: Page::pins counts the pin from the step after follow_page's get_page
// to put_page's step, so page_counts_consistent accepts the reference while it is
// held and refuses it once the thread has let it go without a put_page.
#include "model/gup.h"

#include "model/gup_v4_19.h"
#include "model/ksm.h"
#include "model/memory.h"
#include "model/user_access.h"

namespace model {

using checker::AccessKind;
using checker::FailureKind;

namespace {

/// How often __get_user_pages faults and looks again before the model gives up (each
/// round follows another thread's step, as user_store's re-runs do).
constexpr int kGupAttempts = 8;

/// __get_user_pages' vm_flags test: VM_WRITE for FOLL_WRITE, else VM_READ; with FOLL_FORCE the
/// VM_MAY* flags, which every private anonymous vma has (the model's non-VM_SHARED vmas).
bool vma_allows(const Vma& vma, bool write, bool force) {
  if (force) return !(vma.flags & VM_SHARED);
  return (vma.flags & (write ? VM_WRITE : VM_READ)) != 0;
}

}  // namespace

// mm/memory.c v3.9 (the 3.9.6 tree; v2.6.33's is the same for one page of an anonymous vma, without
// FOLL_COW): __get_user_pages (one page; FOLL_GET | FOLL_TOUCH, FOLL_WRITE
// for a write, FOLL_FORCE for a forced access; FOLL_NUMA changes nothing without NUMA hinting ptes;
// FOLL_TOUCH's set_page_dirty and mark_page_accessed are not modelled)
long __get_user_pages(Kernel& k, std::uint32_t mm, std::uint64_t addr, bool write, PageId& page, bool force) {
  checker::Frame frame("__get_user_pages");
  page = kNoPage;
  const int v = k.find_vma(mm, addr);  // find_extend_vma: no stack vmas in the model
  if (v < 0 || !vma_allows(k.vmas[static_cast<std::size_t>(v)], write, force)) {
    checker::note(v < 0 ? "no vma: -EFAULT" : "the vma forbids the access: -EFAULT");
    return -kEFAULT;
  }
  const std::uint32_t vma = static_cast<std::uint32_t>(v);
  unsigned foll_flags = FOLL_GET | (write ? unsigned{FOLL_WRITE} : 0u) | (force ? unsigned{FOLL_FORCE} : 0u);
  for (int attempt = 0; attempt < kGupAttempts; ++attempt) {
    page = follow_page(k, vma, addr, foll_flags);  // follow_page_mask
    if (page != kNoPage) {
      // FOLL_GET's reference is the pin: this thread owns it until release_user_page.
      pin_taken(k, page, mm, addr, "get_user_pages");
      return 1;
    }
    const unsigned ret = handle_mm_fault(k, vma, addr, (foll_flags & FOLL_WRITE) ? unsigned{FAULT_FLAG_WRITE} : 0u);
    if (ret & VM_FAULT_OOM) return -kENOMEM;
    if (ret & VM_FAULT_SIGBUS) return -kEFAULT;
    foll_flags = foll_flags_after_fault(k, k.vmas[vma], ret, foll_flags);
  }
  model_limit("get_user_pages faulting more than 8 times for one page");
}

// mm/memory.c v2.6.33, v3.9 (3.9.6 tree) __get_user_pages' loop, mm/gup.c v4.19 faultin_page: foll_flags after the fault
unsigned foll_flags_after_fault(const Kernel& k, const Vma& vma, unsigned ret, unsigned foll_flags) {
  // "The VM_FAULT_WRITE bit tells us that do_wp_page has broken COW when necessary, even if
  // maybe_mkwrite decided not to set pte_write."
  if (!(ret & VM_FAULT_WRITE) || (vma.flags & VM_WRITE)) return foll_flags;
  if (k.config.era != Era::V2_6_33 && k.config.applied(Fix::FollCow)) {
    checker::note("VM_FAULT_WRITE without VM_WRITE: FOLL_COW");
    return foll_flags | FOLL_COW;
  }
  checker::note(k.config.era == Era::V2_6_33
                    ? "VM_FAULT_WRITE without VM_WRITE: FOLL_WRITE dropped (v2.6.33 predates 19be0eaffa3a, v4.9)"
                    : "VM_FAULT_WRITE without VM_WRITE: FOLL_WRITE dropped (19be0eaffa3a reverted)");
  return foll_flags & ~unsigned{FOLL_WRITE};
}

// mm/memory.c v2.6.33, v3.9: get_user_pages, with the mmap_sem for read its callers take around it
long get_user_pages(Kernel& k, std::uint32_t mm, std::uint64_t addr, bool write, PageId& page, bool force) {
  if (k.config.era == Era::V4_19) return v4_19::get_user_pages(k, mm, addr, write, page, force);  // mm/gup.c v4.19
  checker::Frame frame("get_user_pages");
  checker::RwSem& sem = *k.mms.at(mm).mmap_sem;
  sem.down_read("get_user_pages");
  const long ret = __get_user_pages(k, mm, addr, write, page, force);
  sem.up_read("get_user_pages");
  return ret;
}

void pin_taken(Kernel& k, PageId page, std::uint32_t mm, std::uint64_t addr, const char* who) {
  k.own_page_ref(page);
  ++k.pages[page].pins;
  k.user_data.pins[checker::current_thread()] = {mm, addr, k.pages[page].content};
  checker::note([&] { return std::string(who) + " pinned " + k.page_name(page) + " at " + k.where(mm, addr); });
}

// the device's DMA into a page get_user_pages pinned (the data a direct-I/O read brings in)
void dma_write_page(Kernel& k, PageId page, std::uint32_t mm, std::uint64_t addr, std::uint32_t value,
                    const char* label, const char* what) {
  Page& p = k.pages.at(page);
  if (!k.user_data.track)
    throw std::logic_error("model error: a DMA write with the data steps off (UserData::track)");
  checker::announce(p.data_obj, AccessKind::Write, label);
  const bool huge_zero = page != kNoPage && page == k.huge_zero_page;
  if (k.check_pin_writes_private && (page == k.zero_page || huge_zero || p.PageKsm()))
    checker::fail_check("pin_writes_private_page", FailureKind::Invariant,
                        "pin_writes_private_page: the write through the pin at " + k.where(mm, addr) + " lands in " +
                            (page == k.zero_page ? "the zero page (" + p.name + "), which every none-faulted read "
                                                   "maps: it now reads " + std::to_string(value) + ", not zeros"
                             : huge_zero ? "the huge zero page (" + p.name + "), which every read fault of a "
                                           "VM_HUGEPAGE range maps: it now reads " + std::to_string(value) +
                                           ", not zeros"
                                         : "KSM page " + p.name + ", which every process merged into it reads") +
                            (huge_zero ? " (a write pin followed a read-only huge pmd: Huge Dirty COW, CVE-2017-1000405)"
                                       : " (a write pin followed a read-only pte: Dirty COW)"));
  write_user_data(k, page, mm, addr, value, what);
}

// the device's DMA out of a pinned page (the data a direct-I/O write sends)
void dma_read_page(Kernel& k, PageId page) {
  read_page_data(k, page, "DMA read");
  if (!k.check_pin_reads_own_data || !k.user_data.track) return;
  const auto pin = k.user_data.pins.find(checker::current_thread());
  if (pin == k.user_data.pins.end()) return;
  const UserData::Pin& at = pin->second;
  const std::uint32_t got = k.pages.at(page).content;
  if (got == at.token) return;
  // A token the pinning mm wrote at any of its addresses (tokens are page-granular: a store
  // stands for a write anywhere in its page) is its own data.
  std::string foreign;
  for (const auto& [where, values] : k.user_data.written) {
    if (!values.count(got)) continue;
    if (where.first == at.mm) return;
    if (foreign.empty()) foreign = k.where(where.first, where.second);
  }
  checker::fail_check("pin_reads_own_data", FailureKind::Invariant,
                "pin_reads_own_data: the DMA read of the page pinned at " + k.where(at.mm, at.address) + " (" +
                    k.pages[page].name + ") returns " + std::to_string(got) + ", which " + k.mms.at(at.mm).name +
                    " neither held at the pin (" + std::to_string(at.token) + ") nor wrote since" +
                    (foreign.empty() ? std::string("")
                                     : "; a write at " + foreign +
                                           " put it there (another process's data read through the pin: a COW "
                                           "broke the other way)"));
}

// mm/page-writeback.c v3.9: set_page_dirty_lock (an anon page outside the swap cache has no
// mapping: set_page_dirty is TestSetPageDirty; a swap-cache page's swap_set_page_dirty ->
// __set_page_dirty_no_writeback sets the same flag)
void set_page_dirty_lock(Kernel& k, PageId page) {
  checker::Frame frame("set_page_dirty_lock");
  Page& p = k.pages.at(page);
  p.lock->lock("set_page_dirty_lock");
  k.page_flags_write(page, "set_page_dirty");
  p.flags |= PG_dirty;
  checker::note([&] { return std::string(p.name + " PG_dirty"); });
  p.lock->unlock("set_page_dirty_lock");
}

// fs/direct-io.c v3.9: dio_bio_complete (a read's pages dirtied, then page_cache_release)
void release_user_page(Kernel& k, PageId page, bool dirty) {
  if (dirty) set_page_dirty_lock(k, page);
  k.page_ref_put_own(page, "put_page");
  --k.pages[page].pins;  // the pin is gone with the put_page's step
  k.user_data.pins.erase(checker::current_thread());
}

long dma_pinned_page(Kernel& k, long pinned, PageId page, std::uint32_t mm, std::uint64_t addr, bool write,
                     std::uint32_t dma_value, const char* write_label, const char* what) {
  if (pinned != 1) return pinned;
  if (write)
    dma_write_page(k, page, mm, addr, dma_value, write_label, what);
  else
    dma_read_page(k, page);
  release_user_page(k, page, write);
  return pinned;
}

long get_user_pages_dma(Kernel& k, std::uint32_t mm, std::uint64_t addr, bool write, std::uint32_t dma_value,
                        bool force) {
  PageId page = kNoPage;
  const long ret = get_user_pages(k, mm, addr, write, page, force);
  // mm/memory.c v3.9: __access_remote_vm writes a forced pin's page with copy_to_user_page
  return dma_pinned_page(k, ret, page, mm, addr, write, dma_value, force ? "copy_to_user_page" : "DMA write",
                         force ? "copy_to_user_page (get_user_pages, FOLL_FORCE)" : "DMA write (get_user_pages)");
}

std::string gup_model_error(const Kernel& k, std::uint32_t mm, std::uint64_t addr, bool write, bool force) {
  if (k.config.era == Era::V4_19) return v4_19::gup_model_error(k, mm, addr, write, force);
  const int v = k.find_vma(mm, addr);
  if (v < 0) return "no vma of mm " + k.mms.at(mm).name + " contains this address (get_user_pages would return -EFAULT)";
  if (!k.mms.at(mm).ptes.count(addr)) return "no pte slot of mm " + k.mms[mm].name + " at this address";
  const Vma& vma = k.vmas[static_cast<std::size_t>(v)];
  if (force && (vma.flags & VM_SHARED))
    return "a forced access to a VM_SHARED vma (3.9's COW in a shared mapping) is not modelled: FOLL_FORCE is "
           "modelled for private anonymous vmas";
  if (!vma_allows(vma, write, force))
    return std::string("the vma is not ") + (write ? "VM_WRITE" : "VM_READ") +
           ": get_user_pages would return -EFAULT at once (not a race worth a scenario; \"force\": true lets a "
           "private vma be written as ptrace does)";
  if (write && !vma.has_anon_vma())
    return "a get_user_pages for write may fault, which needs the vma's anon_vma declared (anon_vma_prepare is not modelled)";
  return "";
}

}  // namespace model
