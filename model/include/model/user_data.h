// user_data.h: the ghost state of user data (issue 13): what user stores wrote
// where, and the translations the storing CPUs cached (their TLB entries).
//
// Off (track == false) unless a scenario has a `store` thread: then each page
// has a "K.data" object (Page::data_obj, a child of "K") that a store writes
// and a kernel reader of the data (memcmp_pages, calc_checksum) reads, and a
// TLB flush of a writable pte is a step on it too. Other scenarios run exactly
// the steps they ran before. When two threads write one address, every page's
// data is the one object "user data" (UserData::one_object).
// Invariants: last_store holds, for each (mm, address) a store or a
// get_user_pages DMA write (model/src/gup.cpp) completed at, the value of the
// last one, and last_by_dma the addresses whose last write was a DMA; a TLB entry is valid only while no flush of its
// pte ran since the walk that filled it.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <tuple>
#include <utility>
#include <vector>

#include <checker/checker.h>

#include "model/pte.h"

namespace model {

/// One storing CPU's cached translation: (mm, address) -> page, writable.
struct UserTlbEntry {
  checker::ThreadId cpu = checker::kNoThread;
  std::uint32_t mm = 0;
  std::uint64_t address = 0;
  PageId page = kNoPage;
  bool valid = false;
};

struct UserData {
  bool track = false;  ///< a scenario thread stores: data objects and TLB flushes are steps
  /// Two threads write one address (stores, get_user_pages DMAs): every page's data is one
  /// object ("user data"), so the order of two writes of one address is explored even when
  /// they land in different pages (before and after a COW), which no_lost_write's "last"
  /// depends on. Coarser, so more executions; off when each address has one writer.
  bool one_object = false;
  std::vector<UserTlbEntry> tlb;  ///< one entry per storing thread, at most
  /// Ghost: (mm, address) -> the value the last completed store there wrote.
  std::map<std::pair<std::uint32_t, std::uint64_t>, std::uint32_t> last_store;
  /// Ghost: (mm, address) -> the page the last completed write there landed in (named when
  /// no_lost_write fails: a page freed since is a write through a stale TLB entry).
  std::map<std::pair<std::uint32_t, std::uint64_t>, PageId> last_page;
  /// Ghost: the (mm, address)es whose last write was a write through a pin, not a store, and
  /// what it was ("DMA write (get_user_pages_fast)": a string literal).
  std::map<std::pair<std::uint32_t, std::uint64_t>, const char*> last_by_dma;
  /// Ghost: the (mm, address)es whose last write landed in a page already freed then (a store
  /// through a stale TLB entry, a DMA through a pin that did not keep the page).
  std::set<std::pair<std::uint32_t, std::uint64_t>> landed_freed;
  /// Ghost: the (mm, address)es whose last write a MADV_DONTNEED discarded (marked when
  /// madvise_dontneed's zap and TLB flush of the range are done, unmarked by the next
  /// write there): a read may return the zero fill, so no_lost_write accepts a none pte or
  /// the zero page there, and only there.
  std::set<std::pair<std::uint32_t, std::uint64_t>> discarded;
  /// Ghost: every value a store or DMA wrote at (mm, address) during the run: once the last
  /// write was discarded, a write that raced the discard may survive instead of the zero fill.
  std::map<std::pair<std::uint32_t, std::uint64_t>, std::set<std::uint32_t>> written;
  /// Ghost: every (mm, address) a MADV_DONTNEED discarded at some time of the run: a page a
  /// get_user_pages thread pinned there before may have been orphaned, and its DMA lands in
  /// a page no longer mapped there (defined behaviour: the user discarded the buffer).
  std::set<std::pair<std::uint32_t, std::uint64_t>> ever_discarded;
  /// Ghost: (mm, old address) -> (mm, new address) for each page mremap moved: a DMA into a
  /// page pinned at the old address writes the buffer now at the new one.
  std::map<std::pair<std::uint32_t, std::uint64_t>, std::pair<std::uint32_t, std::uint64_t>> moved;
  /// One get_user_pages pin held by a thread: where it was taken and the data token the
  /// page held at the pin (for the step check pin_reads_own_data).
  struct Pin {
    std::uint32_t mm = 0;
    std::uint64_t address = 0;
    std::uint32_t token = 0;
  };
  /// Ghost: each pinning thread's pin, from the pin's step to its release.
  std::map<checker::ThreadId, Pin> pins;
};

}  // namespace model
