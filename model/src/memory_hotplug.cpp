// memory_hotplug.cpp: memory hot-remove of one memory section (mm/memory_hotplug.c
// v2.6.33: offline_pages, scan_lru_pages, do_migrate_range, and the memory
// notifier chain, whose only modelled member is KSM's ksm_memory_callback).
//
// Yield points: each section state change (start_isolate_page_range, the
// notifier transitions, offline_isolated_pages) is a Write on the section's
// object; scan_lru_pages and check_pages_isolated read each page of the range
// (a Read on the page); isolation and migration announce as in migrate.cpp.
// Invariants: the section's free pages are never allocated once it is isolated;
// after offline_isolated_pages every struct page of the range is poisoned; the
// step check "no_stable_node_in_offlined_range" runs at MEM_OFFLINE.
#include "model/ksm.h"
#include "model/memory.h"
#include "model/v2_6_33.h"

namespace model::v2_6_33 {

using checker::AccessKind;
using checker::FailureKind;

namespace {

void set_state(Kernel& k, MemorySection& sec, MemorySection::State state, const char* label) {
  checker::announce(sec.obj, AccessKind::Write, label);
  sec.state = state;
  checker::note([&] { return std::string("section " + sec.name + " " + section_state_name(state)); });
  (void)k;
}

// mm/memory_hotplug.c v2.6.33: scan_lru_pages (the first PageLRU pfn of the range, or none)
PageId scan_lru_pages(Kernel& k, const MemorySection& sec) {
  checker::Frame frame("scan_lru_pages");
  for (PageId pfn = sec.start_pfn; pfn < sec.end_pfn; ++pfn) {
    checker::announce(k.pages[pfn].obj, AccessKind::Read, "scan_lru_pages");
    if (k.pages[pfn].test(PG_lru)) return pfn;
  }
  return kNoPage;
}

// mm/memory_hotplug.c v2.6.33: do_migrate_range (isolate every LRU page from pfn on, migrate with offlining=1)
long do_migrate_range(Kernel& k, const MemorySection& sec, PageId start, int to_node, int passes) {
  checker::Frame frame("do_migrate_range");
  std::vector<PageId> source;
  int not_managed = 0;
  for (PageId pfn = start; pfn < sec.end_pfn; ++pfn) {
    Page& p = k.pages[pfn];
    checker::announce(p.obj, AccessKind::Read, "do_migrate_range");  // page_count(page)
    if (p.refcount == 0) continue;  // free
    if (v2_6_33::isolate_lru_page(k, pfn) == 0)
      source.push_back(pfn);
    else if (p.refcount)
      ++not_managed;
  }
  if (not_managed) {
    for (PageId pfn : source) v2_6_33::putback_lru_page(k, pfn);
    return -kEBUSY;
  }
  if (source.empty()) return 0;
  return v2_6_33::migrate_pages(k, source, to_node, 1, passes);
}

}  // namespace

// mm/memory_hotplug.c v2.6.33: offline_pages (the repeat loop bounded by `rounds`: the kernel's timeout)
long offline_pages(Kernel& k, std::size_t index, int to_node, int rounds, int passes) {
  checker::Frame frame("offline_pages");
  MemorySection& sec = k.sections.at(index);
  if (sec.state != MemorySection::State::Online) return -kEINVAL;
  set_state(k, sec, MemorySection::State::Isolated, "start_isolate_page_range");
  // memory_notify(MEM_GOING_OFFLINE, &arg)
  checker::announce(sec.obj, AccessKind::Write, "memory_notify");
  sec.state = MemorySection::State::GoingOffline;
  checker::note([&] { return std::string("MEM_GOING_OFFLINE section " + sec.name); });
  v2_6_33::ksm_memory_callback(k, MEM_GOING_OFFLINE, sec);
  bool failed = true;
  for (int round = 0; round < rounds; ++round) {  // repeat:
    const PageId pfn = scan_lru_pages(k, sec);
    if (pfn == kNoPage) {
      failed = false;
      break;
    }
    const long ret = do_migrate_range(k, sec, pfn, to_node, passes);
    checker::note([&] { return std::string("do_migrate_range -> " + std::to_string(ret)); });
  }
  if (failed) {
    // one more scan after the last round: a page still on the LRU means the timeout expired
    failed = scan_lru_pages(k, sec) != kNoPage;
  }
  if (!failed) {
    // check_pages_isolated -> __test_page_isolated_in_pageblock: every page of the range is
    // free (PageBuddy, or a count of 0 with page_private MIGRATE_ISOLATE: a freed page); a
    // page frozen at 0 by reclaim or migration keeps its swap entry in page_private: busy.
    for (PageId pfn = sec.start_pfn; pfn < sec.end_pfn && !failed; ++pfn) {
      checker::announce(k.pages[pfn].obj, AccessKind::Read, "check_pages_isolated");
      if (!k.pages[pfn].in_free_pool && !k.pages[pfn].freed) {
        checker::note([&] { return std::string(k.page_name(pfn) + " is not free: -EBUSY"); });
        failed = true;
      }
    }
  }
  if (failed) {
    // failed_removal: memory_notify(MEM_CANCEL_OFFLINE); undo_isolate_page_range
    checker::announce(sec.obj, AccessKind::Write, "memory_notify");
    checker::note([&] { return std::string("MEM_CANCEL_OFFLINE section " + sec.name); });
    v2_6_33::ksm_memory_callback(k, MEM_CANCEL_OFFLINE, sec);
    set_state(k, sec, MemorySection::State::Online, "undo_isolate_page_range");
    return -kEBUSY;
  }
  // offline_isolated_pages: the struct pages of the range are gone from here on.
  checker::announce(sec.obj, AccessKind::Write, "offline_isolated_pages");
  sec.state = MemorySection::State::Offline;
  for (PageId pfn = sec.start_pfn; pfn < sec.end_pfn; ++pfn) {
    Page& p = k.pages[pfn];
    p.offlined = true;
    p.offlined_at = Kernel::freed_by("offline_pages");
    std::erase(k.free_pool, pfn);
  }
  checker::note([&] { return std::string("section " + sec.name + " offline"); });
  // memory_notify(MEM_OFFLINE, &arg)
  checker::announce(sec.obj, AccessKind::Write, "memory_notify");
  checker::note([&] { return std::string("MEM_OFFLINE section " + sec.name); });
  v2_6_33::ksm_memory_callback(k, MEM_OFFLINE, sec);
  if (k.check_no_node_in_offlined) {
    for (const StableNode& s : k.stable_nodes)
      if (!s.freed && !s.unused && sec.contains(s.kpfn))
        checker::fail_check("no_stable_node_in_offlined_range", FailureKind::Assertion,
                            "no_stable_node_in_offlined_range: stable node " + s.name + " (" +
                                                  s.name + "." + v2_6_33::stable_node_key(k) + " = " +
                                                  k.page_name(s.kpfn) + ") points into offlined section " +
                                                  sec.name + " at MEM_OFFLINE");
  }
  return 0;
}

}  // namespace model::v2_6_33
