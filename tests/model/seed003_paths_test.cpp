// seed003_paths_test.cpp: single-threaded unit tests of the paths added for
// seed 003 (cbf86cfe04a6): the part toggles, __ksm_enter and dup_mmap,
// ksm_might_need_to_copy and do_swap_page, reclaim of a swap-cache page, the
// pre-003 erase root and merge_across_nodes_store. Each expected value is
// derived by hand from the kernel code (see the comment on each test), on the
// small state of seed003_kernel() below.
#include <string>

#include "model_fixture.h"
#include <model/fork.h>
#include <model/ksm.h>
#include <model/ksmd.h>
#include <model/memory.h>
#include <model/mmap.h>
#include <model/scenario.h>
#include <model/swap_state.h>
#include <model/swapin.h>

#include <CppUTest/TestHarness.h>

using namespace model;
using namespace model_test;

namespace {

// Two nodes, merge_across_nodes=1. KSM page K (node 1) of stable node S
// (tree 0) is only in the swap cache (slot 5), A holds swap(5) at 0x1000 with
// rmap_item RA. Q is an anon swap-cache page (slot 3) of A at 0x2000 that is
// !PageUptodate (a failed read); B holds swap(3) at 0x1000. C is an empty
// child shaped like A. Free pages C1, C2 on node 0.
nlohmann::json seed003_initial() {
  return nlohmann::json::parse(R"({
    "numa_nodes": 2,
    "pages": [
      { "name": "K", "nid": 1, "flags": ["Anon", "Ksm", "Uptodate", "SwapCache", "LRU"], "swap_entry": 5 },
      { "name": "Q", "nid": 0, "flags": ["Anon", "SwapCache", "LRU"], "swap_entry": 3 },
      { "name": "C1", "nid": 0, "free": true },
      { "name": "C2", "nid": 0, "free": true }
    ],
    "mms": [
      { "name": "A", "vmas": [ { "start": "0x1000", "end": "0x3000",
          "flags": ["VM_READ", "VM_WRITE", "VM_MERGEABLE"], "anon_vma": "avA" } ] },
      { "name": "B", "vmas": [ { "start": "0x1000", "end": "0x2000",
          "flags": ["VM_READ", "VM_WRITE", "VM_MERGEABLE"], "anon_vma": "avB" } ] },
      { "name": "C", "vmas": [ { "start": "0x1000", "end": "0x3000", "anon_vma": "avC" } ] }
    ],
    "ptes": [
      { "mm": "A", "address": "0x1000", "pte": "swap", "entry": 5 },
      { "mm": "A", "address": "0x2000", "pte": "present", "page": "Q" },
      { "mm": "B", "address": "0x1000", "pte": "swap", "entry": 3 },
      { "mm": "C", "address": "0x1000", "pte": "none" },
      { "mm": "C", "address": "0x2000", "pte": "none" }
    ],
    "stable_nodes": [ { "name": "S", "page": "K" } ],
    "rmap_items": [ { "name": "RA", "mm": "A", "address": "0x1000", "stable_node": "S" } ],
    "ksm": { "run": 1, "mm_slots": ["A", "B"] }
  })");
}

constexpr PageId pK = 0, pQ = 1, pC1 = 2;
constexpr std::uint32_t mA = 0, mB = 1, mC = 2, vA = 0, vB = 1, vC = 2, avA = 0, avC = 2, nodeS = 0, itemRA = 0;

Kernel seed003_kernel(std::vector<Fix> reverted = {}) {
  KernelConfig config;
  config.era = Era::V3_9;
  config.reverted = std::move(reverted);
  return parse_initial_state(seed003_initial(), "seed003", "/initial", config);
}

const Pte& pte_at(const Kernel& k, std::uint32_t mm, std::uint64_t addr) { return k.mms.at(mm).ptes.at(addr).pte; }

std::string slot_order(const Kernel& k) {
  std::string s;
  for (const MmSlot& slot : k.ksm.mm_slots) s += k.mms[slot.mm].name;
  return s;
}

}  // namespace

TEST_GROUP(Seed003Config){};

// Reverting the commit takes out all four parts; reverting one part leaves the others.
TEST(Seed003Config, PartsFollowTheirCommit) {
  KernelConfig whole;
  whole.reverted = {Fix::RemoveOldStableNodes};
  CHECK_FALSE(whole.applied(Fix::StaleNodesSweep));
  CHECK_FALSE(whole.applied(Fix::ForkTailInsert));
  CHECK_FALSE(whole.applied(Fix::SwapinCopyKsm));
  CHECK_FALSE(whole.applied(Fix::SwapinUptodateCheck));
  CHECK_TRUE(whole.applied(Fix::FollMigration));
  KernelConfig part3;
  part3.reverted = {Fix::SwapinCopyKsm};
  CHECK_TRUE(part3.applied(Fix::StaleNodesSweep));
  CHECK_TRUE(part3.applied(Fix::ForkTailInsert));
  CHECK_FALSE(part3.applied(Fix::SwapinCopyKsm));
  CHECK_TRUE(part3.applied(Fix::SwapinUptodateCheck));
  CHECK_TRUE(part3.applied(Fix::RemoveOldStableNodes));
  CHECK(find_fix("cbf86cfe04a6/2")->fix == Fix::ForkTailInsert);
  POINTERS_EQUAL(nullptr, find_fix("cbf86cfe04a6/5"));
}

TEST_GROUP(Seed003Fork){};

// __ksm_enter while run=2's cursor is at A (index 0): v3.8 inserts just behind
// the cursor, so C comes first and the cursor (still A) moves to index 1.
TEST(Seed003Fork, KsmEnterBehindTheCursorWithoutTheFix) {
  OneThread p(seed003_kernel({Fix::ForkTailInsert}), [](Kernel& k) {
    k.ksm.ksm_run = KSM_RUN_UNMERGE;
    k.ksm.scan_cursor = 0;
    ksm_enter(k, mC);
  });
  CHECK(explore_once(p).verdict == checker::Verdict::Pass);
  STRCMP_EQUAL("CAB", slot_order(*p.kernel).c_str());
  UNSIGNED_LONGS_EQUAL(1, p.kernel->ksm.scan_cursor);
  CHECK_TRUE(p.kernel->mms[mC].mmf_vm_mergeable);
}

// With part 2, KSM_RUN_UNMERGE puts C at the tail, ahead of the unmerge cursor.
TEST(Seed003Fork, KsmEnterAtTheTailWhileUnmerging) {
  OneThread p(seed003_kernel(), [](Kernel& k) {
    k.ksm.ksm_run = KSM_RUN_UNMERGE;
    k.ksm.scan_cursor = 0;
    ksm_enter(k, mC);
  });
  CHECK(explore_once(p).verdict == checker::Verdict::Pass);
  STRCMP_EQUAL("ABC", slot_order(*p.kernel).c_str());
  UNSIGNED_LONGS_EQUAL(0, p.kernel->ksm.scan_cursor);
}

// With part 2 but ksm_run = MERGE the old placement stays: behind the cursor.
TEST(Seed003Fork, KsmEnterBehindTheCursorWhenMerging) {
  OneThread p(seed003_kernel(), [](Kernel& k) {
    k.ksm.scan_cursor = 1;
    ksm_enter(k, mC);
  });
  CHECK(explore_once(p).verdict == checker::Verdict::Pass);
  STRCMP_EQUAL("ACB", slot_order(*p.kernel).c_str());
  UNSIGNED_LONGS_EQUAL(2, p.kernel->ksm.scan_cursor);
}

// dup_mmap(C, A): C gets an mm_slot (cursor at the head: appended, cursor
// stays the head = 3), swap(5) is duplicated (count 1 -> 2), Q is shared
// read-only (mapcount 1 -> 2, refcount 2 -> 3), C's anon_vma joins A's root.
TEST(Seed003Fork, DupMmapCopiesPtesAndRegistersTheChild) {
  OneThread p(seed003_kernel(), [](Kernel& k) { dup_mmap(k, mC, mA); });
  CHECK(explore_once(p).verdict == checker::Verdict::Pass);
  const Kernel& k = *p.kernel;
  STRCMP_EQUAL("ABC", slot_order(k).c_str());
  UNSIGNED_LONGS_EQUAL(3, k.ksm.scan_cursor);
  CHECK(pte_at(k, mC, 0x1000) == Pte::swap(5));
  LONGS_EQUAL(2, k.swap.swap_map.at(5));
  CHECK(maps(pte_at(k, mC, 0x2000), pQ, false));
  LONGS_EQUAL(2, k.pages[pQ].mapcount);
  LONGS_EQUAL(3, k.pages[pQ].refcount);
  UNSIGNED_LONGS_EQUAL(avA, k.anon_vmas[avC].root);
  UNSIGNED_LONGS_EQUAL(k.vmas[vA].flags, k.vmas[vC].flags);
  CHECK(k.mms[mA].mmap_sem->writer() == checker::kNoThread);
  CHECK(k.mms[mC].mmap_sem->writer() == checker::kNoThread);
}

TEST_GROUP(Seed003Swapin){};

// v3.9: a KSM page with a stable node and ksm_run = MERGE is mapped as is.
TEST(Seed003Swapin, KsmPageNotCopiedWhileMerging) {
  PageId got = kNoPage;
  OneThread p(seed003_kernel(), [&](Kernel& k) {
    k.pages[pK].lock->lock();
    got = ksm_might_need_to_copy(k, pK, vA, 0x1000);
  });
  CHECK(explore_once(p).verdict == checker::Verdict::Pass);
  UNSIGNED_LONGS_EQUAL(pK, got);
  UNSIGNED_LONGS_EQUAL(2, p.kernel->free_pool.size());
}

// v3.9 while KSM_RUN_UNMERGE: copied to the first free page of node 0 (C1),
// which is Uptodate, locked and holds K's data.
TEST(Seed003Swapin, KsmPageCopiedWhileUnmerging) {
  PageId got = kNoPage;
  OneThread p(seed003_kernel(), [&](Kernel& k) {
    k.ksm.ksm_run = KSM_RUN_UNMERGE;
    k.pages[pK].lock->lock();
    got = ksm_might_need_to_copy(k, pK, vA, 0x1000);
  });
  CHECK(explore_once(p).verdict == checker::Verdict::Pass);
  UNSIGNED_LONGS_EQUAL(pC1, got);
  const Page& c = p.kernel->pages[pC1];
  CHECK_TRUE(c.test(PG_uptodate));
  CHECK_TRUE(c.PageLocked());
  UNSIGNED_LONGS_EQUAL(p.kernel->pages[pK].content, c.content);
  CHECK_FALSE(c.garbage);
}

// Part 3 reverted (v3.8 predicate): page_anon_vma(K) is NULL, so no copy even while unmerging.
TEST(Seed003Swapin, KsmPageNeverCopiedByTheV38Predicate) {
  PageId got = kNoPage;
  OneThread p(seed003_kernel({Fix::SwapinCopyKsm}), [&](Kernel& k) {
    k.ksm.ksm_run = KSM_RUN_UNMERGE;
    k.pages[pK].lock->lock();
    got = ksm_might_need_to_copy(k, pK, vA, 0x1000);
  });
  CHECK(explore_once(p).verdict == checker::Verdict::Pass);
  UNSIGNED_LONGS_EQUAL(pK, got);
}

// Q is anon in avA (root avA); B's vma has root avB: a copy is wanted. With
// part 4 the !Uptodate Q is returned uncopied; without it, C1 is a copy
// marked Uptodate whose data is garbage.
TEST(Seed003Swapin, NotUptodatePageCopiedOnlyWithoutPart4) {
  PageId fixed = kNoPage, reverted = kNoPage;
  OneThread pf(seed003_kernel(), [&](Kernel& k) {
    k.pages[pQ].lock->lock();
    fixed = ksm_might_need_to_copy(k, pQ, vB, 0x1000);
  });
  CHECK(explore_once(pf).verdict == checker::Verdict::Pass);
  UNSIGNED_LONGS_EQUAL(pQ, fixed);
  OneThread pr(seed003_kernel({Fix::SwapinUptodateCheck}), [&](Kernel& k) {
    k.pages[pQ].lock->lock();
    reverted = ksm_might_need_to_copy(k, pQ, vB, 0x1000);
  });
  CHECK(explore_once(pr).verdict == checker::Verdict::Pass);
  UNSIGNED_LONGS_EQUAL(pC1, reverted);
  CHECK_TRUE(pr.kernel->pages[pC1].test(PG_uptodate));
  CHECK_TRUE(pr.kernel->pages[pC1].garbage);
}

// do_swap_page on swap(3) with !Uptodate Q: VM_FAULT_SIGBUS (2), nothing
// mapped, swap count and Q's counts as before, Q unlocked.
TEST(Seed003Swapin, NotUptodateEndsInSigbus) {
  unsigned ret = 0;
  OneThread p(seed003_kernel(), [&](Kernel& k) { ret = swapin_fault(k, mB, 0x1000, false); });
  CHECK(explore_once(p).verdict == checker::Verdict::Pass);
  UNSIGNED_LONGS_EQUAL(VM_FAULT_SIGBUS, ret);
  const Kernel& k = *p.kernel;
  CHECK(pte_at(k, mB, 0x1000) == Pte::swap(3));
  LONGS_EQUAL(1, k.swap.swap_map.at(3));
  LONGS_EQUAL(2, k.pages[pQ].refcount);
  LONGS_EQUAL(1, k.pages[pQ].mapcount);
  CHECK_FALSE(k.pages[pQ].PageLocked());
  UNSIGNED_LONGS_EQUAL(2, k.free_pool.size());
}

// The swap-in fault of an mm whose vma a munmap removed first: __do_page_fault finds no vma
// (bad_area: SIGSEGV, reported as VM_FAULT_SIGBUS) and touches nothing; before 2026-11-26 the
// model indexed the missing vma (a model error found by sweeping actors over the scenarios).
TEST(Seed003Swapin, NoVmaIsSigsegv) {
  unsigned ret = 0;
  std::size_t free_before = 0;
  OneThread p(seed003_kernel(), [&](Kernel& k) {
    vm_munmap(k, mB, 0x1000);
    free_before = k.free_pool.size();
    ret = swapin_fault(k, mB, 0x1000, false);
  });
  CHECK(explore_once(p).verdict == checker::Verdict::Pass);
  UNSIGNED_LONGS_EQUAL(VM_FAULT_BAD_AREA_GHOST, ret);  // bad_area: SIGSEGV, not a VM_FAULT error
  CHECK(p.kernel->find_vma(mB, 0x1000) < 0);
  UNSIGNED_LONGS_EQUAL(free_before, p.kernel->free_pool.size());
}

// Part 4 reverted: the garbage copy is mapped; the step check I-003e fails at set_pte.
TEST(Seed003Swapin, NotUptodateCopyMappedFailsTheStepCheck) {
  OneThread p(seed003_kernel({Fix::SwapinUptodateCheck}), [](Kernel& k) { swapin_fault(k, mB, 0x1000, false); },
              {"never_map_not_uptodate"});
  checker::Report r = explore_once(p);
  CHECK(r.verdict == checker::Verdict::Violation);
  CHECK(r.counterexample->violation.message.rfind("never map a !Uptodate page: do_swap_page maps C1 at B:0x1000", 0) == 0);
}

// Read fault on swap(5) while merging: K itself is mapped read-only (mapcount
// 0 -> 1, refcount: swap cache 1 + mapping 1 = 2), swap count 1 -> 0, K stays cached.
TEST(Seed003Swapin, KsmPageMappedBackWhileMerging) {
  unsigned ret = 1;
  OneThread p(seed003_kernel(), [&](Kernel& k) { ret = swapin_fault(k, mA, 0x1000, false); });
  CHECK(explore_once(p).verdict == checker::Verdict::Pass);
  UNSIGNED_LONGS_EQUAL(0, ret);
  const Kernel& k = *p.kernel;
  CHECK(maps(pte_at(k, mA, 0x1000), pK, false));
  LONGS_EQUAL(1, k.pages[pK].mapcount);
  LONGS_EQUAL(2, k.pages[pK].refcount);
  LONGS_EQUAL(0, k.swap.swap_map.at(5));
  CHECK_TRUE(k.pages[pK].test(PG_swapcache));
  CHECK_FALSE(k.pages[pK].PageLocked());
}

// The same fault while unmerging maps the copy C1 (new anon rmap: mapping
// avA, index 1, mapcount 1, refcount 1); K keeps only its swap-cache reference.
TEST(Seed003Swapin, CopyMappedWhileUnmerging) {
  OneThread p(seed003_kernel(), [](Kernel& k) {
    k.ksm.ksm_run = KSM_RUN_UNMERGE;
    swapin_fault(k, mA, 0x1000, false);
  });
  CHECK(explore_once(p).verdict == checker::Verdict::Pass);
  const Kernel& k = *p.kernel;
  CHECK(maps(pte_at(k, mA, 0x1000), pC1, false));
  const Page& c = k.pages[pC1];
  LONGS_EQUAL(1, c.mapcount);
  LONGS_EQUAL(1, c.refcount);
  CHECK(c.mapping == (Mapping{Mapping::Kind::Anon, avA}));
  UNSIGNED_LONGS_EQUAL(1, c.index);
  CHECK_FALSE(c.PageLocked());
  LONGS_EQUAL(0, k.pages[pK].mapcount);
  LONGS_EQUAL(1, k.pages[pK].refcount);
  CHECK_FALSE(k.pages[pK].PageLocked());
  LONGS_EQUAL(0, k.swap.swap_map.at(5));
}

TEST_GROUP(Seed003Reclaim){};

// K: unmapped, only the swap cache's reference: freed (mapping reset, not in
// the swap cache). Q: mapped by A (read-only, clean) and in the swap cache (slot
// 3, B's swap(3) holds count 1): swapped out (v3.9 shrink_page_list: no
// add_to_swap, try_to_unmap turns A:0x2000 into swap(3), swap_duplicate 1 -> 2,
// mapcount 1 -> 0, refcount 3 -> 2 with the isolation's reference; not dirty:
// no pageout; __remove_mapping freezes the isolation's and the swap cache's 2 and
// frees Q). Before the swap-out the model kept a mapped page.
TEST(Seed003Reclaim, FreesAnUnmappedSwapCachePageAndSwapsOutAMappedOne) {
  bool freedK = false, freedQ = false;
  OneThread p(seed003_kernel(), [&](Kernel& k) {
    freedK = reclaim_swapcache_page(k, pK);
    freedQ = reclaim_swapcache_page(k, pQ);
  });
  CHECK(explore_once(p).verdict == checker::Verdict::Pass);
  const Kernel& k = *p.kernel;
  CHECK_TRUE(freedK);
  CHECK_TRUE(k.pages[pK].freed);
  CHECK(k.pages[pK].mapping == Mapping{});
  CHECK_FALSE(k.pages[pK].test(PG_swapcache));
  CHECK_TRUE(freedQ);
  CHECK_TRUE(k.pages[pQ].freed);
  CHECK(pte_at(k, mA, 0x2000) == Pte::swap(3));
  LONGS_EQUAL(2, k.swap.swap_map.at(3));
  LONGS_EQUAL(0, k.pages[pQ].refcount);
  CHECK(k.swap.cache.empty());
  CHECK_FALSE(k.pages[pQ].PageLocked());
}

TEST_GROUP(Seed003StableTree){};

// get_kpfn_nid: 0 while merging across nodes, else the page's node (K: 1).
TEST(Seed003StableTree, KpfnNidFollowsTheKnob) {
  Kernel k = seed003_kernel();
  LONGS_EQUAL(0, get_kpfn_nid(k, pK));
  k.ksm.merge_across_nodes = false;
  LONGS_EQUAL(1, get_kpfn_nid(k, pK));
}

// Pre-003 (part 1 reverted): after the knob went to 0, the erase root is
// get_kpfn_nid(K) = 1 while S is linked in tree 0: the I-003b assertion.
TEST(Seed003StableTree, Pre003EraseUsesTheCurrentKnob) {
  OneThread p(seed003_kernel({Fix::StaleNodesSweep}), [](Kernel& k) {
    k.ksm.merge_across_nodes = false;
    remove_node_from_stable_tree(k, nodeS);
  });
  checker::Report r = explore_once(p);
  CHECK(r.verdict == checker::Verdict::Violation);
  STRCMP_EQUAL("rb_erase of S from root_stable_tree[1] but it is linked in root_stable_tree[0]",
               r.counterexample->violation.message.c_str());
}

// v3.9 erases by the recorded nid (0): tree 0 empties, RA loses its link,
// pages_shared 1 -> 0, S freed.
TEST(Seed003StableTree, V39EraseUsesTheRecordedNid) {
  OneThread p(seed003_kernel(), [](Kernel& k) {
    k.ksm.merge_across_nodes = false;
    remove_node_from_stable_tree(k, nodeS);
  });
  CHECK(explore_once(p).verdict == checker::Verdict::Pass);
  const Kernel& k = *p.kernel;
  CHECK_TRUE(k.ksm.root_stable_tree[0].empty());
  CHECK_TRUE(k.stable_nodes[nodeS].freed);
  CHECK_FALSE(k.rmap_items[itemRA].stable);
  LONGS_EQUAL(0, k.ksm.pages_shared);
}

// merge_across_nodes_store(0) while pages_shared is 1: -EBUSY, knob unchanged.
TEST(Seed003StableTree, KnobRefusedWhilePagesShared) {
  long ret = 0;
  OneThread p(seed003_kernel(), [&](Kernel& k) { ret = merge_across_nodes_store(k, 0); });
  CHECK(explore_once(p).verdict == checker::Verdict::Pass);
  LONGS_EQUAL(-kEBUSY, ret);
  CHECK_TRUE(p.kernel->ksm.merge_across_nodes);
}

// RA removed first (pages_shared 1 -> 0, S stays in tree 0 with K unmapped).
// With part 1 the store's remove_all_stable_nodes removes S (K keeps PageKsm
// without a node) and the knob flips: 0. Without it the knob flips over S
// and the step check I-003a fails.
TEST(Seed003StableTree, KnobFlipSweepsTheOldTree) {
  long ret = 1;
  OneThread pf(seed003_kernel(), [&](Kernel& k) {
    remove_rmap_item_from_tree(k, itemRA);
    ret = merge_across_nodes_store(k, 0);
  }, {"stable_trees_empty_at_flip"});
  CHECK(explore_once(pf).verdict == checker::Verdict::Pass);
  LONGS_EQUAL(0, ret);
  CHECK_FALSE(pf.kernel->ksm.merge_across_nodes);
  CHECK_TRUE(pf.kernel->ksm.root_stable_tree[0].empty());
  CHECK(pf.kernel->pages[pK].mapping == (Mapping{Mapping::Kind::Ksm, Mapping::kNone}));
  OneThread pr(seed003_kernel({Fix::StaleNodesSweep}), [](Kernel& k) {
    remove_rmap_item_from_tree(k, itemRA);
    merge_across_nodes_store(k, 0);
  }, {"stable_trees_empty_at_flip"});
  checker::Report r = explore_once(pr);
  CHECK(r.verdict == checker::Verdict::Violation);
  STRCMP_EQUAL("stable_trees_empty_at_flip: merge_across_nodes switched to 0 with stable node S still in "
               "root_stable_tree[0]",
               r.counterexample->violation.message.c_str());
}

// The pending read of Q as a value choice: with part 4 both outcomes are
// clean (ok: C1 mapped; error: SIGBUS), two executions; without it the
// error outcome maps the garbage copy and the search stops there.
TEST(Seed003Swapin, SwapReadOutcomeIsAValueChoice) {
  OneThread pf(seed003_kernel(), [](Kernel& k) { swapin_fault(k, mB, 0x1000, false, true); },
               {"never_map_not_uptodate"});
  checker::Report rf = explore_once(pf);
  CHECK(rf.verdict == checker::Verdict::Pass);
  LONGS_EQUAL(2, rf.stats.executions);
  OneThread pr(seed003_kernel({Fix::SwapinUptodateCheck}),
               [](Kernel& k) { swapin_fault(k, mB, 0x1000, false, true); }, {"never_map_not_uptodate"});
  checker::Report rr = explore_once(pr);
  CHECK(rr.verdict == checker::Verdict::Violation);
}

TEST_GROUP(Seed003Input){};

namespace {

// A scenario around seed003_initial() with the given threads; returns the
// InputError's JSON pointer and message ("" if it loads).
std::string load_error(const nlohmann::json& threads, std::string* message = nullptr) {
  nlohmann::json j = {{"name", "t"}, {"summary", "s"}, {"kernel", "3.9"}, {"initial", seed003_initial()},
                      {"threads", threads}, {"expect", {{"result", "pass"}}}};
  try {
    Scenario::parse(j, "t.json");
  } catch (const InputError& e) {
    if (message) *message = e.what();
    return e.pointer();
  }
  return "";
}

}  // namespace

// The seed-003 actors accept the state above and name the bad argument otherwise.
TEST(Seed003Input, ActorArgumentsAreChecked) {
  using nlohmann::json;
  STRCMP_EQUAL("", load_error(json::parse(R"([{"actor": "fork", "args": {"mm": "A", "child": "C"}},
      {"actor": "swapin_fault", "args": {"mm": "B", "address": "0x1000", "swap_read": "choose"}},
      {"actor": "reclaim", "args": {"page": "K"}}, {"actor": "ksmd", "args": {"pages": 2}},
      {"actor": "admin", "args": {"steps": [{"run": 2}, {"merge_across_nodes": 0}, {"reclaim": "Q"}]}}])")).c_str());
  std::string msg;
  // B's vma is [0x1000, 0x2000), C's [0x1000, 0x3000): C cannot be B's child.
  STRCMP_EQUAL("/threads/0/args/child",
               load_error(json::parse(R"([{"actor": "fork", "args": {"mm": "B", "child": "C"}}])"), &msg).c_str());
  STRCMP_EQUAL("t.json: at /threads/0/args/child: vma 0 of the child differs in range", msg.c_str());
  STRCMP_EQUAL("/threads/0/args/swap_read",
               load_error(json::parse(R"([{"actor": "swapin_fault", "args": {"mm": "B", "address": "0x1000",
                   "swap_read": "fail"}}])")).c_str());
  STRCMP_EQUAL("/threads/0/args/address",
               load_error(json::parse(R"([{"actor": "swapin_fault", "args": {"mm": "B", "address": "0x5000"}}])")).c_str());
  // C1 is free at load: a page a thread may allocate during the run loads (watched_page_test.cpp).
  STRCMP_EQUAL("", load_error(json::parse(R"([{"actor": "reclaim", "args": {"page": "C1"}}])")).c_str());
  STRCMP_EQUAL("/threads/0/args/steps/1",
               load_error(json::parse(R"([{"actor": "admin", "args": {"steps": [{"run": 2}, {"pages_to_scan": 5}]}}])")).c_str());
  STRCMP_EQUAL("/threads/0/args/steps/0/run",
               load_error(json::parse(R"([{"actor": "admin", "args": {"steps": [{"run": 3}]}}])")).c_str());
}

// stable_tree_search(Q): tree 0 (merging across nodes) holds S; K is live
// but holds other data (content tokens differ): K's reference is dropped
// again (refcount 1) and nothing is found. Once reclaim has freed K, the
// same search finds S stale and removes it: tree 0 empty, RA unlinked.
TEST(Seed003StableTree, SearchSkipsOtherContentAndPrunesStaleNodes) {
  PageId live = pK, stale = pK;
  OneThread p(seed003_kernel(), [&](Kernel& k) {
    live = stable_tree_search(k, pQ);
    // K's count must be back at the swap cache's 1, or reclaim would keep K.
    reclaim_swapcache_page(k, pK);
    stale = stable_tree_search(k, pQ);
  });
  CHECK(explore_once(p).verdict == checker::Verdict::Pass);
  UNSIGNED_LONGS_EQUAL(kNoPage, live);
  UNSIGNED_LONGS_EQUAL(kNoPage, stale);
  const Kernel& k = *p.kernel;
  CHECK_TRUE(k.pages[pK].freed);
  CHECK_TRUE(k.ksm.root_stable_tree[0].empty());
  CHECK_TRUE(k.stable_nodes[nodeS].freed);
  CHECK_FALSE(k.rmap_items[itemRA].stable);
  LONGS_EQUAL(0, k.ksm.pages_shared);
}

// swapin_fault's after_unmerge_store waits until a run_store has written KSM_RUN_UNMERGE, not
// until ksm_run holds it now: a later store of 0 by another writer cannot leave the fault
// waiting forever (a model deadlock before 2026-11-26). swapin-after-unmerge-fixed with an
// admin writing run=0 beside it: no deadlock in any interleaving.
TEST(Seed003Swapin, AfterUnmergeStoreSurvivesALaterStore) {
  const checker::Report r = model_test::run_with_extra_thread(
      "scenarios/ksm/swapin-after-unmerge-fixed.json",
      {{"name", "Z"}, {"actor", "admin"}, {"args", {{"steps", nlohmann::json::array({{{"run", 0}}})}}}});
  CHECK(r.verdict == checker::Verdict::Pass);
  CHECK(r.stats.complete);
}
