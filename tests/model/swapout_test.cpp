// swapout_test.cpp: the v3.9 swap-out of a mapped anonymous page by the reclaim
// actor (mm/vmscan.c shrink_page_list: add_to_swap, try_to_unmap, pageout with
// PG_writeback, __remove_mapping), and PG_writeback where v3.9 checks it. Each
// test runs the path in one thread on a small state written here and asserts
// on the state left behind; the expected values are derived by hand from the
// v3.9 code in each comment. Bad input for the reclaim page is refused with its
// JSON pointer. The asynchronous write (reclaim "writeback": "async") completes on
// the reclaimer's bio thread, possibly past the putback, where a migration meets it.
#include <string>

#include "model_fixture.h"
#include <model/initial_state.h>
#include <model/ksm.h>
#include <model/lint.h>
#include <model/memory.h>
#include <model/path_stats.h>
#include <model/scenario.h>
#include <model/swap_state.h>

#include <CppUTest/TestHarness.h>

using namespace model;
using namespace model_test;

namespace {

// P (content 7): anon, mapped read-only by A and B after a fork (anon_vma av),
// refcount 2 (the two ptes), not in the swap cache. Slot 1 is held by a swap pte
// of A at 0x2000 when `slot1_used`, so the free slot is then 2.
nlohmann::json fork_pair(bool slot1_used = false) {
  auto j = nlohmann::json::parse(R"({
    "pages": [
      { "name": "P", "flags": ["Anon", "Uptodate", "LRU"], "mapcount": 2, "refcount": 2, "content": 7 },
      { "name": "F", "free": true }
    ],
    "mms": [
      { "name": "A", "vmas": [ { "start": "0x1000", "end": "0x3000", "flags": ["VM_READ", "VM_WRITE"], "anon_vma": "av" } ] },
      { "name": "B", "vmas": [ { "start": "0x1000", "end": "0x3000", "flags": ["VM_READ", "VM_WRITE"], "anon_vma": "av" } ] }
    ],
    "ptes": [
      { "mm": "A", "address": "0x1000", "pte": "present", "page": "P", "writable": false },
      { "mm": "B", "address": "0x1000", "pte": "present", "page": "P", "writable": false }
    ]
  })");
  if (slot1_used) j["ptes"].push_back({{"mm", "A"}, {"address", "0x2000"}, {"pte", "swap"}, {"entry", 1}});
  return j;
}

Kernel kernel_of(const nlohmann::json& initial) {
  Kernel k = kernel_v39(initial);
  k.track_writeback = true;  // as Scenario::parse sets it for a reclaim of a non-KSM page
  return k;
}

constexpr PageId P = 0, F = 1;
constexpr std::uint32_t mA = 0, mB = 1;

const Pte& pte_at(const Kernel& k, std::uint32_t mm, std::uint64_t addr) { return k.mms.at(mm).ptes.at(addr).pte; }

nlohmann::json reclaim_scenario(const nlohmann::json& initial) {
  nlohmann::json j;
  j["name"] = "t/swapout";
  j["summary"] = "s";
  j["kernel"] = "3.9";
  j["initial"] = initial;
  j["threads"] = nlohmann::json::parse(R"([ { "name": "R", "actor": "reclaim", "args": { "page": "P" } } ])");
  j["expect"] = {{"result", "pass"}};
  return j;
}

}  // namespace

TEST_GROUP(Swapout39){};

// shrink_page_list alone: add_to_swap takes slot 1 (no pte or cache holds it),
// page_cache_get (2 -> 3), dirty. try_to_unmap: A then B become swap(1)
// (swap_duplicate each: 0 -> 1 -> 2), mapcount 2 -> 0, refcount 3 -> 1.
// pageout: clean, writeback, unlock, the device write (slot 1 = 7),
// end_page_writeback; trylock again; count 1 = the swap cache's: frozen,
// deleted from the swap cache, freed. Slot 1 keeps count 2 (the two swap ptes).
TEST(Swapout39, SwapsOutAForkPairAndFreesThePage) {
  bool freed = false;
  OneThread p(kernel_of(fork_pair()), [&](Kernel& k) { freed = reclaim_swapcache_page(k, P); },
              {"page_counts_consistent"});
  CHECK(explore_once(p).verdict == checker::Verdict::Pass);
  const Kernel& k = *p.kernel;
  CHECK(freed);
  CHECK(pte_at(k, mA, 0x1000) == Pte::swap(1));
  CHECK(pte_at(k, mB, 0x1000) == Pte::swap(1));
  LONGS_EQUAL(2, k.swap.swap_map.at(1));
  CHECK(k.swap.cache.empty());
  LONGS_EQUAL(7u, k.swap.device.at(1));
  CHECK(k.pages[P].freed);
  LONGS_EQUAL(0, k.pages[P].refcount);
  LONGS_EQUAL(0, k.pages[P].mapcount);
  CHECK_FALSE(k.pages[P].PageLocked());
}

// get_swap_page skips a slot a swap pte holds: slot 1 is A:0x2000's, so P gets 2.
TEST(Swapout39, GetSwapPageTakesTheSmallestFreeSlot) {
  OneThread p(kernel_of(fork_pair(true)), [&](Kernel& k) { reclaim_swapcache_page(k, P); },
              {"page_counts_consistent"});
  CHECK(explore_once(p).verdict == checker::Verdict::Pass);
  const Kernel& k = *p.kernel;
  CHECK(pte_at(k, mA, 0x1000) == Pte::swap(2));
  CHECK(pte_at(k, mB, 0x1000) == Pte::swap(2));
  LONGS_EQUAL(1, k.swap.swap_map.at(1));
  LONGS_EQUAL(2, k.swap.swap_map.at(2));
  LONGS_EQUAL(7u, k.swap.device.at(2));
}

// An extra reference (a get_user_pages pin, or a fault's lookup) fails pageout's
// is_page_cache_freeable (page_count 3: the isolation's, the swap cache's and the extra
// one, not 2): PAGE_KEEP before any write. The page stays in the swap cache unmapped (A's
// and B's ptes are swap(1), count 2), still dirty (add_to_swap's SetPageDirty), not under
// writeback, slot 1 never written; its count: 3 - 2 ptes + 1 cache - 1 test = 1.
TEST(Swapout39, ExtraReferenceKeepsThePageUnwritten) {
  bool freed = true;
  OneThread p(kernel_of(fork_pair()), [&](Kernel& k) {
    k.get_page(P, "test");  // 2 -> 3: a reference besides the ptes
    freed = reclaim_swapcache_page(k, P);
    k.put_page(P, "test");
  });
  CHECK(explore_once(p).verdict == checker::Verdict::Pass);
  const Kernel& k = *p.kernel;
  CHECK_FALSE(freed);
  CHECK_FALSE(k.pages[P].freed);
  CHECK(k.pages[P].test(PG_swapcache));
  CHECK(k.pages[P].test(PG_dirty));
  CHECK_FALSE(k.pages[P].test(PG_writeback));
  LONGS_EQUAL(1, k.pages[P].refcount);
  LONGS_EQUAL(0, k.pages[P].mapcount);
  LONGS_EQUAL(P, swap_cache_page(k, 1));
  LONGS_EQUAL(2, k.swap.swap_map.at(1));
  CHECK(pte_at(k, mA, 0x1000).is_swap() && pte_at(k, mB, 0x1000).is_swap());
  CHECK_FALSE(k.swap.device.count(1));
}

// shrink_page_list keeps a page under writeback (global reclaim: keep_locked);
// reuse_swap_page refuses one (!PageWriteback), even mapped once with no other
// swap count. Here P is put in the swap cache at slot 3 by hand, mapped only by
// A (mapcount 1, refcount 2), with PG_writeback set.
TEST(Swapout39, WritebackKeepsThePageAndRefusesReuse) {
  auto j = fork_pair();
  j["pages"][0]["flags"] = {"Anon", "Uptodate", "LRU", "SwapCache"};
  j["pages"][0]["swap_entry"] = 3;
  j["pages"][0]["mapcount"] = 1;
  j["ptes"].erase(1);
  bool freed = true, reused = true;
  Kernel initial = kernel_of(j);
  initial.pages[P].flags |= PG_writeback;
  OneThread p(initial, [&](Kernel& k) {
    freed = reclaim_swapcache_page(k, P);
    k.pages[P].lock->lock("test");
    reused = reuse_swap_page(k, P);  // count = mapcount 1 + swapcount 0 = 1, but writeback
    k.pages[P].lock->unlock("test");
  });
  CHECK(explore_once(p).verdict == checker::Verdict::Pass);
  const Kernel& k = *p.kernel;
  CHECK_FALSE(freed);
  CHECK(reused);  // count <= 1: the caller may write, but the page stays in the swap cache
  CHECK(k.pages[P].test(PG_swapcache));
  CHECK(maps(pte_at(k, mA, 0x1000), P, false));
  LONGS_EQUAL(P, swap_cache_page(k, 3));
}

// A KSM page is swapped out as v3.9 does it: add_to_swap (slot 1, PageKsm and the
// stable node kept), try_to_unmap -> try_to_unmap_ksm over S's rmap_items RA, RB
// (both ptes swap(1): swap count 2), pageout (the device gets 7), __remove_mapping
// frees P. S still names P (kpfn): get_ksm_page then finds P's mapping gone, stale,
// and removes S (remove_node_from_stable_tree: RA and RB leave, pages_shared 0).
// A free page is refused as the reclaim's page.
TEST(Swapout39, KsmPageIsSwappedOutThroughItsStableNode) {
  auto s = reclaim_scenario(fork_pair());
  s["initial"]["pages"][0]["flags"] = {"Anon", "Ksm", "Uptodate", "LRU"};
  s["initial"]["stable_nodes"] = nlohmann::json::parse(R"([ { "name": "S", "page": "P" } ])");
  s["initial"]["rmap_items"] = nlohmann::json::parse(
      R"([ { "name": "RA", "mm": "A", "address": "0x1000", "stable_node": "S" },
           { "name": "RB", "mm": "B", "address": "0x1000", "stable_node": "S" } ])");
  s["initial"]["ksm"] = nlohmann::json::parse(R"({ "run": 1, "mm_slots": ["A", "B"], "pages_shared": 1, "pages_sharing": 1 })");
  for (auto& v : s["initial"]["mms"]) v["vmas"][0]["flags"].push_back("VM_MERGEABLE");
  s["initial"]["mms"][1]["vmas"][0]["anon_vma"] = "avB";
  STRCMP_EQUAL("<none>", load_error_pointer(s).c_str());
  bool freed = false;
  PageId stale = 0;
  OneThread p(kernel_of(s["initial"]), [&](Kernel& k) {
    freed = reclaim_swapcache_page(k, P);
    stale = get_ksm_page(k, 0, false);
  }, {"page_counts_consistent", "ksm_counters_consistent"});
  CHECK(explore_once(p).verdict == checker::Verdict::Pass);
  const Kernel& k = *p.kernel;
  CHECK(freed);
  CHECK(pte_at(k, mA, 0x1000) == Pte::swap(1));
  CHECK(pte_at(k, mB, 0x1000) == Pte::swap(1));
  LONGS_EQUAL(2, k.swap.swap_map.at(1));
  LONGS_EQUAL(7u, k.swap.device.at(1));
  CHECK(k.pages[P].freed);
  LONGS_EQUAL(kNoPage, stale);
  CHECK(k.stable_nodes[0].hlist.empty());
  LONGS_EQUAL(0, k.ksm.pages_shared);
  // A page free at load loads: a thread may allocate it during the run (watched_page_test.cpp).
  auto f = reclaim_scenario(fork_pair());
  f["threads"][0]["args"]["page"] = "F";
  STRCMP_EQUAL("<none>", load_error_pointer(f).c_str());
}

// Lint: a write fault on A:0x1000 while R may swap out P (mapped by A and B)
// may need two pages: the swap read back of slot 1 after R freed P
// (read_swap_cache_async), then do_wp_page's COW (the read-back page is in the
// swap cache with B's swap count, so reuse_swap_page refuses it). F alone is
// one page short; with a second free page G nothing is reported.
TEST(Swapout39, LintCountsTheSwapReadAfterASwapOut) {
  auto s = reclaim_scenario(fork_pair());
  s["threads"].push_back(nlohmann::json::parse(R"({ "name": "W", "actor": "fault", "args": { "mm": "A", "address": "0x1000", "write": true } })"));
  int free_page_findings = 0;
  std::string text;
  for (const LintFinding& f : lint(Scenario::parse(s, "t.json")).findings)
    if (f.kind == LintFinding::Kind::FreePages) ++free_page_findings, text = f.message;
  LONGS_EQUAL(1, free_page_findings);
  CHECK_TEXT(contains(text, "the threads may allocate 2 there (W needs 1 for a swap read (read_swap_cache_async) into a page at A:0x1000; "
                            "W needs 1 for a do_wp_page COW copy at A:0x1000), the scenario declares 1 (F)"),
             text.c_str());
  s["initial"]["pages"].push_back(nlohmann::json::parse(R"({ "name": "G", "free": true })"));
  free_page_findings = 0;
  for (const LintFinding& f : lint(Scenario::parse(s, "t.json")).findings)
    if (f.kind == LintFinding::Kind::FreePages) ++free_page_findings;
  LONGS_EQUAL(0, free_page_findings);
}

// The data round trip: after R swapped P out and freed it (slot 1 holds 7 on
// the device), a read fault on A:0x1000 finds no swap-cache page,
// read_swap_cache_async reads slot 1 into F (content 7, Uptodate, in the swap
// cache), do_swap_page maps F read-only (mapcount 1), swap_free 2 -> 1; F's
// count: the swap cache's 1 + the pte's 1 = 2. B still holds swap(1).
TEST(Swapout39, ReadFaultAfterSwapOutReadsTheDataBack) {
  OneThread p(kernel_of(fork_pair()), [&](Kernel& k) {
    reclaim_swapcache_page(k, P);
    fault(k, mA, 0x1000, false);
  }, {"page_counts_consistent"});
  CHECK(explore_once(p).verdict == checker::Verdict::Pass);
  const Kernel& k = *p.kernel;
  CHECK(maps(pte_at(k, mA, 0x1000), F, false));
  CHECK(pte_at(k, mB, 0x1000) == Pte::swap(1));
  LONGS_EQUAL(7u, k.pages[F].content);
  CHECK(k.pages[F].test(PG_uptodate));
  CHECK(k.pages[F].test(PG_swapcache));
  LONGS_EQUAL(1, k.pages[F].mapcount);
  LONGS_EQUAL(2, k.pages[F].refcount);
  LONGS_EQUAL(1, k.swap.swap_map.at(1));
  LONGS_EQUAL(F, swap_cache_page(k, 1));
}

// try_to_unmap_one's ptep_clear_flush flushes a read-only pte too: a store holding a writable
// translation cached before fork's copy_one_pte write-protected the pte cannot write the page
// reclaim is freeing. Clean under DPOR and bounded DFS (flushing only writable ptes, as the
// model did before, fails no_lost_write after 9308 DPOR executions).
TEST(Swapout39, AReadOnlyPteUnmappedIsFlushedForAStaleWritableTranslation) {
  model_test::check_clean_and_dfs_agrees("scenarios/ksm/store-vs-fork-vs-swapout-fixed.json");
}

// "writeback": "async": pageout submits the write and goes on. By hand from v3.9
// shrink_page_list and swap_writepage, with the completion held back until R is done:
// isolate (refcount 2 -> 3, LRU cleared), add_to_swap (slot 1, +1: 4), try_to_unmap
// (both ptes swap(1), -2: 2), set_page_writeback and submit_bio, unlock; PageWriteback:
// keep; putback_lru_page (LRU set, -1: 1, the swap cache's). The write is in flight
// (R's bio, the device's slot 1 not written yet) until swap_bio_completion runs it:
// end_swap_bio_write (slot 1 = 7, PG_writeback cleared, the bio gone). P stays in the
// swap cache, unmapped, clean.
TEST(Swapout39, AsyncWriteKeepsThePageUnderWritebackUntilItsBioCompletes) {
  bool freed = true;
  bool in_flight_after_putback = false, device_written_early = true;
  OneThread p(kernel_of(fork_pair()), [&](Kernel& k) {
        freed = reclaim_swapcache_page(k, P, SwapWrite::Async);
        in_flight_after_putback = k.pages[P].test(PG_writeback) && k.swap.bios.count(checker::current_thread()) == 1 &&
                                  k.swap.bios.at(checker::current_thread()) == P && k.pages[P].test(PG_lru);
        device_written_early = k.swap.device.count(1) != 0;
        swap_bio_completion(k, checker::current_thread(), P);
      },
      {"page_counts_consistent"});
  CHECK(explore_once(p).verdict == checker::Verdict::Pass);
  const Kernel& k = *p.kernel;
  CHECK_FALSE(freed);
  CHECK(in_flight_after_putback);
  CHECK_FALSE(device_written_early);
  CHECK(k.swap.bios.empty());
  CHECK_FALSE(k.pages[P].freed);
  CHECK(pte_at(k, mA, 0x1000) == Pte::swap(1));
  CHECK(pte_at(k, mB, 0x1000) == Pte::swap(1));
  LONGS_EQUAL(2, k.swap.swap_map.at(1));
  LONGS_EQUAL(P, swap_cache_page(k, 1));
  LONGS_EQUAL(7u, k.swap.device.at(1));
  LONGS_EQUAL(1, k.pages[P].refcount);
  LONGS_EQUAL(0, k.pages[P].mapcount);
  CHECK(k.pages[P].test(PG_lru));
  CHECK(k.pages[P].test(PG_swapcache));
  CHECK_FALSE(k.pages[P].test(PG_writeback));
  CHECK_FALSE(k.pages[P].test(PG_dirty));
  CHECK_FALSE(k.pages[P].PageLocked());
}

// The bio completes on a thread of its own ("R.bio"), whenever the device is done:
// before R's second PageWriteback look, R goes on as after a synchronous write and
// frees P (trylock_page, __remove_mapping: refcount 2 = isolation + swap cache);
// after it, R keeps P under writeback. So R alone with "async" both frees and keeps P
// over the search, and with "sync" only frees it. Both searches are exhaustive and
// clean, and the DPOR search agrees with plain DFS.
TEST(Swapout39, TheAsyncBioCompletesBeforeOrAfterTheSecondLook) {
  for (bool async : {true, false}) {
    nlohmann::json j = reclaim_scenario(fork_pair());
    if (async) j["threads"][0]["args"]["writeback"] = "async";
    j["invariants"] = {"page_counts_consistent"};
    j["expect"] = {{"result", "pass"}, {"exhaustive", true}};
    const auto paths = model_test::explore_clean_with_paths(j);
    CHECK(paths->count(0, Outcome::Ok) > 0);
    CHECK_EQUAL(async, paths->count(0, Outcome::Kept) > 0);
  }
  model_test::check_clean_and_dfs_agrees("scenarios/ksm/swapout-async-vs-migration-fixed.json");
}

// A migration of P beside the asynchronous write meets P under writeback: with
// one pass, some order puts P back on the LRU before M isolates it and M's
// __unmap_and_move finds PG_writeback set (not forced: -EAGAIN). With the
// synchronous write it never can: R holds its isolation reference until the
// write is done, so M either isolates P first or finds it off the LRU (-EBUSY)
// or after the write. Every run stays clean either way.
TEST(Swapout39, MigrationMeetsThePageUnderWritebackOnlyWithTheAsyncWrite) {
  for (bool async : {true, false}) {
    nlohmann::json j = reclaim_scenario(fork_pair());
    j["initial"]["numa_nodes"] = 2;
    j["initial"]["pages"][1]["nid"] = 1;
    if (async) j["threads"][0]["args"]["writeback"] = "async";
    j["threads"].push_back({{"name", "M"}, {"actor", "migrate_pages"}, {"args", {{"page", "P"}, {"to_node", 1}}}});
    j["invariants"] = {"page_counts_consistent", "no_migration_entry_at_unlock"};
    j["expect"] = {{"result", "pass"}, {"exhaustive", true}};
    const auto paths = model_test::explore_clean_with_paths(j);
    CHECK_EQUAL(async, paths->count(1, Outcome::Eagain) > 0);
    CHECK(paths->count(1, Outcome::Ok) > 0);
  }
}

// Bad input: "writeback" takes "sync" or "async", named at its JSON pointer; a
// declared thread may not take a name ending in ".bio" (the bio threads' names).
TEST(Swapout39, WritebackArgumentIsChecked) {
  auto f = reclaim_scenario(fork_pair());
  f["threads"][0]["args"]["writeback"] = "later";
  std::string message;
  STRCMP_EQUAL("/threads/0/args/writeback", load_error_pointer(f, &message).c_str());
  CHECK(contains(message, "expected \"sync\" or \"async\""));
  f["threads"][0]["args"]["writeback"] = 1;
  STRCMP_EQUAL("/threads/0/args/writeback", load_error_pointer(f).c_str());
  auto g = reclaim_scenario(fork_pair());
  g["threads"][0]["name"] = "R.bio";
  STRCMP_EQUAL("/threads/0/name", load_error_pointer(g, &message).c_str());
  CHECK(contains(message, "bio completion thread"));
}

// 4.19: reclaim's try_to_unmap locks the anon_vma with page_lock_anon_vma_read (rwc.anon_lock):
// page_mapped read under rcu, the root's rwsem, page_mapped again. A munmap of the page's only
// mapper can zap the pte (and unlink_anon_vmas free the anon_vma) after shrink_page_list saw
// the page mapped: before the first read (nothing to walk), or between it and the lock (the
// recheck). Both windows are reached, and every interleaving is clean: the freed anon_vma is
// never walked (a walk through it would be a KASAN report).
TEST_GROUP(Swapout419){};

TEST(Swapout419, PageLockAnonVmaReadSeesAMunmapInEitherWindow) {
  auto initial = nlohmann::json::parse(R"({
    "pages": [ { "name": "P", "flags": ["Anon", "Uptodate", "LRU", "Dirty"], "mapcount": 1, "refcount": 1, "content": 7 } ],
    "mms": [ { "name": "A", "vmas": [ { "start": "0x1000", "end": "0x2000", "flags": ["VM_READ", "VM_WRITE"], "anon_vma": "AV" } ] } ],
    "ptes": [ { "mm": "A", "address": "0x1000", "pte": "present", "page": "P" } ]
  })");
  nlohmann::json j = scenario_json("4.19", initial, nlohmann::json::parse(R"([
    { "name": "R", "actor": "reclaim", "args": { "page": "P" } },
    { "name": "U", "actor": "munmap", "args": { "mm": "A", "address": "0x1000" } }
  ])"));
  j["invariants"] = {"page_counts_consistent"};
  check_json_clean_and_dfs_agrees(j);
  model::Scenario s = model::Scenario::parse(j, "t.json");
  auto program = s.make_program();
  for (const char* note : {"page_mapped(P) = 0: no anon_vma, nothing to walk",
                           "P unmapped before the anon_vma lock was taken: nothing to walk", "anon_vma AV freed"}) {
    checker::Options o = s.options();
    o.reach = checker::ReachTarget{"", note, true};
    const checker::Report r = checker::explore(*program, o);
    CHECK_TEXT(r.verdict == checker::Verdict::Violation && r.counterexample &&
                   r.counterexample->violation.kind == checker::FailureKind::Reached,
               note);
  }
}
