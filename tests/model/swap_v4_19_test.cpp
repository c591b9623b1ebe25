// swap_v4_19_test.cpp: kernel 4.19's `reclaim` (swap-out of a mapped anon page:
// shrink_page_list -> add_to_swap, try_to_unmap -> try_to_unmap_one's swap branch,
// pageout, __remove_mapping) and `swapoff` (sys_swapoff's disable_swap_slots_cache_lock,
// try_to_unuse -> unuse_pte under the table's ptl), one thread at a time, and the
// refusals at load.
//
// Expected states come from reading mm/vmscan.c, mm/rmap.c, mm/swap_state.c,
// mm/swapfile.c and mm/swap_slots.c v4.19: add_to_swap takes the smallest free slot
// (1) and dirties the page; every pte becomes swp_entry_to_pte(1) with one
// swap_duplicate each; pageout writes the page's data to the slot; __remove_mapping
// frees a page only the swap cache holds. try_to_unuse reads a slot with no swap-cache
// page into a fresh page, maps it read-only and old in each swap pte (get_page each),
// swap_free per pte, then drops the swap cache's and its own references.
#include <algorithm>
#include <string>

#include <nlohmann/json.hpp>

#include <model/hmm.h>
#include <model/initial_state.h>
#include <model/invariants.h>
#include <model/ksm.h>
#include <model/migrate_v4_19.h>
#include <model/scenario.h>
#include <model/swap_state.h>
#include <model/swapfile_v4_19.h>
#include <model/user_access.h>

#include "model_fixture.h"

#include <CppUTest/TestHarness.h>

namespace {

using model_test::OneThread;

constexpr model::PageId P = 0, C1 = 1;
constexpr model::PageId SwappedC1 = 0;  ///< C1 in the swapped state (no page P there)
constexpr std::uint32_t A = 0, B = 1;

/// A and B (a fork pair on one anon_vma AV) map anon page P (token 7) read-only at
/// 0x1000, or (swapped: no page P) hold swap(1) there with no page in the swap cache; C1, C2 free;
/// an HMM range R over A:0x1000 (VALID).
nlohmann::json initial(bool swapped) {
  nlohmann::json j = nlohmann::json::parse(R"({
    "numa_nodes": 1,
    "pages": [
      { "name": "P", "nid": 0, "flags": ["Anon", "Uptodate", "LRU"], "mapcount": 2, "refcount": 2, "content": 7 },
      { "name": "C1", "nid": 0, "free": true },
      { "name": "C2", "nid": 0, "free": true }
    ],
    "mms": [
      { "name": "A", "vmas": [ { "start": "0x1000", "end": "0x2000", "flags": ["VM_READ", "VM_WRITE"], "anon_vma": "AV" } ] },
      { "name": "B", "vmas": [ { "start": "0x1000", "end": "0x2000", "flags": ["VM_READ", "VM_WRITE"], "anon_vma": "AV" } ] }
    ],
    "ptes": [
      { "mm": "A", "address": "0x1000", "pte": "present", "page": "P", "writable": false },
      { "mm": "B", "address": "0x1000", "pte": "present", "page": "P", "writable": false }
    ],
    "hmm_ranges": [ { "name": "R", "mm": "A", "start": "0x1000", "end": "0x2000", "pfns": ["VALID"] } ]
  })");
  if (swapped) {
    j["pages"].erase(0);
    j["ptes"][0] = {{"mm", "A"}, {"address", "0x1000"}, {"pte", "swap"}, {"entry", 1}};
    j["ptes"][1] = {{"mm", "B"}, {"address", "0x1000"}, {"pte", "swap"}, {"entry", 1}};
  }
  return j;
}

model::Kernel kernel_v419(bool swapped) {
  model::KernelConfig config;
  config.era = model::Era::V4_19;
  model::Kernel k = model::parse_initial_state(initial(swapped), "t", "/initial", config);
  k.track_writeback = true;  // as a scenario with a reclaim thread loads it
  return k;
}

const std::vector<std::string> kChecks = {"page_counts_consistent"};

std::string error_of(const nlohmann::json& threads, const nlohmann::json& init = initial(false)) {
  return model_test::scenario_load_error("4.19", init, threads);
}

/// The initial state with a THP T (4 subpages) mapped by a huge pmd of A at 0x200000 too.
nlohmann::json with_thp(nlohmann::json j) {
  j["pages"].push_back(nlohmann::json::parse(
      R"({ "name": "T", "nid": 0, "subpages": 4, "flags": ["Anon", "Uptodate", "LRU"] })"));
  j["mms"][0]["vmas"].push_back(nlohmann::json::parse(
      R"({ "start": "0x200000", "end": "0x400000", "flags": ["VM_READ", "VM_WRITE"], "anon_vma": "AV2" })"));
  j["pmds"] = nlohmann::json::parse(R"([{ "mm": "A", "address": "0x200000", "pmd": "huge", "page": "T" }])");
  return j;
}

}  // namespace

TEST_GROUP(Reclaim419){};

// Both ptes become swap(1) (one swap_duplicate each: count 2), P is written to slot 1
// (add_to_swap dirtied it), then frozen, deleted from the swap cache and freed.
TEST(Reclaim419, SwapOutOfAPageMappedTwiceLeavesTwoSwapPtes) {
  OneThread p(kernel_v419(false), [](model::Kernel& k) { CHECK(model::reclaim_swapcache_page(k, P)); }, kChecks);
  CHECK(model_test::explore_once(p).verdict == checker::Verdict::Pass);
  const model::Kernel& k = *p.kernel;
  CHECK(k.mms[A].ptes.at(0x1000).pte == model::Pte::swap(1));
  CHECK(k.mms[B].ptes.at(0x1000).pte == model::Pte::swap(1));
  LONGS_EQUAL(2, k.swap.swap_map.at(1));
  LONGS_EQUAL(7, k.swap.device.at(1));
  CHECK(k.swap.cache.empty());
  CHECK(k.pages[P].freed);
  LONGS_EQUAL(0, k.pages[P].refcount);
  LONGS_EQUAL(0, k.pages[P].mapcount);
}

// try_to_unmap_one brackets each unmap with the mmu notifier: a registered, valid HMM
// range over A:0x1000 is invalid afterwards, after one invalidation per mapping of A.
TEST(Reclaim419, UnmapInvalidatesAnHmmRangeOverTheAddress) {
  model::Kernel k = kernel_v419(false);
  k.hmm_ranges[0].on_list = true;
  k.hmm_ranges[0].valid = true;
  OneThread p(std::move(k), [](model::Kernel& k) { CHECK(model::reclaim_swapcache_page(k, P)); }, kChecks);
  CHECK(model_test::explore_once(p).verdict == checker::Verdict::Pass);
  CHECK_FALSE(p.kernel->hmm_ranges[0].valid);
  LONGS_EQUAL(1, p.kernel->hmm_of(A)->sequence);
}

// ptep_clear_flush of a writable pte drops a store's cached translation; the pte's dirty
// bit moves to the page (set_page_dirty) and the data reaches the slot.
TEST(Reclaim419, UnmapOfAWritablePteFlushesTheStoresTranslation) {
  model::Kernel k = kernel_v419(false);
  k.user_data.track = true;
  k.mms[A].ptes.at(0x1000).pte = model::Pte::present(P, true, true, true);
  k.user_data.tlb.push_back(model::UserTlbEntry{0, A, 0x1000, P, true});
  OneThread p(std::move(k), [](model::Kernel& k) { CHECK(model::reclaim_swapcache_page(k, P)); }, kChecks);
  CHECK(model_test::explore_once(p).verdict == checker::Verdict::Pass);
  CHECK_FALSE(p.kernel->user_data.tlb[0].valid);
  LONGS_EQUAL(7, p.kernel->swap.device.at(1));
}

// A page someone else holds a reference on (a do_swap_page's lookup_swap_cache) is unmapped
// into the swap cache, but pageout's is_page_cache_freeable finds page_count 3 (the
// isolation's, the swap cache's and the extra one; not 2): PAGE_KEEP before any write. It
// stays in the swap cache, dirty (add_to_swap's set_page_dirty), its slot never written.
TEST(Reclaim419, AnExtraReferenceKeepsThePageInTheSwapCache) {
  model::Kernel k = kernel_v419(false);
  k.pages[P].refcount = 3;
  OneThread p(std::move(k), [](model::Kernel& k) { CHECK_FALSE(model::reclaim_swapcache_page(k, P)); });
  CHECK(model_test::explore_once(p).verdict == checker::Verdict::Pass);
  const model::Kernel& k2 = *p.kernel;
  CHECK_FALSE(k2.pages[P].freed);
  LONGS_EQUAL(2, k2.pages[P].refcount);  // the extra reference and the swap cache's
  LONGS_EQUAL(P, k2.swap.cache.at(1));
  CHECK(k2.pages[P].test(model::PG_dirty));
  CHECK_FALSE(k2.swap.device.count(1));
  CHECK_FALSE(k2.pages[P].PageLocked());
}

TEST_GROUP(Swapoff419){};

// try_to_unuse reads slot 1 into C1 (the smallest free page), maps it read-only and old at
// A and B (mapcount 2, refcount 2 once the swap cache's and its own are dropped), frees
// both swap counts and leaves C1 dirty and out of the swap cache; the slot cache stays off.
TEST(Swapoff419, SwapoffReadsTheSlotAndMapsItInBothMms) {
  OneThread p(kernel_v419(true), [](model::Kernel& k) { LONGS_EQUAL(0, model::v4_19::swapoff(k)); }, kChecks);
  CHECK(model_test::explore_once(p).verdict == checker::Verdict::Pass);
  const model::Kernel& k = *p.kernel;
  CHECK(model_test::maps(k.mms[A].ptes.at(0x1000).pte, SwappedC1, false));
  CHECK(model_test::maps(k.mms[B].ptes.at(0x1000).pte, SwappedC1, false));
  CHECK_FALSE(k.mms[A].ptes.at(0x1000).pte.young);
  LONGS_EQUAL(2, k.pages[SwappedC1].mapcount);
  LONGS_EQUAL(2, k.pages[SwappedC1].refcount);
  LONGS_EQUAL(0x10001, k.pages[SwappedC1].content);
  LONGS_EQUAL(0, k.swap.swap_map.at(1));
  CHECK(k.swap.cache.empty());
  CHECK(k.pages[SwappedC1].test(model::PG_dirty));
  CHECK_FALSE(k.pages[SwappedC1].test(model::PG_swapcache));
  CHECK_FALSE(k.swap.slot_cache_enabled);
}

// __read_swap_cache_async's unused-slot check: with the slot cache on it returns before any
// allocation (the pool as it was); once swapoff disabled it, the page is allocated (the first
// free page of node 0, SwappedC1), and swapcache_prepare's -ENOENT puts it back: a page no one
// saw returns to the head of the pool (Kernel::free_new_page), never marked freed.
TEST(Swapoff419, UnusedSlotSkipsTheAllocationOnlyWhileTheSlotCacheIsOn) {
  std::uint64_t steps[2] = {0, 0};
  for (bool enabled : {true, false}) {
    model::Kernel k = kernel_v419(true);
    k.swap.slot_cache_enabled = enabled;
    std::vector<model::PageId> pool = k.free_pool;
    CHECK(std::find(pool.begin(), pool.end(), SwappedC1) != pool.end());
    if (!enabled) {  // SwappedC1 moves to the head
      pool.erase(std::find(pool.begin(), pool.end(), SwappedC1));
      pool.insert(pool.begin(), SwappedC1);
    }
    OneThread p(std::move(k), [](model::Kernel& k) { LONGS_EQUAL(model::kNoPage, model::read_swap_cache_async(k, 9)); });
    const checker::Report r = model_test::explore_once(p);
    CHECK(r.verdict == checker::Verdict::Pass);
    steps[enabled] = r.stats.total_steps;  // one execution
    CHECK_FALSE(p.kernel->pages[SwappedC1].freed);
    CHECK(p.kernel->pages[SwappedC1].in_free_pool);
    CHECK(pool == p.kernel->free_pool);
    LONGS_EQUAL(0, p.kernel->pages[SwappedC1].refcount);
  }
  // Disabled, five more steps: alloc_page_vma, __set_page_locked, swapcache_prepare (-ENOENT),
  // the unlock, and free_new_page's step on the pool.
  LONGS_EQUAL(steps[1] + 5, steps[0]);
}

// sys_swapoff's del_from_avail_list and SWP_WRITEOK clear (a scenario with a reclaim beside
// the swapoff tracks it): nothing is in use, so try_to_unuse returns 0 and the area stays
// without SWP_WRITEOK; a reclaim of P after it finds no area (get_swap_pages returns no slot:
// add_to_swap fails, activate_locked) and keeps P mapped in A and B, with no swap count.
TEST(Swapoff419, NoSlotForAReclaimAfterSwapoffClearedSwpWriteok) {
  model::Kernel k = kernel_v419(false);
  k.swap.writeok_tracked = true;
  bool swapped = true;
  OneThread p(std::move(k), [&](model::Kernel& k) {
    LONGS_EQUAL(0, model::v4_19::swapoff(k));
    swapped = model::reclaim_swapcache_page(k, P);
  }, kChecks);
  CHECK(model_test::explore_once(p).verdict == checker::Verdict::Pass);
  const model::Kernel& after = *p.kernel;
  CHECK_FALSE(swapped);
  CHECK_FALSE(after.swap.writeok);
  CHECK(model_test::maps(after.mms[A].ptes.at(0x1000).pte, P, false));
  CHECK(model_test::maps(after.mms[B].ptes.at(0x1000).pte, P, false));
  CHECK_FALSE(after.pages[P].test(model::PG_swapcache));
  CHECK(after.swap.swap_map.empty() || after.swap.swap_map.begin()->second == 0);
  CHECK(after.swap.cache.empty());
}

// A successful swapoff in a scenario that tracks the teardown frees the area's address space
// (exit_swap_address_space); a lookup_swap_cache after it (a fault that read swap(1) from its
// pte before swapoff) oopses. Before the swapoff the same read is a plain step.
TEST(Swapoff419, LookupAfterTheTeardownOopses) {
  for (bool after : {false, true}) {
    model::Kernel k = kernel_v419(true);
    k.swap.teardown_tracked = true;
    OneThread p(std::move(k), [after](model::Kernel& k) {
      if (after) LONGS_EQUAL(0, model::v4_19::swapoff(k));
      model::v4_19::swap_address_space(k, 1, "lookup_swap_cache", "this fault held swap(1)");
    });
    const checker::Report r = model_test::explore_once(p);
    if (!after) {
      CHECK(r.verdict == checker::Verdict::Pass);
      continue;
    }
    CHECK(r.verdict == checker::Verdict::Violation);
    CHECK(r.counterexample->violation.kind == checker::FailureKind::BugOn);
    CHECK_TEXT(r.counterexample->violation.message.find(
                   "BUG: unable to handle kernel NULL pointer dereference in lookup_swap_cache: swap(1)'s address space "
                   "was freed by swapoff") == 0,
               r.counterexample->violation.message.c_str());
  }
}

TEST_GROUP(Swap419Input){};

TEST(Swap419Input, ReclaimAndSwapoffLoadIn419) {
  STRCMP_EQUAL("<none>", error_of(nlohmann::json::parse(
                             R"([{ "name": "R", "actor": "reclaim", "args": { "page": "P" } },
                                 { "name": "W", "actor": "handle_mm_fault", "args": { "mm": "A", "address": "0x1000", "write": true } }])"))
                             .c_str());
  STRCMP_EQUAL("<none>", error_of(nlohmann::json::parse(
                             R"([{ "name": "O", "actor": "swapoff", "args": {} },
                                 { "name": "F", "actor": "handle_mm_fault", "args": { "mm": "A", "address": "0x1000" } }])"),
                                  initial(true))
                             .c_str());
}

// shrink_page_list would split a THP (split_huge_page_to_list): unsupported at load (exit 4).
TEST(Swap419Input, ReclaimOfATHPIsUnsupported) {
  const std::string e =
      error_of(nlohmann::json::parse(R"([{ "actor": "reclaim", "args": { "page": "T" } }])"), with_thp(initial(false)));
  STRCMP_CONTAINS("t.json: at /threads/0/args/page: unsupported: page T is a THP: kernel 4.19's shrink_page_list "
                  "splits it (split_huge_page_to_list) before add_to_swap, which is not modelled",
                  e.c_str());
}

// A THP beside a swapoff: unuse_pmd_range skips huge pmds (pmd_none_or_trans_huge_or_clear_bad),
// and no THP is ever in the swap cache (its reclaim is refused), so the walk over A's vma unuses
// the swap pte in the table at 0x1000 while M migrates THP T (a pmd migration entry and back) and
// D zaps T's huge pmd in the same vma. Every interleaving ends with slot 1 unused and the counts
// consistent, and plain DFS agrees.
TEST(Swap419Input, SwapoffBesideATHPSkipsItsHugePmd) {
  nlohmann::json init = nlohmann::json::parse(R"({
    "numa_nodes": 1,
    "pages": [
      { "name": "T", "nid": 0, "subpages": 4, "flags": ["Anon", "Uptodate", "LRU"], "mapcount": 1, "refcount": 1 },
      { "name": "T2", "nid": 0, "subpages": 4, "free": true },
      { "name": "S", "nid": 0, "free": true }
    ],
    "mms": [ { "name": "A", "vmas": [ { "start": "0x1000", "end": "0x400000", "flags": ["VM_READ", "VM_WRITE"], "anon_vma": "AV" } ] } ],
    "pmds": [ { "mm": "A", "address": "0x200000", "pmd": "huge", "page": "T" } ],
    "ptes": [ { "mm": "A", "address": "0x1000", "pte": "swap", "entry": 1 } ]
  })");
  nlohmann::json j = model_test::scenario_json("4.19", init, nlohmann::json::parse(R"([
    { "name": "O", "actor": "swapoff", "args": {} },
    { "name": "M", "actor": "migrate_pages", "args": { "page": "T", "to_node": 0 } },
    { "name": "D", "actor": "madvise_dontneed", "args": { "mm": "A", "start": "0x200000", "end": "0x400000" } }
  ])"));
  j["invariants"] = {"swapoff_complete", "page_counts_consistent"};
  model_test::check_json_clean_and_dfs_agrees(j);
  // The walk read the pmd over the table it unused (a step: the scenario has a THP).
  model::Scenario s = model::Scenario::parse(j, "t.json");
  auto program = s.make_program();
  checker::Options o = s.options();
  o.reach = checker::ReachTarget{"O", "pmd A:0x0 = table", true};
  const checker::Report r = checker::explore(*program, o);
  CHECK(r.verdict == checker::Verdict::Violation && r.counterexample &&
        r.counterexample->violation.kind == checker::FailureKind::Reached);
}

// An exit beside a swapoff loads (try_to_unuse's mmget_not_zero and the decrementing mmput are
// modelled: fault/swapoff-vs-exit-4.19), and so does a reclaim.
TEST(Swap419Input, SwapoffBesideAnExitOrAReclaimLoads) {
  std::string e = error_of(nlohmann::json::parse(R"([{ "name": "O", "actor": "swapoff", "args": {} },
                                                     { "name": "X", "actor": "exit", "args": { "mm": "B" } }])"),
                           initial(true));
  STRCMP_EQUAL("<none>", e.c_str());
  e = error_of(nlohmann::json::parse(R"([{ "name": "O", "actor": "swapoff", "args": {} },
                                         { "name": "R", "actor": "reclaim", "args": { "page": "P" } }])"));
  STRCMP_EQUAL("<none>", e.c_str());
}

// Migration of the page a reclaim names loads in 4.19 (it may find the page in the swap
// cache: migrate_page_move_mapping's i_pages branch).
TEST(Swap419Input, MigrationOfThePageAReclaimNamesLoads) {
  nlohmann::json init = initial(false);
  init["numa_nodes"] = 2;
  init["pages"].push_back(nlohmann::json::parse(R"({ "name": "N", "nid": 1, "free": true })"));
  const std::string e = error_of(nlohmann::json::parse(R"([{ "name": "R", "actor": "reclaim", "args": { "page": "P" } },
                                                          { "name": "M", "actor": "migrate_pages", "args": { "page": "P", "to_node": 1 } }])"),
                                 init);
  STRCMP_EQUAL("<none>", e.c_str());
}

// A free page loads in 4.19 as in 3.9: a thread may allocate it during the run
// (watched_page_test.cpp); a free THP is refused as a THP is (4.19's shrink_page_list would
// split it first, not modelled: exit 4).
TEST(Swap419Input, ReclaimOfAFreePageLoadsUnlessItIsATHP) {
  STRCMP_EQUAL("<none>", error_of(nlohmann::json::parse(R"([{ "actor": "reclaim", "args": { "page": "C1" } }])")).c_str());
  nlohmann::json init = initial(false);
  init["pages"].push_back(nlohmann::json::parse(R"({ "name": "H", "free": true, "subpages": 4 })"));
  const std::string e = error_of(nlohmann::json::parse(R"([{ "actor": "reclaim", "args": { "page": "H" } }])"), init);
  STRCMP_CONTAINS("at /threads/0/args/page: unsupported: page H is a THP: kernel 4.19's shrink_page_list splits it", e.c_str());
}

TEST_GROUP(Migrate419SwapCache){};

namespace {

constexpr model::PageId N = 3;  ///< the target, on node 1

/// P of initial(false) in the swap cache (slot 1) as well: refcount 3 (two ptes and the
/// swap cache), swap count 0 (no swap pte); N free on node 1.
model::Kernel swapcache_kernel(int extra_refs, bool dirty) {
  nlohmann::json init = initial(false);
  init["numa_nodes"] = 2;
  init["pages"][0]["flags"].push_back("SwapCache");
  if (dirty) init["pages"][0]["flags"].push_back("Dirty");
  init["pages"][0]["swap_entry"] = 1;
  init["pages"][0]["refcount"] = 3 + extra_refs;
  if (extra_refs) init["pages"][0]["pins"] = extra_refs;
  init["pages"].push_back(nlohmann::json::parse(R"({ "name": "N", "nid": 1, "free": true })"));
  model::KernelConfig config;
  config.era = model::Era::V4_19;
  return model::parse_initial_state(init, "t", "/initial", config);
}

}  // namespace

// mm/migrate.c v4.19: try_to_unmap puts migration entries in A and B (TTU_MIGRATION comes
// before the PageAnon swap branch), migrate_page_move_mapping freezes P at 1 + 1 (its
// isolation and the swap cache), gives N the cache reference, PageSwapCache, slot 1 and
// P's dirty bit, and unfreezes P at 1; migrate_page_states clears P's PageSwapCache;
// remove_migration_ptes maps N (read-only, as the entries were) in both; P is freed.
// N: two mappings and the swap cache (the allocation reference went with putback_lru_page).
TEST(Migrate419SwapCache, TheSlotMovesToTheTargetWithTheDirtyBit) {
  OneThread p(swapcache_kernel(0, true), [](model::Kernel& k) { LONGS_EQUAL(0, model::v4_19::migrate_pages(k, P, 1, 1)); },
              kChecks);
  CHECK(model_test::explore_once(p).verdict == checker::Verdict::Pass);
  const model::Kernel& k = *p.kernel;
  CHECK(model_test::maps(k.mms[A].ptes.at(0x1000).pte, N, false));
  CHECK(model_test::maps(k.mms[B].ptes.at(0x1000).pte, N, false));
  LONGS_EQUAL(N, k.swap.cache.at(1));
  CHECK(k.pages[N].test(model::PG_swapcache));
  LONGS_EQUAL(1, k.pages[N].swap_entry);
  CHECK(k.pages[N].test(model::PG_dirty));
  LONGS_EQUAL(3, k.pages[N].refcount);
  LONGS_EQUAL(2, k.pages[N].mapcount);
  CHECK(k.pages[P].freed);
}

// A reference the migration does not hold (a pin): after the unmap page_count is 3 against
// the expected 2, so migrate_page_move_mapping returns -EAGAIN before the freeze, the
// migration entries are removed back to P, and P keeps slot 1; the target is freed.
TEST(Migrate419SwapCache, AnExtraReferenceFailsThePassBeforeTheFreeze) {
  OneThread p(swapcache_kernel(1, false),
              [](model::Kernel& k) { LONGS_EQUAL(-model::kEAGAIN, model::v4_19::migrate_pages(k, P, 1, 1)); }, kChecks);
  CHECK(model_test::explore_once(p).verdict == checker::Verdict::Pass);
  const model::Kernel& k = *p.kernel;
  CHECK(model_test::maps(k.mms[A].ptes.at(0x1000).pte, P, false));
  CHECK(model_test::maps(k.mms[B].ptes.at(0x1000).pte, P, false));
  LONGS_EQUAL(P, k.swap.cache.at(1));
  CHECK(k.pages[P].test(model::PG_swapcache));
  LONGS_EQUAL(4, k.pages[P].refcount);
  CHECK(k.pages[N].freed || k.pages[N].in_free_pool);
  CHECK_FALSE(k.pages[N].test(model::PG_swapcache));
}

// Reclaim and migration of one page, and migration of a swap-cache page against swap-in
// faults: the repository scenarios pass, and plain DFS agrees within two preemptions.
TEST(Migrate419SwapCache, ScenariosPassAndDfsAgrees) {
  model_test::check_clean_and_dfs_agrees("scenarios/fault/swapout-vs-migration-4.19-fixed.json");
  model_test::check_clean_and_dfs_agrees("scenarios/fault/migrate-swapcache-vs-swapin-4.19-fixed.json");
}

TEST_GROUP(Swap419Lint){};

namespace {

/// The free-page findings of a 4.19 scenario over initial(false) without its free pages,
/// running R's reclaim of P beside `other`.
std::vector<std::string> free_page_findings(const nlohmann::json& other) {
  nlohmann::json init = initial(false);
  init["pages"] = nlohmann::json::array({init["pages"][0]});
  return model_test::free_page_findings(
      "4.19", init, nlohmann::json::array({{{"name", "R"}, {"actor", "reclaim"}, {"args", {{"page", "P"}}}}, other}));
}

}  // namespace

// A store (a write fault) or an HMM mirror's VALID fault on a page a reclaim may swap out
// and free reads the slot back into a fresh page (do_swap_page -> read_swap_cache_async):
// one page on node 0 each, and the scenario declares none.
TEST(Swap419Lint, SwapInAfterSwapOutAllocates) {
  auto f = free_page_findings({{"name", "S"}, {"actor", "store"}, {"args", {{"mm", "B"}, {"address", "0x1000"}, {"value", 9}}}});
  LONGS_EQUAL(1, f.size());
  CHECK(model_test::contains(f[0], "S needs 1 for a swap read (read_swap_cache_async) into a page at B:0x1000"));
  f = free_page_findings({{"name", "G"}, {"actor", "hmm_vma_fault"}, {"args", {{"range", "R"}}}});
  LONGS_EQUAL(1, f.size());
  CHECK(model_test::contains(f[0], "G needs 1 for a swap read (read_swap_cache_async) into a page at A:0x1000"));
}
