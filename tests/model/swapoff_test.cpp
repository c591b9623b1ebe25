// swapoff_test.cpp: the v3.9 swapoff actor (mm/swapfile.c try_to_unuse ->
// unuse_mm -> unuse_vma -> unuse_pte_range -> unuse_pte). Each test runs the
// path in one thread on a small state written here and asserts on the state
// left behind; the expected values are derived by hand from the v3.9 code in
// each comment. Bad input for the actor is refused with its JSON pointer.
#include <fstream>
#include <string>

#include "model_fixture.h"
#include <model/initial_state.h>
#include <model/ksm.h>
#include <model/lint.h>
#include <model/memory.h>
#include <model/path_stats.h>
#include <model/scenario.h>
#include <model/swapin.h>
#include <model/swapoff.h>

#include <CppUTest/TestHarness.h>

using namespace model;
using namespace model_test;

namespace {

// K: a KSM page only in the swap cache (slot 5, refcount 1: the cache's);
// A and B hold swap(5) (swap count 2); stable node S, run 1.
nlohmann::json ksm_initial(unsigned run = 1) {
  auto j = nlohmann::json::parse(R"({
    "pages": [
      { "name": "K", "flags": ["Anon", "Ksm", "Uptodate", "LRU", "SwapCache"], "swap_entry": 5, "mapcount": 0, "refcount": 1 },
      { "name": "F", "free": true }
    ],
    "mms": [
      { "name": "A", "vmas": [ { "start": "0x1000", "end": "0x2000", "flags": ["VM_READ", "VM_WRITE", "VM_MERGEABLE"], "anon_vma": "avA" } ] },
      { "name": "B", "vmas": [ { "start": "0x1000", "end": "0x2000", "flags": ["VM_READ", "VM_WRITE", "VM_MERGEABLE"], "anon_vma": "avB" } ] }
    ],
    "ptes": [
      { "mm": "A", "address": "0x1000", "pte": "swap", "entry": 5 },
      { "mm": "B", "address": "0x1000", "pte": "swap", "entry": 5 }
    ],
    "stable_nodes": [ { "name": "S", "page": "K" } ],
    "rmap_items": [
      { "name": "RA", "mm": "A", "address": "0x1000", "stable_node": "S" },
      { "name": "RB", "mm": "B", "address": "0x1000", "stable_node": "S" }
    ],
    "ksm": { "run": 1, "merge_across_nodes": true, "mm_slots": ["A", "B"], "pages_shared": 1, "pages_sharing": 1 }
  })");
  j["ksm"]["run"] = run;
  return j;
}

Kernel kernel_of(const nlohmann::json& initial) { return kernel_v39(initial); }

constexpr PageId F = 1;  // K is page 0 (model_fixture.h)
constexpr std::uint32_t mA = 0, mB = 1;
static_assert(K == 0);

const Pte& pte_at(const Kernel& k, std::uint32_t mm, std::uint64_t addr) { return k.mms.at(mm).ptes.at(addr).pte; }

nlohmann::json swapoff_scenario() {
  nlohmann::json j;
  j["name"] = "t/swapoff";
  j["summary"] = "s";
  j["kernel"] = "3.9";
  j["initial"] = ksm_initial();
  j["threads"] = nlohmann::json::parse(R"([ { "name": "SO", "actor": "swapoff", "args": {} } ])");
  j["expect"] = {{"result", "pass"}};
  return j;
}

}  // namespace

TEST_GROUP(Swapoff39){};

// try_to_unuse: slot 5 is in use (count 2); lookup takes a reference (K 1 -> 2),
// lock_page. unuse_mm(A): unuse_vma of a KSM page scans the whole vma; A:0x1000
// is swap(5): ksm_might_need_to_copy keeps K (stable node S, run 1), get_page
// (2 -> 3), pte -> present(K, ro), page_add_anon_rmap (mapcount 0 -> 1),
// swap_free (2 -> 1). Count 1: unuse_mm(B) likewise (refcount 4, mapcount 2,
// count 0). delete_from_swap_cache: slot emptied, PG_swapcache off, the cache's
// reference dropped (4 -> 3); SetPageDirty; unlock; page_cache_release (3 -> 2).
TEST(Swapoff39, UnusesEverySwapPteAndLeavesTheSwapCache) {
  OneThread p(kernel_of(ksm_initial()), [](Kernel& k) { LONGS_EQUAL(0, try_to_unuse(k)); },
              {"page_counts_consistent"});
  CHECK(explore_once(p).verdict == checker::Verdict::Pass);
  const Kernel& k = *p.kernel;
  CHECK(maps(pte_at(k, mA, 0x1000), K, false));
  CHECK(maps(pte_at(k, mB, 0x1000), K, false));
  LONGS_EQUAL(2, k.pages[K].mapcount);
  LONGS_EQUAL(2, k.pages[K].refcount);
  CHECK_FALSE(k.pages[K].test(PG_swapcache));
  CHECK(k.pages[K].test(PG_dirty));
  CHECK_FALSE(k.pages[K].PageLocked());
  LONGS_EQUAL(0, k.swap.swap_map.at(5));
  CHECK(k.swap.cache.empty());
  CHECK(k.pages[F].in_free_pool);  // no copy
}

// With run = 2 (KSM_RUN_UNMERGE) v3.9's ksm_might_need_to_copy copies the KSM
// page: A:0x1000 gets F (a copy of K: page_add_new_anon_rmap, mapcount 1,
// refcount 1 after unuse_pte's put of the copy's own reference); then B's copy
// needs a second free page and there is none: -ENOMEM, try_to_unuse stops with
// K still in the swap cache (refcount 1), B still swap(5) (count 1).
TEST(Swapoff39, KsmCopyUnderUnmergeAndOom) {
  OneThread p(kernel_of(ksm_initial(2)), [](Kernel& k) { LONGS_EQUAL(-12, try_to_unuse(k)); },
              {"page_counts_consistent"});
  CHECK(explore_once(p).verdict == checker::Verdict::Pass);
  const Kernel& k = *p.kernel;
  CHECK(maps(pte_at(k, mA, 0x1000), F, false));
  CHECK(pte_at(k, mB, 0x1000) == Pte::swap(5));
  LONGS_EQUAL(1, k.pages[F].mapcount);
  LONGS_EQUAL(1, k.pages[F].refcount);
  CHECK_FALSE(k.pages[F].PageLocked());
  LONGS_EQUAL(0, k.pages[K].mapcount);
  LONGS_EQUAL(1, k.pages[K].refcount);
  CHECK(k.pages[K].test(PG_swapcache));
  LONGS_EQUAL(1, k.swap.swap_map.at(5));
}

// unuse_pte on a pte that is no longer swap(entry): pte_same fails under the
// ptl, nothing changes, returns 0.
TEST(Swapoff39, UnusePteRechecksPteSame) {
  OneThread p(kernel_of(ksm_initial()), [](Kernel& k) {
    k.pages[K].lock->lock("test");
    LONGS_EQUAL(0, unuse_pte(k, 0, 0x1000, 6, K));  // A's vma (0), another slot
    k.pages[K].lock->unlock("test");
  });
  CHECK(explore_once(p).verdict == checker::Verdict::Pass);
  const Kernel& k = *p.kernel;
  CHECK(pte_at(k, mA, 0x1000) == Pte::swap(5));
  LONGS_EQUAL(1, k.pages[K].refcount);
  LONGS_EQUAL(0, k.pages[K].mapcount);
  LONGS_EQUAL(2, k.swap.swap_map.at(5));
}

// A slot in use with no swap-cache page is read from the device (mm/swap_state.c
// v3.9 read_swap_cache_async): A and B hold swap(5), only F and G are free. F is
// allocated, locked, added to the swap cache (refcount 2: ours and the cache's),
// read (content: slot 5's token on the device, 0x10005; Uptodate; unlocked).
// try_to_unuse locks F; F has no anon_vma yet, so unuse_vma scans A's whole vma,
// then B's at F's linear index in their shared anon_vma: A then B get present(F, ro) (get_page, page_add_anon_rmap, swap_free): mapcount 2,
// refcount 4, count 0; delete_from_swap_cache (3), unlock, page_cache_release (2).
TEST(Swapoff39, SlotWithoutSwapCachePageIsReadFromTheDevice) {
  auto j = ksm_initial();
  j["pages"] = nlohmann::json::parse(R"([{ "name": "F", "free": true }, { "name": "G", "free": true }])");
  j.erase("stable_nodes");
  j.erase("rmap_items");
  j.erase("ksm");
  j["mms"][1]["vmas"][0]["anon_vma"] = "avA";  // B forked from A: one anon_vma (no KSM page joins two)
  OneThread p(kernel_of(j), [](Kernel& k) { LONGS_EQUAL(0, try_to_unuse(k)); }, {"page_counts_consistent"});
  CHECK(explore_once(p).verdict == checker::Verdict::Pass);
  const Kernel& k = *p.kernel;
  constexpr PageId pF = 0, pG = 1;
  CHECK(maps(pte_at(k, mA, 0x1000), pF, false));
  CHECK(maps(pte_at(k, mB, 0x1000), pF, false));
  LONGS_EQUAL(2, k.pages[pF].mapcount);
  LONGS_EQUAL(2, k.pages[pF].refcount);
  LONGS_EQUAL(0x10005, k.pages[pF].content);
  CHECK(k.pages[pF].test(PG_uptodate));
  CHECK_FALSE(k.pages[pF].test(PG_swapcache));
  CHECK_FALSE(k.pages[pF].PageLocked());
  CHECK(k.pages[pG].in_free_pool);
  LONGS_EQUAL(0, k.swap.swap_map.at(5));
}

// With no free page the read cannot start: try_to_unuse stops with -ENOMEM, the
// swap ptes and the slot's count untouched.
TEST(Swapoff39, SwapReadWithoutAFreePageIsEnomem) {
  auto j = ksm_initial();
  j["pages"] = nlohmann::json::array();
  j.erase("stable_nodes");
  j.erase("rmap_items");
  j.erase("ksm");
  OneThread p(kernel_of(j), [](Kernel& k) { LONGS_EQUAL(-12, try_to_unuse(k)); }, {"page_counts_consistent"});
  CHECK(explore_once(p).verdict == checker::Verdict::Pass);
  CHECK(pte_at(*p.kernel, mA, 0x1000) == Pte::swap(5));
  LONGS_EQUAL(2, p.kernel->swap.swap_map.at(5));
}

// The actor loads with {} or no args (a slot with no swap-cache page too); an
// unknown argument and the 2.6.33 era are refused with a pointer.
TEST(Swapoff39, ActorInputAndBadInput) {
  STRCMP_EQUAL("<none>", load_error_pointer(swapoff_scenario()).c_str());
  nlohmann::json j = swapoff_scenario();
  j["threads"][0].erase("args");
  STRCMP_EQUAL("<none>", load_error_pointer(j).c_str());
  std::string msg;
  j = swapoff_scenario();
  j["threads"][0]["args"] = {{"swap_type", 0}};
  STRCMP_EQUAL("/threads/0/args/swap_type", load_error_pointer(j, &msg).c_str());
  j = swapoff_scenario();
  j["initial"]["ptes"][1]["entry"] = 9;  // a slot with no swap-cache page: read from the device
  STRCMP_EQUAL("<none>", load_error_pointer(j, &msg).c_str());
  j = swapoff_scenario();
  j["threads"][0]["args"] = "x";
  STRCMP_EQUAL("/threads/0/args", load_error_pointer(j).c_str());
}

// mmcheck check: swapoff may copy K once per swap pte (A and B; v3.9
// ksm_might_need_to_copy copies under run = 2), and one free page is declared: a free-pages finding naming both sites.
TEST(Swapoff39, LintCountsKsmCopies) {
  nlohmann::json j = swapoff_scenario();
  j["initial"] = ksm_initial(2);
  const LintReport r = lint(Scenario::parse(j, "t.json"));
  bool found = false;
  for (const LintFinding& f : r.findings)
    found |= f.kind == LintFinding::Kind::FreePages && contains(f.message, "unuse_pte's ksm_might_need_to_copy copies at A:0x1000, B:0x1000");
  CHECK(found);
  // A second free page covers both; with run 1 and no run=2 writer K (stable
  // node S) is never copied: no finding with one free page either.
  j["initial"]["pages"].push_back({{"name", "G"}, {"free", true}});
  CHECK(lint(Scenario::parse(j, "t.json")).findings.empty());
  j["initial"] = ksm_initial(1);
  CHECK(lint(Scenario::parse(j, "t.json")).findings.empty());
}

// swapoff beside an exit of a mm it walks (kernel/fork.c mmput, mm/swapfile.c try_to_unuse v3.9):
// try_to_unuse's atomic_inc_not_zero(&A->mm_users) keeps A alive while swapoff walks it, and its
// mmput(prev_mm) comes after B's reference is taken. Where X's exit runs its mmput inside that
// window, X's is not the last (2 -> 1) and swapoff's own mmput tears A down (ksm_exit, exit_mmap:
// SO runs zap_pte_range); where X's mmput comes first, A's mm_users is 0 and swapoff skips A; where
// it comes after, X's is the last. The whole search is clean, with no lint note, and the teardown
// on swapoff's thread is reachable; with X started after SO, it is not.
TEST(Swapoff39, AnExitBesideSwapoffMayLeaveTheTeardownToSwapoffsMmput) {
  nlohmann::json j = swapoff_scenario();
  j["threads"].push_back({{"name", "X"}, {"actor", "exit"}, {"args", {{"mm", "A"}}}});
  j["invariants"] = {"page_counts_consistent"};
  const LintReport r = lint(Scenario::parse(j, "t.json"));
  CHECK(r.findings.empty());
  CHECK(r.notes.empty());
  Scenario s = Scenario::parse(j, "t.json");
  auto program = s.make_program();
  const checker::Report whole = checker::explore(*program, s.options());
  CHECK(whole.verdict == checker::Verdict::Pass);
  CHECK(whole.stats.complete);
  checker::Options o = s.options();
  o.reach = checker::ReachTarget{"SO", "zap_pte_range"};
  const checker::Report reached = checker::explore(*program, o);
  CHECK(reached.verdict == checker::Verdict::Violation);
  CHECK(reached.counterexample && reached.counterexample->violation.kind == checker::FailureKind::Reached);
  j["threads"][1]["start_after"] = {{"thread", "SO"}, {"event", "done"}};
  Scenario after = Scenario::parse(j, "t.json");
  auto later = after.make_program();
  o = after.options();
  o.reach = checker::ReachTarget{"SO", "zap_pte_range"};
  CHECK(checker::explore(*later, o).verdict == checker::Verdict::Pass);
}

// init_mm.mmlist (mm/swapfile.c try_to_unuse's walk): the mms there before the run are walked
// in every order (a value choice at the first walk: history the state does not show), unless
// initial.mmlist declares one; a fork's child is not among them (dup_mmap puts it right after
// its parent). SO alone over A and B, then F forks C from A: 2! = 2 executions, one per order
// (the walk's only choice: F starts after SO's done), B before A in one of them; with
// initial.mmlist [A, B] one execution, and B is never walked first. Bad mmlists are refused.
TEST(Swapoff39, TheMmlistOrderIsSearchedUnlessDeclared) {
  nlohmann::json j = swapoff_scenario();
  j["initial"]["mms"].push_back({{"name", "C"}, {"vmas", j["initial"]["mms"][0]["vmas"]}});
  j["threads"].push_back({{"name", "F"}, {"actor", "fork"}, {"args", {{"mm", "A"}, {"child", "C"}}},
                          {"start_after", {{"thread", "SO"}, {"event", "done"}}}});
  LONGS_EQUAL(0, lint(Scenario::parse(j, "t.json")).notes.size());
  for (bool declared : {false, true}) {
    nlohmann::json d = j;
    if (declared) d["initial"]["mmlist"] = {"A", "B"};
    const Scenario s = Scenario::parse(d, "t.json");
    auto program = s.make_program();
    checker::Options o = s.options();
    o.fewest_preemptions = false;
    o.bounded_first = 0;
    const checker::Report r = checker::explore(*program, o);
    CHECK(r.verdict == checker::Verdict::Pass);
    LONGS_EQUAL(declared ? 1 : 2, r.stats.executions);
    o.reach = checker::ReachTarget{"SO", "init_mm.mmlist: B A", true};
    auto again = s.make_program();
    CHECK_EQUAL(!declared, checker::explore(*again, o).verdict == checker::Verdict::Violation);
  }
  nlohmann::json bad = j;
  bad["initial"]["mmlist"] = {"A"};
  std::string msg;
  STRCMP_EQUAL("/initial/mmlist", load_error_pointer(bad, &msg).c_str());
  CHECK_TEXT(contains(msg, "mm B is missing"), msg.c_str());
  bad["initial"]["mmlist"] = {"A", "B", "C"};
  STRCMP_EQUAL("/initial/mmlist/2", load_error_pointer(bad, &msg).c_str());
  CHECK_TEXT(contains(msg, "mm C is a fork's child"), msg.c_str());
  bad["initial"]["mmlist"] = {"A", "A"};
  STRCMP_EQUAL("/initial/mmlist/1", load_error_pointer(bad, &msg).c_str());
  bad["initial"]["mmlist"] = {"A", "Z"};
  STRCMP_EQUAL("/initial/mmlist/1", load_error_pointer(bad, &msg).c_str());
}

// do_swap_page after swapoff took the slot (mm/memory.c v3.9): lookup_swap_cache
// finds nothing, read_swap_cache_async's swapcache_prepare fails on the freed
// slot (count 0), and the pte no longer matches orig_pte: return 0, and as the
// pte (none here) still does not allow the access, the model's ghost bit says the
// access faults again.
TEST(Swapoff39, SwapInAfterTheSlotWasFreedBacksOut) {
  OneThread p(kernel_of(ksm_initial()), [](Kernel& k) {
    k.swap.cache.erase(5);
    k.swap.swap_map[5] = 0;
    k.mms[mB].ptes.at(0x1000).pte = Pte::none();
    LONGS_EQUAL(VM_FAULT_AGAIN_GHOST, do_swap_page_swapin(k, 1, 0x1000, Pte::swap(5)));
  });
  CHECK(explore_once(p).verdict == checker::Verdict::Pass);
}

// "If a reference remains (rare)": B is exiting (mm_users 0), so try_to_unuse's
// atomic_inc_not_zero skips it and B's swap(5) keeps a count after A's pte is unused.
// K is dirty in the swap cache with data 9 the device (7, from before) does not have:
// swap_writepage writes 9 to slot 5, then the page leaves the swap cache anyway
// (delete_from_swap_cache, SetPageDirty). The slot stays in use, so try_to_unuse visits it
// again and reads 9 back from the device into F (not dirty: no write, F deleted and freed);
// the third visit finds no free page: -ENOMEM (the kernel would loop until B's exit frees it).
TEST(Swapoff39, AReferenceRemainsWritesTheDirtyPageOut) {
  auto j = ksm_initial();
  j["pages"][0]["flags"] = nlohmann::json::array({"Uptodate", "LRU", "SwapCache"});
  j["pages"][0]["content"] = 7;
  j.erase("stable_nodes");
  j.erase("rmap_items");
  j.erase("ksm");
  j["mms"][1]["vmas"][0]["anon_vma"] = "avA";  // B forked from A: one anon_vma
  Kernel k0 = kernel_of(j);
  k0.track_mm_users = true;
  k0.mms[mB].mm_users = 0;
  int ret = -1;
  OneThread p(std::move(k0), [&](Kernel& k) {
    k.pages[K].content = 9;  // written since the device got 7 (the page is dirty)
    k.pages[K].flags |= PG_dirty;
    ret = try_to_unuse(k);
  });
  const checker::Report r = explore_once(p);
  STRCMP_EQUAL("<none>", r.counterexample ? r.counterexample->violation.message.c_str() : "<none>");
  const Kernel& k = *p.kernel;
  LONGS_EQUAL(-kENOMEM, ret);
  LONGS_EQUAL(9u, k.swap.device.at(5));
  CHECK(maps(pte_at(k, mA, 0x1000), K, false));
  CHECK(pte_at(k, mB, 0x1000) == Pte::swap(5));
  CHECK_FALSE(k.pages[K].test(PG_swapcache));
  CHECK(k.pages[K].test(PG_dirty));
}

// sys_swapoff around try_to_unuse (v3.9 mm/swapfile.c): a slot held only by its
// swap-cache page (SWAP_HAS_CACHE, no swap pte) is in use for find_next_to_unuse
// too. S in the swap cache at slot 5 (refcount 1, the cache's), nothing maps it:
// read_swap_cache_async finds S (1 -> 2), lock_page, swap count 0 (no mm walked),
// delete_from_swap_cache (slot emptied, PG_swapcache off, 2 -> 1), SetPageDirty,
// unlock, page_cache_release (1 -> 0: freed). Returns 0; SWP_WRITEOK (tracked here)
// stays cleared. With run = 2 and one free page, try_to_unuse fails with -ENOMEM
// (KsmCopyUnderUnmergeAndOom) and reinsert_swap_info sets SWP_WRITEOK again.
TEST(Swapoff39, SwapoffEmptiesACacheOnlySlotAndClearsSwpWriteok) {
  Kernel cache_only = kernel_of(nlohmann::json::parse(R"({
    "pages": [ { "name": "S", "flags": ["Anon", "Uptodate", "LRU", "SwapCache"], "swap_entry": 5, "mapcount": 0,
                 "refcount": 1 } ],
    "mms": [ { "name": "A", "vmas": [ { "start": "0x1000", "end": "0x2000", "flags": ["VM_READ", "VM_WRITE"], "anon_vma": "avA" } ] } ],
    "ptes": [ { "mm": "A", "address": "0x1000", "pte": "swap", "entry": 5 } ]
  })"));
  cache_only.swap.writeok_tracked = true;
  OneThread p(cache_only, [](Kernel& k) {
        // An exit's zap of A's swap pte, by hand (free_swap_and_cache whose trylock_page failed: S stays cached).
        k.mms[0].ptes.at(0x1000).pte = Pte::none();
        k.swap.swap_map[5] = 0;
        LONGS_EQUAL(0, sys_swapoff(k));
      },
      {"page_counts_consistent", "swapoff_complete"});
  CHECK(explore_once(p).verdict == checker::Verdict::Pass);
  CHECK(p.kernel->swap.cache.empty());
  CHECK(p.kernel->pages[0].freed);
  CHECK_FALSE(p.kernel->swap.writeok);
  CHECK(p.kernel->swap.swapoff_succeeded);

  Kernel oom = kernel_of(ksm_initial(2));
  oom.swap.writeok_tracked = true;
  OneThread q(oom, [](Kernel& k) { LONGS_EQUAL(-12, sys_swapoff(k)); }, {"page_counts_consistent", "swapoff_complete"});
  CHECK(explore_once(q).verdict == checker::Verdict::Pass);
  CHECK(q.kernel->swap.writeok);
  CHECK_FALSE(q.kernel->swap.swapoff_succeeded);
}

// swapoff_complete: a swap pte left after a swapoff that returned 0 is a failure
// naming the pte (the ghost set by hand, nothing unused: A and B still hold swap(5)).
TEST(Swapoff39, SwapoffCompleteNamesALeftoverSwapPte) {
  OneThread p(kernel_of(ksm_initial()), [](Kernel& k) { k.swap.swapoff_succeeded = true; }, {"swapoff_complete"});
  const checker::Report r = explore_once(p);
  CHECK(r.verdict == checker::Verdict::Violation);
  CHECK(r.counterexample.has_value());
  if (!r.counterexample) return;
  CHECK_TEXT(contains(r.counterexample->violation.message, "swapoff_complete: A:0x1000 = swap(5) after swapoff returned 0"),
             r.counterexample->violation.message.c_str());
}

// A reclaim that starts after swapoff returned (start_after O's done) finds no swap
// area: v3.9 get_swap_page skips an area without SWP_WRITEOK, add_to_swap fails,
// shrink_page_list's activate_locked keeps P: every run ends with A still mapping P,
// P out of the swap cache, no slot in use (P: refcount 1 after the putback).
TEST(Swapoff39, ReclaimAfterSwapoffFindsNoSwapArea) {
  nlohmann::json j;
  j["name"] = "t/reclaim-after-swapoff";
  j["summary"] = "s";
  j["kernel"] = "3.9";
  j["initial"] = nlohmann::json::parse(R"({
    "pages": [ { "name": "P", "flags": ["Anon", "Uptodate", "LRU", "Dirty"], "mapcount": 1, "refcount": 1 } ],
    "mms": [ { "name": "A", "vmas": [ { "start": "0x1000", "end": "0x2000", "flags": ["VM_READ", "VM_WRITE"], "anon_vma": "avA" } ] } ],
    "ptes": [ { "mm": "A", "address": "0x1000", "pte": "present", "page": "P", "writable": true, "dirty": true } ]
  })");
  j["threads"] = nlohmann::json::parse(R"([ { "name": "O", "actor": "swapoff", "args": {} },
    { "name": "V", "actor": "reclaim", "args": { "page": "P" }, "start_after": { "thread": "O", "event": "done" } } ])");
  j["invariants"] = {"page_counts_consistent", "swapoff_complete"};
  j["expect"] = {{"result", "pass"}, {"exhaustive", true}};
  const auto paths = model_test::explore_clean_with_paths(j);
  CHECK(paths->count(1, Outcome::Kept) > 0);
  LONGS_EQUAL(0, paths->count(1, Outcome::Ok));
}
