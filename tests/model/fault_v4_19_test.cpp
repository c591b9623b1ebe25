// fault_v4_19_test.cpp: kernel 4.19's everyday fault paths, one thread at a time
// (model/src/memory_v4_19.cpp: do_anonymous_page, do_wp_page with wp_page_reuse and
// wp_page_copy, do_swap_page's swap-in), reached through the handle_mm_fault actor's
// user access, and the bad input of the scenarios that name them.
//
// Expected states come from reading mm/memory.c, mm/swapfile.c and mm/ksm.c v4.19:
// * do_anonymous_page (write): mk_pte, then pte_mkwrite(pte_mkdirty()) for a VM_WRITE
//   vma, so the pte is present, writable, dirty and young; page_add_new_anon_rmap gives
//   mapcount 1 and the vma's anon_vma with index = address >> PAGE_SHIFT (vm_pgoff is
//   the vma start's index); the allocation's reference is the mapping's: refcount 1.
//   (read): the zero page, read-only, clean, young, no mapcount, no reference.
// * do_wp_page: a non-KSM anon page whose mapcount + swap count is 1 is reused:
//   wp_page_reuse sets maybe_mkwrite(pte_mkdirty(pte_mkyoung(orig_pte))) on the same page,
//   nothing allocated; a KSM page, or a page mapped twice, is copied by wp_page_copy: the
//   new page is mapped maybe_mkwrite(pte_mkdirty(mk_pte())), and the old page loses one
//   mapcount (page_remove_rmap) and one reference (the pte's; do_wp_page's get_page is
//   put at the end).
// * do_swap_page (read): the swap cache's page mapped mk_pte (read-only, clean), one
//   mapcount (do_page_add_anon_rmap: the vma's anon_vma), one reference (lookup_swap_cache's,
//   kept by the pte), swap_free drops the slot's count; the page stays in the swap cache
//   (vm_swap_full() false). (write, swap count 1, mapcount 0): reuse_swap_page's count is 1,
//   so the page leaves the swap cache (delete_from_swap_cache: its reference goes) and is
//   mapped writable and dirty. No cached page: read_swap_cache_async reads the slot into a
//   free page that stays in the swap cache.
// Pages get pfns from 0x1000 up in listing order and data tokens from their position + 1.
#include <functional>
#include <string>

#include <nlohmann/json.hpp>

#include <model/initial_state.h>
#include <model/lint.h>
#include <model/memory.h>
#include <model/migrate_v4_19.h>
#include <model/scenario.h>
#include <model/swap_state.h>

#include "model_fixture.h"

#include <CppUTest/TestHarness.h>

namespace {

using model::Pte;
using model_test::OneThread;

/// A 4.19 machine: mms A and B, each one vma [0x1000, 0x4000) on the shared anon_vma
/// "av" (a fork child's vma chained on its parent's), whose ptes the tests declare.
/// Pages: P (anon), Q (anon), K (KSM, stable node S), SC (swap cache slot 3, unmapped),
/// C1, C2 free on node 0. PageIds: P=0, Q=1, K=2, SC=3, C1=4, C2=5. P, Q and K are
/// declared only when a pte maps them; else they are free pages of node 1, which the
/// node-0 allocations of the faults never take.
nlohmann::json initial(const nlohmann::json& ptes) {
  nlohmann::json j = nlohmann::json::parse(R"({
    "numa_nodes": 2,
    "pages": [
      { "name": "P", "flags": ["Anon", "Uptodate", "LRU"] },
      { "name": "Q", "flags": ["Anon", "Uptodate", "LRU"] },
      { "name": "K", "flags": ["Anon", "Ksm", "Uptodate", "LRU"] },
      { "name": "SC", "flags": ["Uptodate", "LRU", "SwapCache"], "swap_entry": 3 },
      { "name": "C1", "free": true },
      { "name": "C2", "free": true }
    ],
    "mms": [
      { "name": "A", "vmas": [ { "start": "0x1000", "end": "0x4000", "flags": ["VM_READ", "VM_WRITE"], "anon_vma": "av" } ] },
      { "name": "B", "vmas": [ { "start": "0x1000", "end": "0x4000", "flags": ["VM_READ", "VM_WRITE"], "anon_vma": "av" } ] }
    ],
    "stable_nodes": [ { "name": "S", "page": "K" } ]
  })");
  for (int i = 0; i < 3; ++i) {
    const std::string name = j["pages"][i]["name"];
    bool mapped = false;
    for (const auto& pte : ptes) mapped |= pte.value("page", "") == name;
    if (mapped) continue;
    j["pages"][i] = nlohmann::json{{"name", name}, {"nid", 1}, {"free", true}};
    if (name == "K") j.erase("stable_nodes");
  }
  j["ptes"] = ptes;
  return j;
}

/// Free pages left on node 0 (the faults' allocations come from there).
std::size_t free_on_node0(const model::Kernel& k) {
  std::size_t n = 0;
  for (model::PageId p : k.free_pool) n += k.pages[p].nid == 0;
  return n;
}

constexpr model::PageId P = 0, Q = 1, K = 2, SC = 3, C1 = 4, C2 = 5;
constexpr std::uint32_t A = 0, B = 1, av = 0;

model::Kernel kernel(const nlohmann::json& ptes, bool zero_page = false) {
  model::KernelConfig config;
  config.era = model::Era::V4_19;
  model::Kernel k = model::parse_initial_state(initial(ptes), "t", "/initial", config);
  if (zero_page) model::add_zero_page(k);
  return k;
}

/// The v4.19 actor's access: returns the last fault's VM_FAULT_* bits through `ret`.
std::function<void(model::Kernel&)> access(std::uint32_t mm, std::uint64_t addr, bool write, unsigned* ret) {
  return [=](model::Kernel& k) { *ret = model::v4_19::user_access(k, mm, addr, write); };
}

const std::vector<std::string> kCounts = {"page_counts_consistent"};

bool pte_is(const Pte& pte, model::PageId page, bool writable, bool dirty, bool young) {
  return pte == Pte::present(page, writable, dirty, young);
}

}  // namespace

TEST_GROUP(DoAnonymousPage419){};

TEST(DoAnonymousPage419, WriteOnNonePteMapsAFreshPageWritableAndDirty) {
  unsigned ret = 99;
  OneThread p(kernel(nlohmann::json::parse(R"([{ "mm": "A", "address": "0x2000", "pte": "none" }])")),
              access(A, 0x2000, true, &ret), kCounts);
  CHECK(model_test::explore_once(p).verdict == checker::Verdict::Pass);
  const model::Kernel& k = *p.kernel;
  CHECK(pte_is(k.mms[A].ptes.at(0x2000).pte, C1, true, true, true));  // the first free page of node 0
  LONGS_EQUAL(1, k.pages[C1].mapcount);
  LONGS_EQUAL(1, k.pages[C1].refcount);
  CHECK(k.pages[C1].mapping == (model::Mapping{model::Mapping::Kind::Anon, av}));
  LONGS_EQUAL(2, k.pages[C1].index);    // 0x2000 >> PAGE_SHIFT
  LONGS_EQUAL(0, k.pages[C1].content);  // alloc_zeroed_user_highpage_movable
  CHECK(k.pages[C1].test(model::PG_uptodate));
  LONGS_EQUAL(1, free_on_node0(k));  // C2 left
  LONGS_EQUAL(0, ret);
}

TEST(DoAnonymousPage419, ReadOnNonePteMapsTheZeroPage) {
  unsigned ret = 99;
  OneThread p(kernel(nlohmann::json::parse(R"([{ "mm": "A", "address": "0x2000", "pte": "none" }])"), true),
              access(A, 0x2000, false, &ret), kCounts);
  CHECK(model_test::explore_once(p).verdict == checker::Verdict::Pass);
  const model::Kernel& k = *p.kernel;
  CHECK(pte_is(k.mms[A].ptes.at(0x2000).pte, k.zero_page, false, false, true));
  LONGS_EQUAL(0, k.pages[k.zero_page].mapcount);
  LONGS_EQUAL(1, k.pages[k.zero_page].refcount);
  LONGS_EQUAL(2, free_on_node0(k));  // nothing allocated
}

TEST(DoAnonymousPage419, WriteOnTheZeroPageCopiesAZeroedPage) {
  unsigned ret = 99;
  OneThread p(kernel(nlohmann::json::parse(R"([{ "mm": "A", "address": "0x2000", "pte": "zero" }])")),
              access(A, 0x2000, true, &ret), kCounts);
  CHECK(model_test::explore_once(p).verdict == checker::Verdict::Pass);
  const model::Kernel& k = *p.kernel;
  CHECK(pte_is(k.mms[A].ptes.at(0x2000).pte, C1, true, true, true));
  LONGS_EQUAL(1, k.pages[C1].mapcount);
  LONGS_EQUAL(0, k.pages[C1].content);
  LONGS_EQUAL(1, k.pages[k.zero_page].refcount);
  LONGS_EQUAL(model::VM_FAULT_WRITE, ret);
}

TEST_GROUP(DoWpPage419){};

TEST(DoWpPage419, WriteOnAPageMappedOnceReusesIt) {
  unsigned ret = 99;
  OneThread p(kernel(nlohmann::json::parse(R"([
                { "mm": "A", "address": "0x1000", "pte": "present", "page": "P", "writable": false, "young": false }])")),
              access(A, 0x1000, true, &ret), kCounts);
  CHECK(model_test::explore_once(p).verdict == checker::Verdict::Pass);
  const model::Kernel& k = *p.kernel;
  CHECK(pte_is(k.mms[A].ptes.at(0x1000).pte, P, true, true, true));  // wp_page_reuse: young, dirty, writable
  LONGS_EQUAL(1, k.pages[P].mapcount);
  LONGS_EQUAL(1, k.pages[P].refcount);
  CHECK(!k.pages[P].PageLocked());
  LONGS_EQUAL(2, free_on_node0(k));
  LONGS_EQUAL(model::VM_FAULT_WRITE, ret);
}

TEST(DoWpPage419, WriteOnAPageMappedTwiceCopiesThenTheOtherReuses) {
  unsigned ra = 99, rb = 99;
  OneThread p(kernel(nlohmann::json::parse(R"([
                { "mm": "A", "address": "0x1000", "pte": "present", "page": "Q" },
                { "mm": "B", "address": "0x1000", "pte": "present", "page": "Q" }])")),
              [&](model::Kernel& k) {
                access(A, 0x1000, true, &ra)(k);
                // A's copy is done: Q is B's alone.
                if (k.pages[Q].mapcount != 1 || k.pages[Q].refcount != 1) checker::fail(checker::FailureKind::Assertion, "Q");
                access(B, 0x1000, true, &rb)(k);
              },
              kCounts);
  CHECK(model_test::explore_once(p).verdict == checker::Verdict::Pass);
  const model::Kernel& k = *p.kernel;
  CHECK(pte_is(k.mms[A].ptes.at(0x1000).pte, C1, true, true, true));
  LONGS_EQUAL(1, k.pages[C1].mapcount);
  LONGS_EQUAL(1, k.pages[C1].refcount);
  LONGS_EQUAL(2, k.pages[C1].content);  // Q's token (position 1 + 1)
  CHECK(pte_is(k.mms[B].ptes.at(0x1000).pte, Q, true, true, true));
  LONGS_EQUAL(1, k.pages[Q].mapcount);
  LONGS_EQUAL(1, k.pages[Q].refcount);
  LONGS_EQUAL(1, free_on_node0(k));
  LONGS_EQUAL(model::VM_FAULT_WRITE, ra);
  LONGS_EQUAL(model::VM_FAULT_WRITE, rb);
}

TEST(DoWpPage419, WriteOnAKsmPageCopiesIt) {
  unsigned ret = 99;
  OneThread p(kernel(nlohmann::json::parse(R"([
                { "mm": "A", "address": "0x3000", "pte": "present", "page": "K" },
                { "mm": "B", "address": "0x3000", "pte": "present", "page": "K" }])")),
              access(A, 0x3000, true, &ret), kCounts);
  CHECK(model_test::explore_once(p).verdict == checker::Verdict::Pass);
  const model::Kernel& k = *p.kernel;
  CHECK(pte_is(k.mms[A].ptes.at(0x3000).pte, C1, true, true, true));
  LONGS_EQUAL(3, k.pages[C1].content);  // K's token
  CHECK(!k.pages[C1].PageKsm());
  LONGS_EQUAL(1, k.pages[K].mapcount);
  LONGS_EQUAL(1, k.pages[K].refcount);
  CHECK(k.pages[K].PageKsm());
  LONGS_EQUAL(model::VM_FAULT_WRITE, ret);
}

TEST(DoWpPage419, CopyWithNoFreePageIsOom) {
  unsigned ret = 99;
  model::Kernel k0 = kernel(nlohmann::json::parse(R"([
                { "mm": "A", "address": "0x1000", "pte": "present", "page": "Q" },
                { "mm": "B", "address": "0x1000", "pte": "present", "page": "Q" }])"));
  std::erase_if(k0.free_pool, [&k0](model::PageId p) { return k0.pages[p].nid == 0; });
  OneThread p(k0, access(A, 0x1000, true, &ret), {});
  CHECK(model_test::explore_once(p).verdict == checker::Verdict::Pass);
  const model::Kernel& k = *p.kernel;
  CHECK(pte_is(k.mms[A].ptes.at(0x1000).pte, Q, false, false, true));  // unchanged
  LONGS_EQUAL(2, k.pages[Q].refcount);  // do_wp_page's get_page put back
  LONGS_EQUAL(model::VM_FAULT_OOM, ret);
}

// reuse_swap_page's page_mapcount is a step (a Read of P._mapcount): A's write fault on P, which
// A and C map read-only, against C's munmap of its mapping. Every other pair of steps commutes
// (different mms' locks and ptes; the reference and mapcount updates are commuting updates), so
// by hand there are exactly two Mazurkiewicz traces: the fault reads mapcount 2 before the zap's
// decrement (it copies P) or 1 after it (it reuses P). With the read folded into the trylock's
// step, DPOR ran one execution and never saw the reuse. The same in 3.9 (`fault`).
TEST(DoWpPage419, TheReuseDecisionRacesAZapOfTheOtherMapping) {
  for (const char* era : {"4.19", "3.9"}) {
    nlohmann::json j = nlohmann::json::parse(R"({
      "name": "t/reuse", "summary": "s",
      "initial": {
        "pages": [ { "name": "P", "nid": 0, "flags": ["Anon", "Uptodate", "LRU"], "mapcount": 2, "refcount": 2 },
                   { "name": "C1", "nid": 0, "free": true } ],
        "mms": [ { "name": "A", "vmas": [ { "start": "0x1000", "end": "0x2000", "flags": ["VM_READ", "VM_WRITE"], "anon_vma": "av" } ] },
                 { "name": "C", "vmas": [ { "start": "0x1000", "end": "0x2000", "flags": ["VM_READ", "VM_WRITE"], "anon_vma": "av" } ] } ],
        "ptes": [ { "mm": "A", "address": "0x1000", "pte": "present", "page": "P" },
                  { "mm": "C", "address": "0x1000", "pte": "present", "page": "P" } ] },
      "threads": [ { "name": "W", "actor": "handle_mm_fault", "args": { "mm": "A", "address": "0x1000", "write": true } },
                   { "name": "U", "actor": "munmap", "args": { "mm": "C", "address": "0x1000" } } ],
      "invariants": ["page_counts_consistent"], "expect": { "result": "pass" } })");
    j["kernel"] = era;
    if (std::string(era) == "3.9") j["threads"][0]["actor"] = "fault";
    model::Scenario s = model::Scenario::parse(j, "t.json");
    auto program = s.make_program();
    const checker::Report r = checker::explore(*program, s.options());
    CHECK_TEXT(r.verdict == checker::Verdict::Pass, era);
    CHECK_TEXT(r.stats.complete, era);
    LONGS_EQUAL_TEXT(2, r.stats.executions, era);
  }
}

TEST_GROUP(DoSwapPage419){};

TEST(DoSwapPage419, ReadMapsTheSwapCachePageAndDropsOneSwapCount) {
  unsigned ret = 99;
  OneThread p(kernel(nlohmann::json::parse(R"([
                { "mm": "A", "address": "0x1000", "pte": "swap", "entry": 3 },
                { "mm": "B", "address": "0x1000", "pte": "swap", "entry": 3 }])")),
              access(A, 0x1000, false, &ret), kCounts);
  CHECK(model_test::explore_once(p).verdict == checker::Verdict::Pass);
  const model::Kernel& k = *p.kernel;
  CHECK(pte_is(k.mms[A].ptes.at(0x1000).pte, SC, false, false, true));
  LONGS_EQUAL(1, k.pages[SC].mapcount);
  LONGS_EQUAL(2, k.pages[SC].refcount);  // the swap cache's and the pte's
  CHECK(k.pages[SC].test(model::PG_swapcache));
  CHECK(k.pages[SC].mapping == (model::Mapping{model::Mapping::Kind::Anon, av}));
  LONGS_EQUAL(1, k.swap.swap_map.at(3));  // B's
  CHECK(model::swap_cache_page(k, 3) == SC);
  CHECK(!k.pages[SC].PageLocked());
  LONGS_EQUAL(0, ret);  // found in the swap cache: no VM_FAULT_MAJOR
}

TEST(DoSwapPage419, WriteWithAnotherSwapPteMapsThenCopies) {
  // reuse_swap_page: mapcount 0 + swap count 2 > 1, so SC is mapped read-only, swap_free,
  // then do_wp_page under the same ptl: mapcount 1 + swap count 1 > 1, so wp_page_copy.
  unsigned ret = 99;
  OneThread p(kernel(nlohmann::json::parse(R"([
                { "mm": "A", "address": "0x1000", "pte": "swap", "entry": 3 },
                { "mm": "B", "address": "0x1000", "pte": "swap", "entry": 3 }])")),
              access(A, 0x1000, true, &ret), kCounts);
  CHECK(model_test::explore_once(p).verdict == checker::Verdict::Pass);
  const model::Kernel& k = *p.kernel;
  CHECK(pte_is(k.mms[A].ptes.at(0x1000).pte, C1, true, true, true));
  LONGS_EQUAL(4, k.pages[C1].content);  // SC's token
  LONGS_EQUAL(0, k.pages[SC].mapcount);
  LONGS_EQUAL(1, k.pages[SC].refcount);  // the swap cache's
  LONGS_EQUAL(1, k.swap.swap_map.at(3));
  LONGS_EQUAL(model::VM_FAULT_WRITE, ret);
}

TEST(DoSwapPage419, WriteOnTheLastSwapPteReusesThePage) {
  unsigned ret = 99;
  OneThread p(kernel(nlohmann::json::parse(R"([{ "mm": "A", "address": "0x1000", "pte": "swap", "entry": 3 }])")),
              access(A, 0x1000, true, &ret), kCounts);
  CHECK(model_test::explore_once(p).verdict == checker::Verdict::Pass);
  const model::Kernel& k = *p.kernel;
  CHECK(pte_is(k.mms[A].ptes.at(0x1000).pte, SC, true, true, true));
  LONGS_EQUAL(1, k.pages[SC].mapcount);
  LONGS_EQUAL(1, k.pages[SC].refcount);
  CHECK(!k.pages[SC].test(model::PG_swapcache));
  CHECK(k.pages[SC].test(model::PG_dirty));
  CHECK(model::swap_cache_page(k, 3) == model::kNoPage);
  LONGS_EQUAL(0, k.swap.swap_map.at(3));
  LONGS_EQUAL(2, free_on_node0(k));
  LONGS_EQUAL(model::VM_FAULT_WRITE, ret);
}

TEST(DoSwapPage419, ReadOfAnUncachedSlotReadsItIntoAFreePage) {
  unsigned ret = 99;
  OneThread p(kernel(nlohmann::json::parse(R"([{ "mm": "A", "address": "0x1000", "pte": "swap", "entry": 9 }])")),
              access(A, 0x1000, false, &ret), kCounts);
  CHECK(model_test::explore_once(p).verdict == checker::Verdict::Pass);
  const model::Kernel& k = *p.kernel;
  CHECK(pte_is(k.mms[A].ptes.at(0x1000).pte, C1, false, false, true));
  LONGS_EQUAL(0x10000 + 9, k.pages[C1].content);  // the slot's data on the device
  CHECK(model::swap_cache_page(k, 9) == C1);
  LONGS_EQUAL(1, k.pages[C1].mapcount);
  LONGS_EQUAL(2, k.pages[C1].refcount);
  LONGS_EQUAL(0, k.swap.swap_map.at(9));
  LONGS_EQUAL(model::VM_FAULT_MAJOR, ret);
}

TEST(DoSwapPage419, ReadFromAnotherAnonVmaGetsKsmsCopy) {
  // ksm_might_need_to_copy (v4.19): SC's anon_vma is av2's, not A's av: a copy is mapped
  // (page_add_new_anon_rmap) and SC stays in the swap cache, unmapped.
  unsigned ret = 99;
  nlohmann::json j = initial(nlohmann::json::parse(R"([
                { "mm": "A", "address": "0x1000", "pte": "swap", "entry": 3 },
                { "mm": "B", "address": "0x1000", "pte": "present", "page": "SC" }])"));
  j["mms"][1]["vmas"][0]["anon_vma"] = "av2";
  j["pages"][3]["flags"] = nlohmann::json::array({"Anon", "Uptodate", "LRU", "SwapCache"});
  model::KernelConfig config;
  config.era = model::Era::V4_19;
  OneThread p(model::parse_initial_state(j, "t", "/initial", config), access(A, 0x1000, false, &ret), kCounts);
  CHECK(model_test::explore_once(p).verdict == checker::Verdict::Pass);
  const model::Kernel& k = *p.kernel;
  CHECK(pte_is(k.mms[A].ptes.at(0x1000).pte, C1, false, false, true));
  LONGS_EQUAL(4, k.pages[C1].content);
  LONGS_EQUAL(1, k.pages[C1].mapcount);
  LONGS_EQUAL(1, k.pages[C1].refcount);
  CHECK(!k.pages[C1].test(model::PG_swapcache));
  LONGS_EQUAL(1, k.pages[SC].mapcount);  // B's
  LONGS_EQUAL(2, k.pages[SC].refcount);
  LONGS_EQUAL(0, k.swap.swap_map.at(3));
  CHECK(!k.pages[C1].PageLocked());
  CHECK(!k.pages[SC].PageLocked());
}

// mm/swap_state.c v4.19 __read_swap_cache_async: "Just skip read ahead for unused swap
// slot": find_get_page misses and __swp_swapcount(entry) is 0 (slot 9: no swap pte holds it,
// no swap-cache page), so it returns NULL before alloc_page_vma: C1 and C2 stay in the free
// pool. (v3.9 allocates C1 first and puts it after swapcache_prepare's -ENOENT; the
// do_swap_page caller then backs out on pte_same, so a fault sees that slot only after
// another thread took its pte: WA's reuse and swap_free between RA's orig_pte and its read.)
TEST(DoSwapPage419, ReadOfAnUnusedSlotAllocatesNothing) {
  model::PageId got = 0;
  OneThread p(kernel(nlohmann::json::parse(R"([{ "mm": "A", "address": "0x1000", "pte": "none" }])")),
              [&](model::Kernel& k) { got = model::read_swap_cache_async(k, 9); }, kCounts);
  CHECK(model_test::explore_once(p).verdict == checker::Verdict::Pass);
  const model::Kernel& k = *p.kernel;
  CHECK(got == model::kNoPage);
  LONGS_EQUAL(2, free_on_node0(k));
  CHECK(!k.pages[C1].freed);
  CHECK(model::swap_cache_page(k, 9) == model::kNoPage);
}

// ksm_might_need_to_copy (v4.19, cbf86cfe04a6 in): a swap-cache KSM page with its stable node
// is mapped itself, unless ksm_run has KSM_RUN_UNMERGE: then the fault maps a copy.
TEST(DoSwapPage419, KsmPageIsMappedItselfUnlessUnmerging) {
  for (unsigned run : {1u, 2u}) {
    unsigned ret = 99;
    nlohmann::json j = initial(nlohmann::json::parse(R"([
                  { "mm": "A", "address": "0x3000", "pte": "swap", "entry": 5 },
                  { "mm": "B", "address": "0x3000", "pte": "present", "page": "K" }])"));
    j["pages"][2]["flags"] = nlohmann::json::array({"Anon", "Ksm", "Uptodate", "LRU", "SwapCache"});
    j["pages"][2]["swap_entry"] = 5;
    j["ksm"] = {{"run", run}};
    model::KernelConfig config;
    config.era = model::Era::V4_19;
    OneThread p(model::parse_initial_state(j, "t", "/initial", config), access(A, 0x3000, false, &ret), kCounts);
    CHECK(model_test::explore_once(p).verdict == checker::Verdict::Pass);
    const model::Kernel& k = *p.kernel;
    const model::PageId mapped = run == 1 ? K : C1;
    CHECK(pte_is(k.mms[A].ptes.at(0x3000).pte, mapped, false, false, true));
    LONGS_EQUAL(run == 1 ? 2 : 1, k.pages[K].mapcount);  // B's, and A's when not copied
    LONGS_EQUAL(run == 1 ? 3 : 2, k.pages[K].refcount);  // + the swap cache's
    LONGS_EQUAL(0, k.swap.swap_map.at(5));
    if (run == 2) {
      LONGS_EQUAL(3, k.pages[C1].content);  // K's token
      CHECK(!k.pages[C1].PageKsm());
      LONGS_EQUAL(1, k.pages[C1].mapcount);
    }
  }
}

TEST_GROUP(Fault419Input){};

namespace {

std::string error_of(const nlohmann::json& ptes, const nlohmann::json& threads,
                     const std::function<void(nlohmann::json&)>& edit = {}) {
  return model_test::scenario_load_error("4.19", initial(ptes), threads, edit);
}

const nlohmann::json kWriteA2000 =
    nlohmann::json::parse(R"([{ "actor": "handle_mm_fault", "args": { "mm": "A", "address": "0x2000", "write": true } }])");

}  // namespace

TEST(Fault419Input, TheThreeNewPathsLoad) {
  STRCMP_EQUAL("<none>", error_of(nlohmann::json::parse(R"([{ "mm": "A", "address": "0x2000", "pte": "none" }])"),
                                  kWriteA2000).c_str());
  STRCMP_EQUAL("<none>", error_of(nlohmann::json::parse(R"([{ "mm": "A", "address": "0x2000", "pte": "zero" }])"),
                                  kWriteA2000).c_str());
  STRCMP_EQUAL("<none>", error_of(nlohmann::json::parse(R"([{ "mm": "A", "address": "0x2000", "pte": "swap", "entry": 3 }])"),
                                  kWriteA2000).c_str());
}

TEST(Fault419Input, WriteFaultInAVmaWithoutVmWrite) {
  std::string e = error_of(nlohmann::json::parse(R"([{ "mm": "A", "address": "0x2000", "pte": "none" }])"), kWriteA2000,
                           [](nlohmann::json& j) { j["initial"]["mms"][0]["vmas"][0]["flags"] = {"VM_READ"}; });
  STRCMP_CONTAINS("t.json: at /threads/0/args/address: unsupported: a write fault at A:0x2000 in a vma without VM_WRITE", e.c_str());
}

TEST(Fault419Input, WriteFaultOnANonePteNeedsTheAnonVma) {
  std::string e = error_of(nlohmann::json::parse(R"([{ "mm": "A", "address": "0x1000", "pte": "none" }])"), kWriteA2000,
                           [](nlohmann::json& j) { j["initial"]["mms"][0]["vmas"][0].erase("anon_vma"); });
  STRCMP_CONTAINS("t.json: at /threads/0/args/address: unsupported: a write fault at A:0x2000 needs the vma's anon_vma declared", e.c_str());
}

TEST(Fault419Input, FaultUnderANonePmdIsStillRefused) {
  std::string e = error_of(nlohmann::json::parse(R"([])"), kWriteA2000, [](nlohmann::json& j) {
    j["initial"]["pmds"] = nlohmann::json::parse(R"([{ "mm": "A", "address": "0x0", "pmd": "none" }])");
  });
  STRCMP_CONTAINS("at /threads/0/args/address: unsupported: a fault at A:0x2000 finds pmd none: create_huge_pmd (declare the vma "
                  "VM_HUGEPAGE, covering the 2 MiB) and __pte_alloc are not modelled",
                  e.c_str());
}

// A swap-cache page migrates in 4.19 (migrate_page_move_mapping's i_pages branch): it loads.
TEST(Fault419Input, MigrationOfASwapCachePageLoads) {
  std::string e = error_of(nlohmann::json::parse(R"([{ "mm": "A", "address": "0x1000", "pte": "present", "page": "SC" }])"),
                           nlohmann::json::parse(R"([{ "actor": "migrate_pages", "args": { "page": "SC", "to_node": 0 } }])"),
                           [](nlohmann::json& j) {
                             j["initial"]["pages"][3]["flags"] = nlohmann::json::array({"Anon", "Uptodate", "LRU", "SwapCache"});
                           });
  STRCMP_EQUAL("<none>", e.c_str());
}

TEST_GROUP(Lint419Faults){};

namespace {

/// The free-pages findings of a 4.19 scenario over initial(ptes) with `threads`, node 0's
/// free pages removed (P, Q, K of node 1 stay: the faults allocate on node 0).
std::vector<std::string> free_page_findings(const nlohmann::json& ptes, const nlohmann::json& threads,
                                            const std::function<void(nlohmann::json&)>& edit = {}) {
  nlohmann::json j;
  j["name"] = "t/f";
  j["summary"] = "s";
  j["kernel"] = "4.19";
  j["initial"] = initial(ptes);
  auto& pages = j["initial"]["pages"];
  for (auto it = pages.begin(); it != pages.end();)
    it = it->value("free", false) && it->value("nid", 0) == 0 ? pages.erase(it) : it + 1;
  j["threads"] = threads;
  j["expect"] = nlohmann::json::parse(R"({ "result": "pass" })");
  if (edit) edit(j);
  std::vector<std::string> out;
  for (const model::LintFinding& f : model::lint(model::Scenario::parse(j, "t.json")).findings)
    if (f.kind == model::LintFinding::Kind::FreePages) out.push_back(f.pointer + ": " + f.message);
  return out;
}

nlohmann::json faults(std::initializer_list<std::tuple<const char*, const char*, bool>> list) {
  nlohmann::json t = nlohmann::json::array();
  for (const auto& [mm, addr, write] : list)
    t.push_back({{"name", "F" + std::to_string(t.size())},
                 {"actor", "handle_mm_fault"},
                 {"args", {{"mm", mm}, {"address", addr}, {"write", write}}}});
  return t;
}

}  // namespace

// wp_page_copy of a page mapped twice, of a KSM page, do_anonymous_page's page: one each.
TEST(Lint419Faults, CowsAndNewAnonPagesCount) {
  const auto f = free_page_findings(nlohmann::json::parse(R"([
                   { "mm": "A", "address": "0x1000", "pte": "present", "page": "Q" },
                   { "mm": "B", "address": "0x1000", "pte": "present", "page": "Q" },
                   { "mm": "A", "address": "0x3000", "pte": "present", "page": "K" },
                   { "mm": "B", "address": "0x3000", "pte": "present", "page": "K" },
                   { "mm": "A", "address": "0x2000", "pte": "none" }])"),
                                    faults({{"A", "0x1000", true}, {"A", "0x3000", true}, {"A", "0x2000", true}}));
  LONGS_EQUAL(1, f.size());
  CHECK(model_test::contains(f[0], "the threads may allocate 3 there"));
  CHECK(model_test::contains(f[0], "a do_wp_page COW copy at A:0x1000"));
  CHECK(model_test::contains(f[0], "a do_wp_page COW copy at A:0x3000"));
  CHECK(model_test::contains(f[0], "a do_anonymous_page page at A:0x2000"));
}

// hmm_vma_fault writing four pages under one none pmd of a VM_HUGEPAGE vma: the first
// fault's create_huge_pmd maps a THP over all four, so one free THP covers the range;
// none declared: one THP short (of 512 subpages), named at the first address only.
TEST(Lint419Faults, AnHmmRangeUnderOnePmdNeedsOneThp) {
  nlohmann::json j = nlohmann::json::parse(R"({
    "name": "t", "summary": "s", "kernel": "4.19",
    "initial": {
      "numa_nodes": 1,
      "pages": [ { "name": "T2", "nid": 0, "subpages": 4, "free": true } ],
      "mms": [ { "name": "A", "vmas": [ { "start": "0x200000", "end": "0x400000",
                 "flags": ["VM_READ", "VM_WRITE", "VM_HUGEPAGE"], "anon_vma": "av" } ] } ],
      "pmds": [ { "mm": "A", "address": "0x200000", "pmd": "none" } ],
      "hmm_ranges": [ { "name": "R", "mm": "A", "start": "0x200000", "end": "0x204000",
                        "pfns": ["VALID|WRITE", "VALID|WRITE", "VALID|WRITE", "VALID|WRITE"] } ]
    },
    "threads": [ { "name": "G", "actor": "hmm_vma_fault", "args": { "range": "R" } } ],
    "expect": { "result": "pass" }
  })");
  CHECK(model::lint(model::Scenario::parse(j, "t.json")).findings.empty());
  j["initial"]["pages"] = nlohmann::json::array();  // no THP declared: 512 subpages, none free
  const model::LintReport r = model::lint(model::Scenario::parse(j, "t.json"));
  LONGS_EQUAL(1, r.findings.size());
  CHECK_TEXT(model_test::contains(r.findings[0].message, "the threads may allocate 1 there (G needs 1 for a THP for "
                                                         "create_huge_pmd (do_huge_pmd_anonymous_page) at A:0x200000)"),
             r.findings[0].message.c_str());
}

// A reused page (mapped once), a read fault (the zero page) and a read of a present pte allocate nothing.
TEST(Lint419Faults, ReuseAndReadsAllocateNothing) {
  const auto f = free_page_findings(nlohmann::json::parse(R"([
                   { "mm": "A", "address": "0x1000", "pte": "present", "page": "P" },
                   { "mm": "A", "address": "0x2000", "pte": "none" }])"),
                                    faults({{"A", "0x1000", true}, {"A", "0x2000", false}}));
  LONGS_EQUAL(0, f.size());
}

// Swap-in: SC unmapped in the swap cache, held by A (anon_vma av) and B (av2): whichever maps
// it second copies it (ksm_might_need_to_copy); an uncached slot is read into a fresh page.
TEST(Lint419Faults, SwapInCopiesAndReadsCount) {
  const auto f = free_page_findings(nlohmann::json::parse(R"([
                   { "mm": "A", "address": "0x1000", "pte": "swap", "entry": 3 },
                   { "mm": "B", "address": "0x1000", "pte": "swap", "entry": 3 },
                   { "mm": "A", "address": "0x2000", "pte": "swap", "entry": 8 }])"),
                                    faults({{"A", "0x1000", false}, {"B", "0x1000", false}, {"A", "0x2000", false}}),
                                    [](nlohmann::json& j) { j["initial"]["mms"][1]["vmas"][0]["anon_vma"] = "av2"; });
  LONGS_EQUAL(1, f.size());
  CHECK(model_test::contains(f[0], "the threads may allocate 3 there"));
  CHECK(model_test::contains(f[0], "a ksm_might_need_to_copy copy at A:0x1000"));
  CHECK(model_test::contains(f[0], "a ksm_might_need_to_copy copy at B:0x1000"));
  CHECK(model_test::contains(f[0], "a swap read (read_swap_cache_async) into a page at A:0x2000"));
}

// hmm_vma_fault faults each requested entry through the same handle_mm_fault.
TEST(Lint419Faults, HmmFaultOfARangeCounts) {
  const auto f = free_page_findings(nlohmann::json::parse(R"([
                   { "mm": "A", "address": "0x1000", "pte": "present", "page": "Q" },
                   { "mm": "B", "address": "0x1000", "pte": "present", "page": "Q" },
                   { "mm": "A", "address": "0x2000", "pte": "none" },
                   { "mm": "A", "address": "0x3000", "pte": "none" }])"),
                                    nlohmann::json::parse(R"([{ "actor": "hmm_vma_fault", "args": { "range": "R" } }])"),
                                    [](nlohmann::json& j) {
                                      j["initial"]["hmm_ranges"] = nlohmann::json::parse(R"([{ "name": "R", "mm": "A",
                                        "start": "0x1000", "end": "0x4000", "pfns": ["VALID|WRITE", "VALID|WRITE", "VALID"] }])");
                                    });
  LONGS_EQUAL(1, f.size());
  CHECK(model_test::contains(f[0], "the threads may allocate 2 there"));
  CHECK(model_test::contains(f[0], "a do_wp_page COW copy at A:0x1000"));
  CHECK(model_test::contains(f[0], "a do_anonymous_page page at A:0x2000"));
}

TEST_GROUP(HugePmdWp419){};

namespace {

/// A and C map THP T (4 subpages, data 7) read-only by huge pmds at 0x200000 (mapcount 2),
/// as after a fork, in VM_HUGEPAGE vmas unless `plain`; T3, a free THP, on node 0 unless
/// `no_free_thp`.
nlohmann::json shared_thp(bool no_free_thp, bool plain = false) {
  nlohmann::json j = nlohmann::json::parse(R"({
    "pages": [ { "name": "T", "nid": 0, "subpages": 4, "flags": ["Anon", "Uptodate", "LRU"], "mapcount": 2, "refcount": 2, "content": 7 },
               { "name": "T3", "nid": 0, "subpages": 4, "free": true } ],
    "mms": [ { "name": "A", "vmas": [ { "start": "0x200000", "end": "0x400000", "flags": ["VM_READ", "VM_WRITE", "VM_HUGEPAGE"], "anon_vma": "av" } ] },
             { "name": "C", "vmas": [ { "start": "0x200000", "end": "0x400000", "flags": ["VM_READ", "VM_WRITE", "VM_HUGEPAGE"], "anon_vma": "av" } ] } ],
    "pmds": [ { "mm": "A", "address": "0x200000", "pmd": "huge", "page": "T", "writable": false },
              { "mm": "C", "address": "0x200000", "pmd": "huge", "page": "T", "writable": false } ] })");
  if (no_free_thp) j["pages"].erase(1);
  if (plain)
    for (auto& m : j["mms"]) m["vmas"][0]["flags"] = {"VM_READ", "VM_WRITE"};
  return j;
}

}  // namespace

// A write on A's read-only huge pmd of T, mapped twice: do_huge_pmd_wp_page's reuse_swap_page
// sees mapcount 2, so T is copied into T3 (data 7), A's pmd maps T3 writable (mapcount 1,
// refcount 1: the caller's get_page put back under the pmd lock, the pmd's reference kept);
// T keeps C's mapping only (mapcount 1, refcount 1).
TEST(HugePmdWp419, AWriteOnASharedThpCopiesIt) {
  unsigned ret = 99;
  model::KernelConfig config;
  config.era = model::Era::V4_19;
  OneThread p(model::parse_initial_state(shared_thp(false), "t", "/initial", config),
              [&](model::Kernel& k) { ret = model::v4_19::user_access(k, 0, 0x201000, true); }, kCounts);
  CHECK(model_test::explore_once(p).verdict == checker::Verdict::Pass);
  const model::Kernel& k = *p.kernel;
  CHECK(k.mms[0].pmds.at(0x200000).pmd == model::Pmd::huge(1, true, true));  // T3, pmd_mkdirty
  CHECK(k.mms[1].pmds.at(0x200000).pmd == model::Pmd::huge(0, false, false));  // declared read-only: clean
  LONGS_EQUAL(7, k.pages[1].content);
  LONGS_EQUAL(1, k.pages[1].mapcount);
  LONGS_EQUAL(1, k.pages[1].refcount);
  LONGS_EQUAL(1, k.pages[0].mapcount);
  LONGS_EQUAL(1, k.pages[0].refcount);
  LONGS_EQUAL(model::VM_FAULT_WRITE, ret);
}

// The same write with no free THP: do_huge_pmd_wp_page's fallback (small pages or
// split_huge_pmd) is a model limit, so the run ends unsupported, never a violation; and
// `mmcheck check` says so beforehand.
TEST(HugePmdWp419, NoFreeThpIsAModelLimitAndALintNote) {
  nlohmann::json j = model_test::scenario_json(
      "4.19", shared_thp(true),
      nlohmann::json::parse(R"([{ "name": "W", "actor": "handle_mm_fault", "args": { "mm": "A", "address": "0x201000", "write": true } }])"));
  model::Scenario s = model::Scenario::parse(j, "t.json");
  auto program = s.make_program();
  const checker::Report r = checker::explore(*program, s.options());
  CHECK(r.verdict == checker::Verdict::Unsupported);
  CHECK(r.counterexample && r.counterexample->violation.message.find("do_huge_pmd_wp_page_fallback") != std::string::npos);
  const model::LintReport lr = model::lint(s);
  bool noted = false;
  for (const std::string& n : lr.notes)
    noted |= n.find("thread W (handle_mm_fault) accesses A:0x201000 under the huge pmd A:0x200000; huge pmd is read-only and "
                    "its THP mapped 2 times: a write then copies the THP (do_huge_pmd_wp_page) and no free THP of 4 "
                    "subpages is declared on node 0") == 0;
  CHECK(noted);
  j["initial"] = shared_thp(false);
  const model::LintReport clean = model::lint(model::Scenario::parse(j, "t.json"));
  CHECK(clean.notes.empty());
}

// The same write in vmas without VM_HUGEPAGE: __transparent_hugepage_enabled is false under the
// model's THP "enabled" = "madvise", so do_huge_pmd_wp_page goes to do_huge_pmd_wp_page_fallback
// (small pages), a model limit even with a free THP; `mmcheck check` notes it.
TEST(HugePmdWp419, NoVmHugepageIsTheFallbackToo) {
  nlohmann::json j = model_test::scenario_json(
      "4.19", shared_thp(false, true),
      nlohmann::json::parse(R"([{ "name": "W", "actor": "handle_mm_fault", "args": { "mm": "A", "address": "0x201000", "write": true } }])"));
  model::Scenario s = model::Scenario::parse(j, "t.json");
  auto program = s.make_program();
  const checker::Report r = checker::explore(*program, s.options());
  CHECK(r.verdict == checker::Verdict::Unsupported);
  CHECK(r.counterexample && r.counterexample->violation.message.find("do_huge_pmd_wp_page_fallback (a COW of THP T in a "
                                                                     "vma without VM_HUGEPAGE") != std::string::npos);
  bool noted = false;
  for (const std::string& n : model::lint(s).notes)
    noted |= n.find("and in a vma without VM_HUGEPAGE (THP \"enabled\" = \"madvise\") into small pages: "
                    "do_huge_pmd_wp_page_fallback") != std::string::npos;
  CHECK(noted);
}

// The repository's THP COW scenarios: exhaustive and clean under DPOR; the two-thread one
// also under plain DFS within two preemptions.
TEST(HugePmdWp419, Scenarios) {
  model_test::check_clean_and_dfs_agrees("scenarios/thp/thp-cow-fault-vs-thp-migration-4.19-fixed.json");
  model_test::check_clean("scenarios/thp/fork-then-store-thp-cow-vs-migration-4.19-fixed.json");
}

TEST_GROUP(CreateHugePmd419){};

namespace {

/// A's vma [0x200000, 0x400000) (VM_HUGEPAGE unless `plain`) with its pmd none; free THP T1 on node 0.
nlohmann::json none_pmd(bool plain) {
  nlohmann::json j = nlohmann::json::parse(R"({
    "pages": [ { "name": "T1", "nid": 0, "subpages": 4, "free": true } ],
    "mms": [ { "name": "A", "vmas": [ { "start": "0x200000", "end": "0x400000", "flags": ["VM_READ", "VM_WRITE", "VM_HUGEPAGE"], "anon_vma": "av" } ] } ],
    "pmds": [ { "mm": "A", "address": "0x200000", "pmd": "none" } ] })");
  if (plain) j["mms"][0]["vmas"][0]["flags"] = {"VM_READ", "VM_WRITE"};
  return j;
}

nlohmann::json one_fault(bool write) {
  nlohmann::json t = nlohmann::json::parse(R"([{ "name": "W", "actor": "handle_mm_fault", "args": { "mm": "A", "address": "0x201000" } }])");
  t[0]["args"]["write"] = write;
  return t;
}

}  // namespace

// A write fault under the none pmd: create_huge_pmd -> do_huge_pmd_anonymous_page takes T1
// (the only free compound page of node 0), zeroes it (data 0), and maps it writable under
// the pmd lock: mapcount 1 (compound), refcount 1 (the pmd's), PG_uptodate.
TEST(CreateHugePmd419, AWriteFaultMapsAZeroedThp) {
  unsigned ret = 99;
  model::KernelConfig config;
  config.era = model::Era::V4_19;
  OneThread p(model::parse_initial_state(none_pmd(false), "t", "/initial", config),
              [&](model::Kernel& k) { ret = model::v4_19::user_access(k, 0, 0x201000, true); }, kCounts);
  CHECK(model_test::explore_once(p).verdict == checker::Verdict::Pass);
  const model::Kernel& k = *p.kernel;
  CHECK(k.mms[0].pmds.at(0x200000).pmd == model::Pmd::huge(0, true, true));  // maybe_pmd_mkwrite(pmd_mkdirty)
  LONGS_EQUAL(0, k.pages[0].content);
  LONGS_EQUAL(1, k.pages[0].mapcount);
  LONGS_EQUAL(1, k.pages[0].refcount);
  CHECK(k.pages[0].test(model::PG_uptodate));
  LONGS_EQUAL(0u, ret);
}

// Refused at load (unsupported), each naming what is missing: a fault of either kind without
// the vma's anon_vma (anon_vma_prepare); without VM_HUGEPAGE the fault goes to __pte_alloc;
// VM_HUGEPAGE in 3.9. (A read fault maps the huge zero page: huge_zero_test.cpp.)
TEST(CreateHugePmd419, WhatIsNotModelledIsRefusedAtLoad) {
  STRCMP_EQUAL("<none>", model_test::scenario_load_error("4.19", none_pmd(false), one_fault(true)).c_str());
  STRCMP_EQUAL("<none>", model_test::scenario_load_error("4.19", none_pmd(false), one_fault(false)).c_str());
  nlohmann::json no_anon = none_pmd(false);
  no_anon["mms"][0]["vmas"][0].erase("anon_vma");
  STRCMP_CONTAINS("unsupported: a read fault at A:0x201000 needs the vma's anon_vma declared (do_huge_pmd_anonymous_page's "
                  "anon_vma_prepare is not modelled)",
                  model_test::scenario_load_error("4.19", no_anon, one_fault(false)).c_str());
  STRCMP_CONTAINS("unsupported: a fault at A:0x201000 finds pmd none: create_huge_pmd (declare the vma VM_HUGEPAGE",
                  model_test::scenario_load_error("4.19", none_pmd(true), one_fault(true)).c_str());
  nlohmann::json three = nlohmann::json::parse(R"({
    "pages": [ { "name": "P", "free": true } ],
    "mms": [ { "name": "A", "vmas": [ { "start": "0x1000", "end": "0x2000", "flags": ["VM_READ", "VM_HUGEPAGE"] } ] } ] })");
  STRCMP_CONTAINS("at /initial/mms/0/vmas/0/flags: unsupported: VM_HUGEPAGE (a THP fault under a none pmd) is modelled in kernel 4.19 only",
                  model_test::scenario_load_error("3.9", three, nlohmann::json::array()).c_str());
}

// mmcheck check counts a THP per write fault under a none pmd of a VM_HUGEPAGE vma: two faults,
// one free THP of 4 subpages: a free-pages finding; a second free THP clears it.
TEST(CreateHugePmd419, LintCountsTheThps) {
  nlohmann::json two = one_fault(true);
  two.push_back({{"name", "V"}, {"actor", "handle_mm_fault"}, {"args", {{"mm", "A"}, {"address", "0x202000"}, {"write", true}}}});
  const auto f = model_test::free_page_findings("4.19", none_pmd(false), two);
  LONGS_EQUAL(1, f.size());
  STRCMP_CONTAINS("too few free pages of 4 subpages on node 0: the threads may allocate 2 there", f[0].c_str());
  nlohmann::json more = none_pmd(false);
  more["pages"].push_back({{"name", "T2"}, {"nid", 0}, {"subpages", 4}, {"free", true}});
  CHECK(model_test::free_page_findings("4.19", more, two).empty());
}

// The repository's THP fault scenarios: exhaustive and clean; plain DFS within two preemptions agrees.
TEST(CreateHugePmd419, Scenarios) {
  model_test::check_clean_and_dfs_agrees("scenarios/thp/thp-fault-race-4.19-fixed.json");
  model_test::check_clean_and_dfs_agrees("scenarios/thp/dontneed-vs-thp-store-4.19-fixed.json");
}
