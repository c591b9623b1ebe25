// lint.cpp: the static check of a scenario (see lint.h): the rules for free
// pages, threads that can never run, and invariants that cannot fire.
//
// Invariant: every rule reads only the scenario's validated initial state and
// its threads' validated arguments (re-read here through parse_initial_state
// and parse_actor, which cannot fail on a loaded scenario); no rule runs a
// kernel path. The allocation counts follow the model's code paths (named at
// each rule): one page per allocation site's first attempt. A retry after a
// lost race (do_wp_page's !pte_same, a migration pass that ended -EAGAIN,
// 2.6.33 ksmd's break_cow after a failed merge) takes another page and is not
// counted, so a finding is a real shortage for the race-free attempts, never
// a guess about retries.
#include "model/lint.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>

#include "model/actors.h"
#include "model/fork.h"
#include "model/initial_state.h"
#include "model/kernel.h"
#include "model/migrate_v4_19.h"
#include "model/swap_state.h"
#include "model/swapin.h"
#include "model/thread_events.h"

namespace model {

namespace {

/// The scenario as the rules see it: the initial machine and each thread's call.
struct LintInput {
  Kernel initial;
  std::vector<ActorCall> calls;
  std::vector<std::string> names;
  /// By thread: the thread index and event of its start_after, if any.
  std::vector<std::optional<std::pair<std::size_t, ThreadEvents::Event>>> start_after;
  std::vector<std::string> invariants;
};

LintInput read_input(const Scenario& s) {
  LintInput in;
  const nlohmann::json& j = s.json();
  in.initial = s.initial_kernel();  // the template as validated (zero page, mremap targets)
  in.calls = s.calls();
  for (const ThreadSpec& t : s.threads()) in.names.push_back(t.name);
  in.start_after.resize(s.threads().size());
  for (std::size_t i = 0; i < s.threads().size(); ++i) {
    const nlohmann::json& tj = j.at("threads").at(i);
    if (!tj.contains("start_after")) continue;
    const std::string target = tj.at("start_after").at("thread").get<std::string>();
    const auto event = find_event(tj.at("start_after").at("event").get<std::string>());
    for (std::size_t t = 0; t < in.names.size(); ++t)
      if (in.names[t] == target && event) in.start_after[i] = {{t, *event}};
  }
  in.invariants = s.invariants();
  return in;
}

std::string where(const Kernel& k, std::uint32_t mm, std::uint64_t addr) { return k.where(mm, addr); }

std::string join(const std::vector<std::string>& v, const char* sep = ", ") {
  std::string out;
  for (const std::string& s : v) out += (out.empty() ? "" : sep) + s;
  return out;
}

bool writes_run2(const ActorCall& c) {
  if (c.actor == "ksm_run_store") return c.value == KSM_RUN_UNMERGE;
  if (c.actor == "admin")
    return std::any_of(c.steps.begin(), c.steps.end(),
                       [](const ActorCall::AdminStep& s) { return s.what == "run" && s.value == KSM_RUN_UNMERGE; });
  return false;
}

bool migrates(const ActorCall& c) {
  return c.actor == "migrate_pages" || c.actor == "offline_pages" || c.actor == "mbind";
}

/// Facts about the whole scenario that several rules share.
struct Facts {
  bool run2_writer = false;     ///< a thread writes run=2
  bool madvise = false;         ///< a madvise_unmergeable thread
  bool mremap = false;          ///< an mremap thread (move_vma's ksm_madvise may break_ksm)
  bool ksmd = false;            ///< a ksmd thread (it may turn anon ptes into KSM ptes)
  bool mac_store = false;       ///< an admin merge_across_nodes step
  bool swapin = false;          ///< a fault that may swap in (swapin_fault, a read fault on a swap pte)
  bool migrator = false;        ///< migrate_pages, offline_pages or mbind
  bool offline = false;         ///< offline_pages
  bool mbind_or_offline = false;
  bool hmm_walker = false;      ///< hmm_vma_fault or hmm_vma_get_pfns
  bool hmm_fault = false;       ///< hmm_vma_fault
  bool reclaim = false;         ///< a reclaim thread or admin reclaim step (it may empty a swap-cache slot)
  bool store = false;           ///< a store thread or a get_user_pages for write (user data)
  bool read_pin = false;        ///< a get_user_pages(_fast) for read (its DMA reads the page)
  bool write_pin = false;       ///< a get_user_pages(_fast) for write (its DMA writes the page)
  bool swapoff = false;         ///< a swapoff thread
  /// a thread that may map a non-KSM anon page not mapped at load (a fault, a store, a pin,
  /// an unmerge's copy, a swap-in, a fork...); the others only unmap, move or migrate pages
  bool maps_new_anon = false;
  std::set<PageId> swapout;     ///< non-KSM pages a reclaim names (it may swap them out: their ptes become swap ptes)
  std::multimap<std::uint32_t, std::uint32_t> forks;  ///< parent mm -> child mm
};

/// Whether the actor of c only unmaps, moves or migrates pages already mapped (Facts::maps_new_anon).
bool maps_no_new_anon(const ActorCall& c) {
  for (const char* a : {"ksmd", "exit", "munmap", "madvise_dontneed", "migrate_pages", "offline_pages", "mbind",
                        "reclaim", "page_referenced", "hmm_vma_get_pfns"})
    if (c.actor == a) return true;
  return false;
}

Facts facts_of(const LintInput& in) {
  Facts f;
  const Kernel& k = in.initial;
  for (const ActorCall& c : in.calls) {
    f.run2_writer |= writes_run2(c);
    f.madvise |= c.actor == "madvise_unmergeable";
    f.mremap |= c.actor == "mremap";
    f.ksmd |= c.actor == "ksmd";
    f.swapoff |= c.actor == "swapoff";
    f.maps_new_anon |= !maps_no_new_anon(c);
    f.store |= c.actor == "store" ||
               ((c.actor == "get_user_pages" || c.actor == "get_user_pages_fast") && c.write);  // a DMA write is checked too
    f.read_pin |= (c.actor == "get_user_pages" || c.actor == "get_user_pages_fast") && !c.write;
    f.write_pin |= (c.actor == "get_user_pages" || c.actor == "get_user_pages_fast") && c.write;
    f.mac_store |= c.actor == "admin" && std::any_of(c.steps.begin(), c.steps.end(), [](const ActorCall::AdminStep& s) {
                     return s.what == "merge_across_nodes";
                   });
    if (c.actor == "swapin_fault") f.swapin = true;
    f.reclaim |= c.actor == "reclaim" || (c.actor == "admin" && std::any_of(c.steps.begin(), c.steps.end(),
                                                                             [](const ActorCall::AdminStep& s) {
                                                                               return s.what == "reclaim";
                                                                             }));
    if (c.actor == "reclaim") f.swapout.insert(c.page);
    if (c.actor == "admin")
      for (const ActorCall::AdminStep& s : c.steps)
        if (s.what == "reclaim") f.swapout.insert(s.page);
    if ((c.actor == "fault" || c.actor == "get_user_pages" || c.actor == "get_user_pages_fast") && !c.write) {
      const auto it = k.mms[c.mm].ptes.find(c.address);
      f.swapin |= it != k.mms[c.mm].ptes.end() && it->second.pte.is_swap();
    }
    f.migrator |= migrates(c);
    f.offline |= c.actor == "offline_pages";
    f.mbind_or_offline |= c.actor == "offline_pages" || c.actor == "mbind";
    f.hmm_walker |= c.actor == "hmm_vma_fault" || c.actor == "hmm_vma_get_pfns";
    f.hmm_fault |= c.actor == "hmm_vma_fault";
    if (c.actor == "fork") f.forks.emplace(c.mm, c.child);
  }
  return f;
}

// ---- free pages ----------------------------------------------------------------

/// The allocations one thread may make (first attempts), on one node and size.
struct Demand {
  int nid = 0;
  std::uint32_t nr_pages = 1;
  std::vector<std::string> sites;  ///< one per page: "A:0x1000"
  std::string what;                ///< "run=2's break_ksm COW copies at" (the sites follow)
};

/// Whether the pte of mm at addr may map a KSM page when an unmerger reaches
/// it: a present or migration pte of a KSM page, or (with a ksmd thread, which
/// merges anon pages into KSM pages) of any anon page.
bool may_map_ksm(const Kernel& k, const Facts& f, const Pte& pte) {
  if (!pte.is_present() && !pte.is_migration()) return false;
  const Page& p = k.pages[pte.page];
  return p.PageKsm() || (f.ksmd && p.PageAnon());
}

bool mergeable_at(const Kernel& k, std::uint32_t mm, std::uint64_t addr) {
  const int v = k.find_vma(mm, addr);
  if (v < 0) return false;
  const Vma& vma = k.vmas[static_cast<std::size_t>(v)];
  return (vma.flags & VM_MERGEABLE) && vma.has_anon_vma();
}

using Sites = std::set<std::pair<std::uint32_t, std::uint64_t>>;  ///< (mm, address)

/// break_ksm's COW sites (mm/ksm.c v3.9 unmerge_ksm_pages -> break_ksm ->
/// handle_mm_fault(FAULT_FLAG_WRITE) -> do_wp_page: a KSM page is always
/// copied): the ptes of mm in a mergeable vma that may map a KSM page, with
/// those it inherits from its parent, then its fork children's (copy_one_pte:
/// a child maps the parent's page at the same address).
void unmerge_sites(const Kernel& k, const Facts& f, std::uint32_t mm, const std::set<std::uint64_t>& inherited,
                   Sites& out, std::set<std::uint32_t>& seen) {
  if (!seen.insert(mm).second) return;
  std::set<std::uint64_t> mine;
  for (const auto& [addr, slot] : k.mms[mm].ptes)
    if (mergeable_at(k, mm, addr) && may_map_ksm(k, f, slot.pte)) mine.insert(addr);
  for (std::uint64_t addr : inherited)
    if (mergeable_at(k, mm, addr)) mine.insert(addr);
  for (std::uint64_t addr : mine) out.insert({mm, addr});
  auto [lo, hi] = f.forks.equal_range(mm);
  for (auto it = lo; it != hi; ++it) unmerge_sites(k, f, it->second, mine, out, seen);
}

/// The sites of every mm: from each mm no fork creates, down its fork children.
Sites all_unmerge_sites(const Kernel& k, const Facts& f) {
  std::set<std::uint32_t> children;
  for (const auto& [parent, child] : f.forks) children.insert(child);
  Sites out;
  std::set<std::uint32_t> seen;
  for (std::uint32_t mm = 0; mm < k.mms.size(); ++mm)
    if (!children.count(mm)) unmerge_sites(k, f, mm, {}, out, seen);
  return out;
}

std::vector<std::string> site_names(const Kernel& k, const Sites& s) {
  std::vector<std::string> out;
  for (const auto& [mm, addr] : s) out.push_back(where(k, mm, addr));
  return out;
}

/// run=2: unmerge_and_remove_all_rmap_items walks every mm on the KSM list,
/// and the children a fork adds to it (ksm_fork -> __ksm_enter).
std::vector<std::string> run2_sites(const Kernel& k, const Facts& f) {
  std::set<std::uint32_t> on_list;
  for (const MmSlot& slot : k.ksm.mm_slots) on_list.insert(slot.mm);
  for (bool grew = true; grew;) {
    grew = false;
    for (const auto& [parent, child] : f.forks)
      if (on_list.count(parent) && on_list.insert(child).second) grew = true;
  }
  Sites sites = all_unmerge_sites(k, f);
  std::erase_if(sites, [&](const auto& s) { return !on_list.count(s.first); });
  return site_names(k, sites);
}

/// The size of a THP a fault at (mm, addr) takes (4.19): that of the THP the pmd maps now, else
/// of the first compound page declared (512 without one; the huge zero page is not one).
std::uint32_t lint_thp_size(const Kernel& k, std::uint32_t mm, std::uint64_t addr) {
  const PmdSlot* s = k.pmd_slot(mm, addr);
  if (s && s->pmd.kind == Pmd::Kind::Huge && !k.pages[s->pmd.page].reserved) return k.pages[s->pmd.page].nr_pages;
  for (const Page& p : k.pages)
    if (p.nr_pages > 1 && !p.reserved) return p.nr_pages;
  return 512;
}

/// mm/memory.c v3.9 do_wp_page: a write fault copies unless it can reuse an
/// anon page mapped once; a KSM page, a shared page, or a pte a fork (copy_one_pte
/// write-protects the parent) or ksmd (write_protect_page) may change is counted.
bool write_fault_may_copy(const Kernel& k, const Facts& f, std::uint32_t mm, std::uint64_t addr) {
  const auto it = k.mms[mm].ptes.find(addr);
  if (it == k.mms[mm].ptes.end()) return false;
  const Pte& pte = it->second.pte;
  if (pte.is_none()) {
    // A fork child's pte: copy_one_pte gives it the parent's page, write-protected
    // in both and mapped twice, so the child's write fault copies.
    // (The parent's own pte may come from its parent: walk up, at most one hop per fork.)
    for (std::size_t hops = 0; hops < f.forks.size(); ++hops) {
      const auto parent = std::find_if(f.forks.begin(), f.forks.end(), [mm](const auto& e) { return e.second == mm; });
      if (parent == f.forks.end()) break;
      mm = parent->first;
      const auto pit = k.mms[mm].ptes.find(addr);
      if (pit == k.mms[mm].ptes.end()) break;
      if (pit->second.pte.is_present() || pit->second.pte.is_migration()) return true;
      if (!pit->second.pte.is_none()) break;
    }
    return false;  // a none pte: do_anonymous_page (write_fault_anonymous)
  }
  // A swap pte: ksm_might_need_to_copy's copy, or do_wp_page's when reuse_swap_page refuses (one of them).
  if (pte.is_swap()) return true;
  if (k.is_zero_pte(pte)) return true;  // do_wp_page replaces the zero page by a zeroed one
  if (!pte.is_present() && !pte.is_migration()) return false;
  const Page& p = k.pages[pte.page];
  const bool forked = f.forks.count(mm) != 0;
  if (pte.is_present() && pte.write) return forked || f.ksmd;
  // reuse_swap_page reuses an anon page mapped once (and not held by another swap pte).
  return p.PageKsm() || p.mapcount > 1 || p.test(PG_swapcache) || forked || f.ksmd;
}

/// mm/memory.c v3.9 do_anonymous_page: a write fault on a none pte (that no
/// fork fills) allocates the page it maps (a read fault maps the zero page).
bool write_fault_anonymous(const Kernel& k, std::uint32_t mm, std::uint64_t addr) {
  const auto it = k.mms[mm].ptes.find(addr);
  return it != k.mms[mm].ptes.end() && it->second.pte.is_none() && k.find_vma(mm, addr) >= 0;
}

/// mm/ksm.c v3.9 ksm_might_need_to_copy (v3.8's predicate with cbf86cfe04a6/3
/// reverted): may the swap-in of mm's pte at addr copy the swap-cache page?
bool swapin_may_copy(const Kernel& k, const Facts& f, std::uint32_t mm, std::uint64_t addr) {
  const auto it = k.mms[mm].ptes.find(addr);
  if (it == k.mms[mm].ptes.end() || !it->second.pte.is_swap()) return false;
  // The slot's swap-cache page, by its PG_swapcache flag: the initial state's radix tree
  // (SwapState::cache) is filled only in a run. A slot with none is read from the device
  // into a fresh page of this mm's own (fault_may_read_swap counts it): no copy.
  const auto cached = std::find_if(k.pages.begin(), k.pages.end(), [&](const Page& q) {
    return q.test(PG_swapcache) && q.swap_entry == it->second.pte.entry;
  });
  if (cached == k.pages.end()) return false;
  const Page& p = *cached;
  // A KSM page is copied when it has no stable node or ksm_run has KSM_RUN_UNMERGE (now or by a run=2 writer).
  if (p.PageKsm())
    return swapin_fix_in(k.config, Fix::SwapinCopyKsm) &&
           (k.page_stable_node(static_cast<PageId>(cached - k.pages.begin())) == kNoNode ||
            (k.ksm.ksm_run & KSM_RUN_UNMERGE) || f.run2_writer);
  const int v = k.find_vma(mm, addr);
  if (v < 0 || !k.vmas[v].has_anon_vma()) return false;
  if (p.mapping.kind == Mapping::Kind::None) {
    // An unmapped swap-cache page takes the anon_vma and index of the first swap-in that maps it
    // (page_add_anon_rmap): this one copies when another swap pte of the slot may map it first
    // from another anon_vma root or index.
    for (std::uint32_t mm2 = 0; mm2 < k.mms.size(); ++mm2)
      for (const auto& [addr2, slot2] : k.mms[mm2].ptes) {
        if ((mm2 == mm && addr2 == addr) || !slot2.pte.is_swap() || slot2.pte.entry != it->second.pte.entry) continue;
        const int v2 = k.find_vma(mm2, addr2);
        if (v2 < 0 || !k.vmas[v2].has_anon_vma()) continue;
        if (k.anon_vmas[k.vmas[v2].anon_vma].root != k.anon_vmas[k.vmas[v].anon_vma].root ||
            k.vmas[v2].linear_page_index(addr2) != k.vmas[v].linear_page_index(addr))
          return true;
      }
    return false;
  }
  if (p.mapping.kind != Mapping::Kind::Anon) return false;
  return k.anon_vmas[p.mapping.id].root != k.anon_vmas[k.vmas[v].anon_vma].root ||
         p.index != k.vmas[v].linear_page_index(addr);
}

/// mm/swap_state.c v3.9 read_swap_cache_async: may a swap-in of slot `entry` read it
/// from the device into a fresh page? When no page has the slot in the swap cache at
/// the start, or a reclaim may take that page out.
bool swap_read_may_alloc(const Kernel& k, const Facts& f, std::uint32_t entry) {
  const bool cached = std::any_of(k.pages.begin(), k.pages.end(),
                                  [&](const Page& q) { return q.test(PG_swapcache) && q.swap_entry == entry; });
  return !cached || f.reclaim;
}

/// The same for mm's pte at addr: a swap pte, or (mm/vmscan.c v3.9 swap-out) a
/// present pte of a page a reclaim may swap out, free, and leave to be read back.
bool fault_may_read_swap(const Kernel& k, const Facts& f, std::uint32_t mm, std::uint64_t addr) {
  const auto it = k.mms[mm].ptes.find(addr);
  if (it == k.mms[mm].ptes.end()) return false;
  const Pte& pte = it->second.pte;
  if (pte.is_present() && f.swapout.count(pte.page)) return true;
  return pte.is_swap() && swap_read_may_alloc(k, f, pte.entry);
}

/// The 2.6.33 mbind's candidates (mm/mempolicy.c v2.6.33 check_pte_range).
std::vector<PageId> mbind_pages(const Kernel& k, const ActorCall& c) {
  std::vector<PageId> out;
  for (const auto& [addr, slot] : k.mms[c.mm].ptes) {
    if (addr < c.start || addr >= c.end || !slot.pte.is_present()) continue;
    const Page& p = k.pages[slot.pte.page];
    if (p.PageKsm() && k.config.applied(Fix::KsmMigrateOnlyOfflining)) continue;
    if (p.nid == c.to_node || !(c.move_all || p.mapcount == 1) || !p.test(PG_lru)) continue;
    if (std::find(out.begin(), out.end(), slot.pte.page) == out.end()) out.push_back(slot.pte.page);
  }
  return out;
}

/// The 2.6.33 hot-remove's candidates (mm/memory_hotplug.c v2.6.33 do_migrate_range): pages in use on the LRU.
std::vector<PageId> offline_pages_list(const Kernel& k, const ActorCall& c) {
  std::vector<PageId> out;
  const MemorySection& sec = k.sections[c.section];
  for (PageId p = sec.start_pfn; p < sec.end_pfn; ++p)
    if (!k.pages[p].in_free_pool && k.pages[p].refcount > 0 && k.pages[p].test(PG_lru)) out.push_back(p);
  return out;
}

/// The allocations of one thread. `known` is false for an actor without a rule.
std::vector<Demand> demands_of(const LintInput& in, const Facts& f, const ActorCall& c, bool& known) {
  const Kernel& k = in.initial;
  known = true;
  std::vector<Demand> out;
  auto add = [&](int nid, std::uint32_t nr, std::vector<std::string> sites, std::string what) {
    if (!sites.empty()) out.push_back(Demand{nid, nr, std::move(sites), std::move(what)});
  };
  // (a store's write fault too: after a reclaim swapped its page out, do_swap_page reads it back)
  if ((c.actor == "fault" || c.actor == "swapin_fault" || c.actor == "get_user_pages" ||
       c.actor == "get_user_pages_fast" || c.actor == "handle_mm_fault" || c.actor == "store") &&
      fault_may_read_swap(k, f, c.mm, c.address))
    add(0, 1, {where(k, c.mm, c.address)}, "a swap read (read_swap_cache_async) into a page at");
  // One faulting access's own page (v3.9 and v4.19 alike): do_wp_page's COW copy,
  // do_anonymous_page's page, or ksm_might_need_to_copy's copy of a swap-in.
  // mm/madvise.c v4.19: a MADV_DONTNEED thread may leave a pte of its range none before a
  // fault runs (both hold mmap_sem for read): a write fault there may take do_anonymous_page's page.
  auto zapped = [&](std::uint32_t mm, std::uint64_t addr) {
    return k.config.era == Era::V4_19 && std::any_of(in.calls.begin(), in.calls.end(), [&](const ActorCall& d) {
             return d.actor == "madvise_dontneed" && d.mm == mm && d.start <= addr && addr < d.end;
           });
  };
  auto thp_size = [&](std::uint32_t mm, std::uint64_t addr) { return lint_thp_size(k, mm, addr); };
  // mm/huge_memory.c v4.19: a write under a none pmd of a VM_HUGEPAGE vma covering the 2 MiB
  // (declared none, or zapped by a MADV_DONTNEED) maps a new THP (create_huge_pmd): its size.
  auto thp_fault = [&](std::uint32_t mm, std::uint64_t addr) -> std::uint32_t {
    const PmdSlot* s = k.config.era == Era::V4_19 ? k.pmd_slot(mm, addr) : nullptr;
    const int vi = k.find_vma(mm, addr);
    if (!s || s->pmd.is_table() || vi < 0 || !v4_19::thp_fault_suitable(k, static_cast<std::uint32_t>(vi), addr)) return 0;
    if (!s->pmd.is_none() && !zapped(mm, addr)) return 0;
    return thp_size(mm, addr);
  };
  // mm/huge_memory.c v4.19: a read fault under such a none pmd maps the huge zero page
  // (do_huge_pmd_anonymous_page), and a write on it takes a new THP (do_huge_pmd_wp_page, which
  // clears it): one more THP for a write under a pmd that maps the huge zero page, or under a none
  // pmd some thread's read fault may fill with it first (create_huge_pmd's THP, which lost to
  // it, goes back to the pool: Kernel::free_new_page).
  const std::vector<ReadFault> reads = read_faults(k, in.calls);
  auto huge_zero_read = [&](std::uint32_t mm, std::uint64_t addr) {
    const PmdSlot* s = k.config.era == Era::V4_19 ? k.pmd_slot(mm, addr) : nullptr;
    if (s && k.is_huge_zero_pmd(s->pmd)) return true;
    if (!thp_fault(mm, addr)) return false;
    return std::any_of(reads.begin(), reads.end(),
                       [&](const ReadFault& f) { return f.mm == mm && pmd_base(f.address) == pmd_base(addr); });
  };
  // mm/huge_memory.c v4.19: a fork's child gets the parent's huge pmd write-protected
  // (copy_huge_pmd over the child's declared none pmd); a write there copies the THP
  // (do_huge_pmd_wp_page). The THP of the parent's huge pmd at addr, else kNoPage.
  auto forked_huge = [&](std::uint32_t mm, std::uint64_t addr) -> PageId {
    if (k.config.era != Era::V4_19) return kNoPage;
    for (const ActorCall& f : in.calls)
      if (f.actor == "fork" && f.child == mm)
        if (const std::optional<Pmd> p = v4_19::forked_huge_pmd(k, f.mm, mm, pmd_base(addr)); p && p->kind == Pmd::Kind::Huge)
          return p->page;
    return kNoPage;
  };
  std::set<std::pair<std::uint32_t, std::uint64_t>> thp_pmds;  // one THP per pmd and thread
  auto fault_page = [&](std::uint32_t mm, std::uint64_t addr, bool write) {
    const PageId forked = write ? forked_huge(mm, addr) : kNoPage;
    const std::uint32_t nr = forked != kNoPage ? (k.pages[forked].reserved ? thp_size(mm, addr) : k.pages[forked].nr_pages)
                             : write ? thp_fault(mm, addr) : 0;
    const bool zero_cow = write && forked == kNoPage && huge_zero_read(mm, addr);
    if ((nr || zero_cow) && !thp_pmds.insert({mm, pmd_base(addr)}).second) return;  // the pmd's THPs are counted
    if (zero_cow)
      add(0, thp_size(mm, addr), {where(k, mm, addr)}, "a THP for do_huge_pmd_wp_page's copy of the huge zero page at");
    if (forked != kNoPage)
      add(0, nr, {where(k, mm, addr)}, "a THP for do_huge_pmd_wp_page's copy (of the huge pmd a fork's copy_huge_pmd write-protects) at");
    else if (nr)
      add(0, nr, {where(k, mm, addr)}, "a THP for create_huge_pmd (do_huge_pmd_anonymous_page) at");
    else if (write && write_fault_may_copy(k, f, mm, addr))
      add(0, 1, {where(k, mm, addr)}, "a do_wp_page COW copy at");
    else if (write && write_fault_anonymous(k, mm, addr))
      add(0, 1, {where(k, mm, addr)}, "a do_anonymous_page page at");
    else if (write && zapped(mm, addr))
      add(0, 1, {where(k, mm, addr)}, "a do_anonymous_page page (after MADV_DONTNEED) at");
    else if (!write && swapin_may_copy(k, f, mm, addr))
      add(0, 1, {where(k, mm, addr)}, "a ksm_might_need_to_copy copy at");
  };
  if (writes_run2(c)) {
    add(0, 1, run2_sites(k, f), "run=2's break_ksm COW copies at");
  } else if (c.actor == "madvise_unmergeable") {
    Sites sites = all_unmerge_sites(k, f);
    std::erase_if(sites, [&](const auto& s) { return s.first != c.mm || s.second < c.start || s.second >= c.end; });
    add(0, 1, site_names(k, sites), "MADV_UNMERGEABLE's break_ksm COW copies at");
  } else if (c.actor == "mremap") {
    // mm/mremap.c v3.9 and v4.19 move_vma -> ksm_madvise(MADV_UNMERGEABLE) of the whole old vma
    // (VM_MERGEABLE): a break_ksm COW copy per KSM site; the move itself allocates nothing.
    const int v = k.find_vma(c.mm, c.address);
    Sites sites = all_unmerge_sites(k, f);
    std::erase_if(sites, [&](const auto& s) {
      return v < 0 || !(k.vmas[static_cast<std::size_t>(v)].flags & VM_MERGEABLE) || s.first != c.mm ||
             s.second < k.vmas[static_cast<std::size_t>(v)].start || s.second >= k.vmas[static_cast<std::size_t>(v)].end;
    });
    add(0, 1, site_names(k, sites), "mremap's ksm_madvise break_ksm COW copies at");
  } else if (c.actor == "fault" || c.actor == "store" || c.actor == "get_user_pages" ||
             c.actor == "get_user_pages_fast" || c.actor == "handle_mm_fault") {
    // A store faults for write when its pte is not present and writable (user_access.cpp);
    // get_user_pages faults as its access (write or read) when follow_page finds nothing (gup.cpp);
    // get_user_pages_fast's slow path is get_user_pages, which may fault (and COW) the same way.
    // 17839856fd58: a read pin faults as a write too (should_force_cow_break).
    fault_page(c.mm, c.address,
               c.write || c.actor == "store" ||
                   ((c.actor == "get_user_pages" || c.actor == "get_user_pages_fast") && k.config.applied(Fix::GupCowBreak)));
  } else if (c.actor == "hmm_vma_fault") {
    // mm/hmm.c v4.19: hmm_vma_fault faults each requested entry (VALID, VALID|WRITE) through
    // handle_mm_fault; an entry the walk finds mapped as asked needs nothing, and
    // write_fault_may_copy counts no present pte of a page ours alone.
    const HmmRange& r = k.hmm_ranges[c.range];
    for (std::uint64_t a = r.start; a < r.end; a += kPageSize) {
      const std::uint64_t want = r.pfns[(a - r.start) / kPageSize];
      if (!(want & HMM_PFN_VALID)) continue;
      const auto it = k.mms[r.mm].ptes.find(a);
      if (it != k.mms[r.mm].ptes.end() && it->second.pte.is_present() &&
          (it->second.pte.write || !(want & HMM_PFN_WRITE)) && !((want & HMM_PFN_WRITE) && zapped(r.mm, a)) &&
          !f.swapout.count(it->second.pte.page))  // (a reclaim may swap it out: the fault reads it back)
        continue;
      if (fault_may_read_swap(k, f, r.mm, a)) add(0, 1, {where(k, r.mm, a)}, "a swap read (read_swap_cache_async) into a page at");
      fault_page(r.mm, a, (want & HMM_PFN_WRITE) != 0);
    }
  } else if (c.actor == "swapin_fault") {
    if (swapin_may_copy(k, f, c.mm, c.address)) add(0, 1, {where(k, c.mm, c.address)}, "a ksm_might_need_to_copy copy at");
  } else if (c.actor == "swapoff") {
    // mm/swapfile.c v3.9 unuse_pte -> ksm_might_need_to_copy: one copy per swap pte whose
    // swap-cache page (found by its PG_swapcache flag: the initial state's radix tree is
    // filled only in a run) may be copied: a KSM page without a stable node or under
    // run = 2 (the initial value or a run=2 writer), an anon page of another anon_vma
    // root or index. A slot with no swap-cache page (or one a reclaim may empty) is
    // read from the device into a fresh page first (read_swap_cache_async).
    std::vector<std::string> sites;
    std::vector<std::string> reads;
    std::set<std::uint32_t> read_slots;
    for (std::uint32_t mm = 0; mm < k.mms.size(); ++mm)
      for (const auto& [addr, slot] : k.mms[mm].ptes) {
        if (!slot.pte.is_swap()) continue;
        if (swap_read_may_alloc(k, f, slot.pte.entry) && read_slots.insert(slot.pte.entry).second)
          reads.push_back("slot " + std::to_string(slot.pte.entry));
        const auto cached = std::find_if(k.pages.begin(), k.pages.end(), [&](const Page& q) {
          return q.test(PG_swapcache) && q.swap_entry == slot.pte.entry;
        });
        if (cached == k.pages.end()) continue;
        const int v = k.find_vma(mm, addr);
        bool copy = false;
        if (cached->PageKsm())
          copy = swapin_fix_in(k.config, Fix::SwapinCopyKsm) &&
                 (k.page_stable_node(static_cast<PageId>(cached - k.pages.begin())) == kNoNode ||
                  (k.ksm.ksm_run & KSM_RUN_UNMERGE) || f.run2_writer);
        else if (cached->mapping.kind == Mapping::Kind::Anon && v >= 0 && k.vmas[v].has_anon_vma())
          copy = k.anon_vmas[cached->mapping.id].root != k.anon_vmas[k.vmas[v].anon_vma].root ||
                 cached->index != k.vmas[v].linear_page_index(addr);
        // mm/swapfile.c v2.6.33: no copy; unuse_vma skips the other anon_vma's vma, and the slot,
        // deleted from the swap cache with this pte still holding it, is read back into a fresh page.
        if (copy && k.config.era == Era::V2_6_33) {
          if (read_slots.insert(slot.pte.entry).second) reads.push_back("slot " + std::to_string(slot.pte.entry));
        } else if (copy) {
          sites.push_back(where(k, mm, addr));
        }
      }
    add(0, 1, sites, "unuse_pte's ksm_might_need_to_copy copies at");
    add(0, 1, reads, "try_to_unuse's swap reads (read_swap_cache_async) of");
  } else if (c.actor == "migrate_pages") {
    const Page& p = k.pages[c.page];
    add(c.to_node, p.nr_pages, {p.name}, "new_page_node's migration target for");
  } else if (c.actor == "mbind") {
    std::vector<std::string> names;
    for (PageId p : mbind_pages(k, c)) names.push_back(k.pages[p].name);
    add(c.to_node, 1, names, "new_vma_page's migration targets for");
  } else if (c.actor == "offline_pages") {
    std::vector<std::string> names;
    for (PageId p : offline_pages_list(k, c)) names.push_back(k.pages[p].name);
    add(c.to_node, 1, names, "hotremove_migrate_alloc's migration targets for");
  } else if (c.actor == "ksmd" && c.batches > 1) {
    // mm/ksm.c v3.9: a page's second visit may merge it through the unstable tree, and
    // break_cow undoes a merge that failed halfway (try_to_merge_two_pages, stable_tree_insert):
    // a COW copy at each address of an anon (not KSM) page ksmd scans.
    std::vector<std::string> sites;
    for (const MmSlot& slot : k.ksm.mm_slots)
      for (const auto& [addr, pte] : k.mms[slot.mm].ptes) {
        const int v = k.find_vma(slot.mm, addr);
        if (v < 0 || !(k.vmas[v].flags & VM_MERGEABLE) || !k.vmas[v].has_anon_vma() || !pte.pte.is_present()) continue;
        if (!k.pages[pte.pte.page].PageKsm()) sites.push_back(where(k, slot.mm, addr));
      }
    add(0, 1, sites, "break_cow's COW copies (a merge undone) at");
  } else if (c.actor == "ksm_run_store" || c.actor == "admin" || c.actor == "fork" || c.actor == "ksmd" ||
             c.actor == "reclaim" || c.actor == "munmap" || c.actor == "madvise_dontneed" || c.actor == "exit" ||
             c.actor == "page_referenced" || c.actor == "hmm_vma_get_pfns") {
    // No page allocation on these paths (ksmd merges into existing pages; one batch never
    // reaches the unstable tree's merge of two new pages, whose failure break_cow undoes).
  } else {
    known = false;
  }
  return out;
}

/// Free pages a thread can be handed: in the pool, outside a section that is
/// not online or that an offline_pages thread isolates (its free pages are
/// not allocated while it goes offline).
std::map<std::pair<int, std::uint32_t>, std::vector<std::string>> free_supply(const LintInput& in) {
  const Kernel& k = in.initial;
  std::set<std::size_t> offlined;
  for (const ActorCall& c : in.calls)
    if (c.actor == "offline_pages") offlined.insert(c.section);
  std::map<std::pair<int, std::uint32_t>, std::vector<std::string>> out;
  for (PageId p : k.free_pool) {
    bool usable = true;
    for (std::size_t s = 0; s < k.sections.size(); ++s)
      if (k.sections[s].contains(p) && (k.sections[s].state != MemorySection::State::Online || offlined.count(s)))
        usable = false;
    if (usable) out[{k.pages[p].nid, k.pages[p].nr_pages}].push_back(k.pages[p].name);
  }
  return out;
}

void check_free_pages(const LintInput& in, const Facts& f, LintReport& r) {
  const auto supply = free_supply(in);
  // (node, size) -> by thread: its demands there.
  std::map<std::pair<int, std::uint32_t>, std::vector<std::pair<std::size_t, Demand>>> need;
  for (std::size_t t = 0; t < in.calls.size(); ++t) {
    bool known = true;
    for (Demand& d : demands_of(in, f, in.calls[t], known)) need[{d.nid, d.nr_pages}].push_back({t, std::move(d)});
    if (!known)
      r.notes.push_back("thread " + in.names[t] + " (" + in.calls[t].actor +
                        "): no allocation rule for this actor; its page allocations are not counted");
  }
  for (const auto& [key, list] : need) {
    const auto it = supply.find(key);
    const std::size_t have = it == supply.end() ? 0 : it->second.size();
    std::size_t total = 0, alone = in.calls.size();
    std::vector<std::string> parts;
    for (const auto& [t, d] : list) {
      total += d.sites.size();
      if (d.sites.size() > have && alone == in.calls.size()) alone = t;
      parts.push_back(in.names[t] + " needs " + std::to_string(d.sites.size()) + " for " + d.what + " " + join(d.sites));
    }
    if (total <= have) continue;
    const std::string size = key.second > 1 ? " of " + std::to_string(key.second) + " subpages" : "";
    const std::string declared =
        have ? std::to_string(have) + " (" + join(it->second) + ")" : std::string("none");
    r.findings.push_back(
        {LintFinding::Kind::FreePages, alone < in.calls.size() ? "/threads/" + std::to_string(alone) : "/initial/pages",
         "too few free pages" + size + " on node " + std::to_string(key.first) + ": the threads may allocate " +
             std::to_string(total) + " there (" + join(parts, "; ") + "), the scenario declares " + declared +
             " usable: an allocation may fail (VM_FAULT_OOM, -ENOMEM) on some schedule, and one that fails in "
             "every execution leaves its path unexplored (retries after a lost race are not counted)"});
  }
}

// ---- threads that can never run ------------------------------------------------

/// Whether a thread other than `self` may allocate a page of page p's node and size: a
/// page free at load becomes a page a reclaim or a migration can find only so (the pool
/// hands out its node's free pages of that size in declaration order).
bool may_be_allocated(const LintInput& in, const Facts& f, PageId p, std::size_t self) {
  const Page& page = in.initial.pages[p];
  for (std::size_t t = 0; t < in.calls.size(); ++t) {
    if (t == self) continue;
    bool known = true;
    for (const Demand& d : demands_of(in, f, in.calls[t], known))
      if (d.nid == page.nid && d.nr_pages == page.nr_pages) return true;
    if (!known) return true;  // an actor without a rule: assume it may
  }
  return false;
}

/// Why thread `t` never reaches `e` (empty: it may).
std::string never_emits(const LintInput& in, const Facts& f, std::size_t t, ThreadEvents::Event e) {
  const Kernel& k = in.initial;
  const ActorCall& c = in.calls[t];
  const auto supply = free_supply(in);
  auto no_target = [&](int nid, std::uint32_t nr) {
    const auto it = supply.find({nid, nr});
    return it == supply.end() || it->second.empty();
  };
  if (e == ThreadEvents::RunStore && c.actor == "admin" &&
      std::none_of(c.steps.begin(), c.steps.end(), [](const ActorCall::AdminStep& s) { return s.what == "run"; }))
    return "admin emits run_store after a \"run\" step, and it has none";
  if (e != ThreadEvents::UnlockPage) return {};
  if (c.actor == "migrate_pages") {
    const Page& p = k.pages[c.page];
    if (p.in_free_pool) {
      if (!may_be_allocated(in, f, c.page, t))
        return "its page " + p.name + " is free at load and no other thread allocates a page of node " +
               std::to_string(p.nid) + ", so isolate_lru_page fails and no page is locked";
    } else if (!p.test(PG_lru) && std::none_of(in.calls.begin(), in.calls.end(), [&](const ActorCall& o) {
          return &o != &c && migrates(o);  // another migration's putback may set PG_lru
        }))
      return "its page " + p.name + " is not on the LRU (no LRU flag), so isolate_lru_page fails and no page is locked";
    if (no_target(c.to_node, p.nr_pages))
      return "node " + std::to_string(c.to_node) + " has no free page for new_page_node, so no page is locked";
  } else if (c.actor == "mbind") {
    if (mbind_pages(k, c).empty())
      return "no page in its range is collected (present, on the LRU, not on node " + std::to_string(c.to_node) +
             ", mapped once unless move_all" +
             (k.config.applied(Fix::KsmMigrateOnlyOfflining) ? ", not PageKsm" : "") + ")";
    if (no_target(c.to_node, 1))
      return "node " + std::to_string(c.to_node) + " has no free page for new_vma_page, so no page is locked";
  } else if (c.actor == "offline_pages") {
    if (offline_pages_list(k, c).empty())
      return "section " + k.sections[c.section].name + " has no page in use on the LRU to migrate";
    if (no_target(c.to_node, 1))
      return "node " + std::to_string(c.to_node) + " has no usable free page (outside the section) for "
             "hotremove_migrate_alloc, so no page is locked";
  }
  return {};
}

void check_never_runs(const LintInput& in, const Facts& f, LintReport& r) {
  const std::size_t n = in.calls.size();
  std::vector<std::string> why(n);  // non-empty: the thread can never start
  std::vector<std::string> where_(n);
  for (std::size_t t = 0; t < n; ++t) {
    const ActorCall& c = in.calls[t];
    if (c.actor == "swapin_fault" && c.after_unmerge_store && !f.run2_writer &&
        !(in.initial.ksm.ksm_run & KSM_RUN_UNMERGE)) {
      why[t] = "it waits for ksm_run to have KSM_RUN_UNMERGE (after_unmerge_store), the initial run is " +
               std::to_string(in.initial.ksm.ksm_run) + " and no thread writes run=2";
      where_[t] = "/threads/" + std::to_string(t) + "/args/after_unmerge_store";
    }
  }
  // start_after: direct, then through a target that can never start (the
  // loader refuses cycles, so n rounds reach the fixed point).
  for (std::size_t round = 0; round < n; ++round)
    for (std::size_t t = 0; t < n; ++t) {
      if (!why[t].empty() || !in.start_after[t]) continue;
      const auto [target, event] = *in.start_after[t];
      std::string reason;
      if (!why[target].empty())
        reason = "thread " + in.names[target] + " can never start";
      else if (std::string ne = never_emits(in, f, target, event); !ne.empty())
        reason = "thread " + in.names[target] + " (" + in.calls[target].actor + ") never reaches it: " + ne;
      if (reason.empty()) continue;
      why[t] = "it starts after thread " + in.names[target] + "'s event \"" + event_name(event) + "\", and " + reason;
      where_[t] = "/threads/" + std::to_string(t) + "/start_after";
    }
  for (std::size_t t = 0; t < n; ++t)
    if (!why[t].empty())
      r.findings.push_back({LintFinding::Kind::NeverRuns, where_[t],
                            "thread " + in.names[t] + " can never run: " + why[t] +
                                " (every execution ends with it waiting)"});
}

// ---- invariants that cannot fire -----------------------------------------------

struct InvariantRule {
  const char* name;
  bool (*can_fire)(const Facts&, const Kernel&);
  const char* why;  ///< completes "cannot fire: "
};

const InvariantRule kInvariantRules[] = {
    {"ksm_fully_unmerged", [](const Facts& f, const Kernel&) { return f.run2_writer; },
     "it checks only after a run=2 store succeeded, and no thread writes run=2 (ksm_run_store {\"value\": 2} or "
     "admin {\"run\": 2})"},
    {"stable_trees_empty", [](const Facts& f, const Kernel&) { return f.run2_writer; },
     "it checks only after a run=2 store succeeded, and no thread writes run=2"},
    {"ksm_unmergeable_vma_clean", [](const Facts& f, const Kernel&) { return f.madvise; },
     "it checks only vmas madvise(MADV_UNMERGEABLE) unmerged, and no thread is madvise_unmergeable"},
    {"break_ksm_postcondition", [](const Facts& f, const Kernel&) { return f.run2_writer || f.madvise || f.mremap; },
     "it is checked when break_ksm returns, and no thread unmerges (run=2, madvise_unmergeable or mremap)"},
    {"stable_trees_empty_at_flip", [](const Facts& f, const Kernel&) { return f.mac_store; },
     "it is checked in merge_across_nodes_store, and no admin thread writes merge_across_nodes"},
    {"never_map_not_uptodate", [](const Facts& f, const Kernel&) { return f.swapin; },
     "it is checked at do_swap_page's set_pte, and no thread swaps in (swapin_fault, or a read fault on a swap pte)"},
    {"no_migration_entry_at_unlock", [](const Facts& f, const Kernel&) { return f.migrator; },
     "it is checked at a migration's unlock_page, and no thread migrates (migrate_pages, offline_pages, mbind)"},
    {"anon_rmap_walk_type", [](const Facts& f, const Kernel&) { return f.migrator; },
     "it is checked in the migration's anon rmap walk, and no thread migrates (offline_pages, mbind)"},
    {"ksm_migrate_only_offlining", [](const Facts& f, const Kernel&) { return f.mbind_or_offline; },
     "it is checked in the 2.6.33 unmap_and_move, and no thread migrates (offline_pages, mbind)"},
    {"no_stable_node_in_offlined_range", [](const Facts& f, const Kernel&) { return f.offline; },
     "it is checked at MEM_OFFLINE, and no thread is offline_pages"},
    {"no_stable_node_freed_in_use", [](const Facts&, const Kernel& k) { return !k.stable_nodes.empty(); },
     "it is checked when a stable node is freed, and the scenario declares none (stable nodes are never created "
     "during a run: 2.6.33's ksmd inserts declared \"unused\" ones)"},
    {"ksm_counters_consistent", [](const Facts&, const Kernel& k) { return !k.stable_nodes.empty(); },
     "with no stable node declared (none is created during a run) no rmap_item is ever linked and the counters "
     "never change from their validated initial values"},
    {"no_leftover_migration_entry", [](const Facts& f, const Kernel&) { return f.migrator; },
     "no thread migrates (migrate_pages, offline_pages, mbind), and an initial state never holds a migration "
     "entry (refused at load), so none can be left over"},
    {"swapoff_complete", [](const Facts& f, const Kernel&) { return f.swapoff; },
     "it checks the swap area after a swapoff that returned 0, and no thread is a swapoff"},
    {"no_lost_write", [](const Facts& f, const Kernel&) { return f.store; },
     "it checks the addresses store threads and get_user_pages DMA wrote, and no thread is a store or a "
     "get_user_pages for write"},
    {"pin_reads_own_data", [](const Facts& f, const Kernel&) { return f.read_pin && f.store; },
     "it is checked at the DMA read of a get_user_pages read pin when some thread writes user data (a store or a "
     "DMA write), and the scenario has no such pair"},
    {"pin_writes_private_page", [](const Facts& f, const Kernel&) { return f.write_pin; },
     "it is checked at the DMA write of a get_user_pages write pin, and no thread is a get_user_pages(_fast) for "
     "write"},
    {"hmm_no_spurious_error", [](const Facts& f, const Kernel&) { return f.hmm_walker; },
     "it is checked in hmm_pfns_bad, and no thread walks an HMM range (hmm_vma_fault, hmm_vma_get_pfns)"},
    {"hmm_no_error_pfn", [](const Facts& f, const Kernel&) { return f.hmm_walker; },
     "it checks walkers that returned 0, and no thread walks an HMM range"},
    {"hmm_valid_pfn_mapped", [](const Facts& f, const Kernel&) { return f.hmm_walker; },
     "it checks walkers that returned 0, and no thread walks an HMM range"},
    {"hmm_snapshot_current", [](const Facts& f, const Kernel&) { return f.hmm_walker; },
     "it checks walkers that returned 0, and no thread walks an HMM range"},
    {"hmm_no_bogus_pfn", [](const Facts& f, const Kernel&) { return f.hmm_walker; },
     "it checks walkers that returned 0, and no thread walks an HMM range"},
    {"hmm_fault_complete", [](const Facts& f, const Kernel&) { return f.hmm_fault; },
     "it checks hmm_vma_fault calls that returned 0, and no thread is hmm_vma_fault"},
};

void check_invariants(const LintInput& in, const Facts& f, LintReport& r) {
  for (std::size_t i = 0; i < in.invariants.size(); ++i)
    for (const InvariantRule& rule : kInvariantRules)
      if (in.invariants[i] == rule.name && !rule.can_fire(f, in.initial))
        r.findings.push_back({LintFinding::Kind::InvariantCannotFire, "/invariants/" + std::to_string(i),
                              "invariant " + in.invariants[i] + " cannot fire: " + rule.why});
}

// ---- stable nodes for stable_tree_insert ------------------------------------------

/// ksmd merging two pages through the unstable tree (v3.9 with batches > 1) takes a
/// declared "unused" stable node in stable_tree_insert; with none, such a merge ends
/// the run unsupported (a model limit): say so.
void check_unused_stable_nodes(const LintInput& in, const Facts& f, LintReport& r) {
  const Kernel& k = in.initial;
  const bool unused = std::any_of(k.stable_nodes.begin(), k.stable_nodes.end(),
                                  [](const StableNode& s) { return s.unused; });
  // Two merge candidates are needed: non-KSM anon pages mapped in VM_MERGEABLE vmas at load,
  // or a thread that may map one (Facts::maps_new_anon).
  int candidates = 0;
  for (const MmStruct& m : k.mms)
    for (const auto& [addr, slot] : m.ptes) {
      const int v = k.find_vma(static_cast<std::uint32_t>(&m - k.mms.data()), addr);
      if (v < 0 || !(k.vmas[static_cast<std::size_t>(v)].flags & VM_MERGEABLE) || !slot.pte.is_present()) continue;
      const PageId p = k.vm_normal_page(slot.pte);
      if (p != kNoPage && k.pages[p].PageAnon() && !k.pages[p].PageKsm()) ++candidates;
    }
  if (candidates < 2 && !f.maps_new_anon) return;
  for (std::size_t t = 0; t < in.calls.size(); ++t)
    if (in.calls[t].actor == "ksmd" && in.calls[t].batches > 1 && !unused)
      r.notes.push_back("thread " + in.names[t] + " (ksmd, " + std::to_string(in.calls[t].batches) +
                        " batches) may merge two pages, and stable_tree_insert needs a declared {\"name\": ..., "
                        "\"unused\": true} stable node: there is none, so such a merge ends its run unsupported");
}

// ---- a KSM page its stable node's rmap_items do not reach ---------------------------

/// rmap_walk_ksm (try_to_unmap, remove_migration_ptes) reaches a KSM page's ptes only
/// through its stable node's rmap_items (and their anon_vmas). A mapped KSM page whose
/// node has none (the kernel's state after a merged mm forked and its own mapping went:
/// the child maps the page with no rmap_item until ksmd scans it) cannot be unmapped, so
/// its migration ends -EAGAIN every time, as the kernel's would: say why.
void check_ksm_page_without_rmap_items(const LintInput& in, LintReport& r) {
  const Kernel& k = in.initial;
  for (std::size_t t = 0; t < in.calls.size(); ++t) {
    const ActorCall& c = in.calls[t];
    if (c.actor != "migrate_pages" || c.page == kNoPage) continue;
    const std::uint32_t node = k.page_stable_node(c.page);
    if (node == kNoNode || !k.stable_nodes[node].hlist.empty() || k.pages[c.page].mapcount <= 0) continue;
    r.notes.push_back("thread " + in.names[t] + " (migrate_pages) migrates KSM page " + k.page_name(c.page) +
                      ", mapped by " + std::to_string(k.pages[c.page].mapcount) + " pte(s), whose stable node " +
                      k.stable_nodes[node].name + " has no rmap_items: rmap_walk_ksm reaches none of its ptes, so "
                      "try_to_unmap leaves it mapped and the migration ends -EAGAIN in every run, as the kernel's "
                      "would (declare the rmap_items of the mappings ksmd merged to migrate it)");
  }
}

// ---- reclaim or migration of a page not on the LRU ------------------------------------

/// Reclaim and migration isolate their page first (isolate_lru_page: PG_lru and a reference).
/// A page declared without the LRU flag, where no other thread migrates or reclaims (their
/// putback_lru_page sets it), is never isolated: reclaim keeps it in every run and nothing
/// of shrink_page_list runs. A page free at load that no other thread may allocate (no
/// demand on its node and size) is never on the LRU either, for reclaim and migration
/// alike. Say so before the run.
void check_isolation_off_the_lru(const LintInput& in, const Facts& f, LintReport& r) {
  const Kernel& k = in.initial;
  for (std::size_t t = 0; t < in.calls.size(); ++t) {
    const ActorCall& c = in.calls[t];
    std::vector<PageId> pages;
    if (c.actor == "migrate_pages" && c.page != kNoPage && k.pages[c.page].in_free_pool &&
        !may_be_allocated(in, f, c.page, t))
      r.notes.push_back("thread " + in.names[t] + " (migrate_pages) migrates " + k.page_name(c.page) +
                        ", which is free at load, and no other thread allocates a page of node " +
                        std::to_string(k.pages[c.page].nid) + ": isolate_lru_page fails (-EBUSY) in every run");
    if (c.actor == "reclaim") pages.push_back(c.page);
    if (c.actor == "admin")
      for (const ActorCall::AdminStep& st : c.steps)
        if (st.what == "reclaim") pages.push_back(st.page);
    const bool putback_elsewhere = std::any_of(in.calls.begin(), in.calls.end(), [&](const ActorCall& o) {
      return &o != &c && (migrates(o) || o.actor == "reclaim" || o.actor == "admin");
    });
    for (PageId p : pages) {
      if (p != kNoPage && k.pages[p].in_free_pool) {  // a page a thread may allocate during the run
        if (!may_be_allocated(in, f, p, t))
          r.notes.push_back("thread " + in.names[t] + " (" + c.actor + ") reclaims " + k.page_name(p) +
                            ", which is free at load, and no other thread allocates a page of node " +
                            std::to_string(k.pages[p].nid) + ": isolate_lru_page fails and nothing is reclaimed in "
                            "every run");
        continue;
      }
      if (p != kNoPage && !k.pages[p].test(PG_lru) && !putback_elsewhere)
        r.notes.push_back("thread " + in.names[t] + " (" + c.actor + ") reclaims " + k.page_name(p) +
                          ", which is not on the LRU (no LRU flag): isolate_lru_page fails and the page is kept in "
                          "every run, before shrink_page_list (declare \"LRU\" in its flags to reclaim it)");
    }
  }
}

// ---- migration retries -------------------------------------------------------------

/// "1st", "2nd", "3rd", "4th", "11th", "21st", "112th".
std::string ordinal(std::size_t n) {
  const std::size_t tens = n % 100, ones = n % 10;
  const char* suffix = (tens >= 11 && tens <= 13) ? "th" : ones == 1 ? "st" : ones == 2 ? "nd" : ones == 3 ? "rd" : "th";
  return std::to_string(n) + suffix;
}

/// mm/migrate.c v3.9 and v4.19: each pass of migrate_pages' retry loop allocates a new
/// target (unmap_and_move's get_new_page) and a failed pass frees it; the model never
/// hands a freed page out again, so a pass beyond the free pages declared on the target
/// node ends -ENOMEM where the kernel would retry (and the forced passes, the fourth
/// and later, are never reached). Say so before the run.
void check_migration_retries(const LintInput& in, LintReport& r) {
  const Kernel& k = in.initial;
  const auto supply = free_supply(in);
  for (std::size_t t = 0; t < in.calls.size(); ++t) {
    const ActorCall& c = in.calls[t];
    if (c.actor != "migrate_pages" || c.passes <= 1 || c.page == kNoPage) continue;
    const auto it = supply.find({c.to_node, k.pages[c.page].nr_pages});
    const std::size_t have = it == supply.end() ? 0 : it->second.size();
    if (have == 0 || static_cast<std::size_t>(c.passes) <= have) continue;  // none: a free-pages finding
    r.notes.push_back("thread " + in.names[t] + " (migrate_pages) may run " + std::to_string(c.passes) +
                      " passes, each allocating a new target on node " + std::to_string(c.to_node) +
                      " (a failed pass frees its target, and the model never reuses a freed page), and the scenario "
                      "declares " + std::to_string(have) + " usable there: a pass after the " + ordinal(have) + " ends -ENOMEM where the kernel would retry (declare one free page per pass; forced passes "
                      "start at the fourth)");
  }
}

// ---- swapoff beside a fork (2.6.33, 3.9) ---------------------------------------------

// ---- 4.19's huge-pmd paths the model does not have -------------------------------

/// In 4.19 an access to a THP mapped by a huge pmd is modelled while the pmd stays huge
/// (or a migration entry, waited out). A write on it when it is read-only (declared so, or
/// write-protected by a fork's copy_huge_pmd) goes to do_huge_pmd_wp_page, whose copy
/// needs a free THP of the same size on node 0 (its fallback to small pages is not
/// modelled); MADV_DONTNEED of its 2 MiB leaves the pmd none, so any fault after the zap
/// needs create_huge_pmd, which is not modelled. Such runs end unsupported (the model
/// limit names the path). Say so before the run.
void check_unmodelled_huge_pmd_paths(const LintInput& in, LintReport& r) {
  const Kernel& k = in.initial;
  if (k.config.era != Era::V4_19) return;
  // (mm, address, write) of each access a thread may make
  struct Access {
    std::size_t thread;
    std::uint32_t mm;
    std::uint64_t addr;
    bool write;
  };
  std::vector<Access> accesses;
  for (std::size_t t = 0; t < in.calls.size(); ++t) {
    const ActorCall& c = in.calls[t];
    if (c.actor == "store" || c.actor == "handle_mm_fault") {
      accesses.push_back({t, c.mm, c.address, c.actor == "store" || c.write});
    } else if (c.actor == "get_user_pages" || c.actor == "get_user_pages_fast") {
      // 17839856fd58: a read pin follows as a write too
      accesses.push_back({t, c.mm, c.address, c.write || k.config.applied(Fix::GupCowBreak)});
    } else if (c.actor == "hmm_vma_fault") {
      const HmmRange& range = k.hmm_ranges.at(c.range);
      for (std::size_t i = 0; i < range.pfns.size(); ++i)
        if (range.pfns[i] & HMM_PFN_VALID)
          accesses.push_back({t, range.mm, range.start + i * kPageSize, (range.pfns[i] & HMM_PFN_WRITE) != 0});
    }
  }
  std::set<std::pair<std::size_t, std::size_t>> said;  // (access thread, other thread)
  for (const Access& a : accesses) {
    const PmdSlot* pmd = k.pmd_slot(a.mm, a.addr);
    if (!pmd || pmd->pmd.is_none() || pmd->pmd.is_table()) continue;
    // The huge zero page: a write first takes a THP for its copy (a demand of the thread), then
    // the copy is what a fork write-protects: a second THP.
    const bool zero = k.is_huge_zero_pmd(pmd->pmd);
    const std::uint32_t nr = zero ? lint_thp_size(k, a.mm, a.addr) : k.pages.at(pmd->pmd.page).nr_pages;
    const bool thp_free = std::count_if(k.free_pool.begin(), k.free_pool.end(), [&](PageId p) {
                            return k.pages[p].nid == 0 && k.pages[p].nr_pages == nr;
                          }) >= (zero ? 2 : 1);
    // do_huge_pmd_wp_page copies into a new THP only where __transparent_hugepage_enabled: VM_HUGEPAGE.
    const int vi = k.find_vma(a.mm, a.addr);
    const bool hugepage = vi >= 0 && (k.vmas[static_cast<std::size_t>(vi)].flags & VM_HUGEPAGE);
    const std::string no_thp =
        hugepage ? std::string("a write then copies the THP (do_huge_pmd_wp_page) and no ") + (zero ? "second " : "") +
                       "free THP of " + std::to_string(nr) + " subpages is declared on node 0: its fallback"
                 : std::string("a write then copies the THP (do_huge_pmd_wp_page), and in a vma without VM_HUGEPAGE "
                               "(THP \"enabled\" = \"madvise\") into small pages: do_huge_pmd_wp_page_fallback");
    const bool copy_ok = thp_free && hugepage;
    for (std::size_t t = 0; t <= in.calls.size(); ++t) {
      std::string path;
      if (t == in.calls.size()) {  // the pmd itself: read-only and shared at load
        if (a.write && !pmd->pmd.write && k.pages.at(pmd->pmd.page).mapcount > 1 && !copy_ok)
          path = "huge pmd is read-only and its THP mapped " + std::to_string(k.pages[pmd->pmd.page].mapcount) +
                 " times: " + no_thp;
      } else {
        const ActorCall& c = in.calls[t];
        if (c.actor == "fork" && c.mm == a.mm && a.write && !copy_ok)
          path = "thread " + in.names[t] + "'s fork write-protects it (copy_huge_pmd), and " + no_thp;
        else if (c.actor == "madvise_dontneed" && c.mm == a.mm && c.start <= pmd->address && pmd->address < c.end) {
          // a fault after the zap finds the pmd none: create_huge_pmd in a VM_HUGEPAGE vma covering
          // the 2 MiB (a write maps a free THP of node 0), else __pte_alloc
          const int vi = k.find_vma(a.mm, a.addr);
          const bool thp_vma = vi >= 0 && v4_19::thp_fault_suitable(k, static_cast<std::uint32_t>(vi), a.addr);
          const bool any_thp_free = std::any_of(k.free_pool.begin(), k.free_pool.end(), [&](PageId p) {
            return k.pages[p].nid == 0 && k.pages[p].nr_pages > 1;
          });
          const std::string zapped = "thread " + in.names[t] + "'s MADV_DONTNEED zaps it, and a fault after that finds "
                                     "the pmd none: ";
          if (!thp_vma)
            path = zapped + "create_huge_pmd needs the vma VM_HUGEPAGE over the 2 MiB, and __pte_alloc";
          else if (a.write && !any_thp_free)
            path = zapped + "a write maps a new THP (create_huge_pmd) and no free THP is declared on node 0: its "
                            "fallback, __pte_alloc";
        }
      }
      if (path.empty() || !said.insert({a.thread, t}).second) continue;
      r.notes.push_back("thread " + in.names[a.thread] + " (" + in.calls[a.thread].actor + ") accesses " +
                        k.where(a.mm, a.addr) + " under the huge pmd " + k.where(a.mm, pmd->address) + "; " + path +
                        ", which the model does not have: runs with that order end unsupported");
    }
  }
}

}  // namespace

LintReport lint(const Scenario& scenario) {
  const LintInput in = read_input(scenario);
  const Facts f = facts_of(in);
  LintReport r;
  check_free_pages(in, f, r);
  check_never_runs(in, f, r);
  check_invariants(in, f, r);
  check_unused_stable_nodes(in, f, r);
  check_ksm_page_without_rmap_items(in, r);
  check_isolation_off_the_lru(in, f, r);
  check_migration_retries(in, r);
  check_unmodelled_huge_pmd_paths(in, r);
  return r;
}

const char* lint_kind_name(LintFinding::Kind k) {
  switch (k) {
    case LintFinding::Kind::FreePages: return "free-pages";
    case LintFinding::Kind::NeverRuns: return "never-runs";
    case LintFinding::Kind::InvariantCannotFire: return "invariant-cannot-fire";
  }
  return "?";
}

}  // namespace model
