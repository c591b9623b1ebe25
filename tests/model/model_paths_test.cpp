// model_paths_test.cpp: single-threaded unit tests of the v3.9 kernel paths
// the model implements. Each test runs one model function in a one-thread
// Program on the seed-000 state (model_fixture.h) and asserts on the Report
// and on the state left behind. Expected values are derived by hand from the
// kernel code the function follows (see the comment on each test).
#include <string>
#include <vector>

#include "model_fixture.h"
#include <model/ksm.h>
#include <model/memory.h>
#include <model/migrate.h>
#include <model/rmap.h>

#include <CppUTest/TestHarness.h>

using namespace model;
using namespace model_test;

namespace {

bool starts_with(const std::string& s, const std::string& prefix) { return s.rfind(prefix, 0) == 0; }

const Pte& pte_at(const Kernel& k, std::uint32_t mm, std::uint64_t addr) {
  return k.mms.at(mm).ptes.at(addr).pte;
}


/// "kind object" of every step of `log` announced with `label`, in order.
std::vector<std::string> steps_labelled(const checker::StepLog& log, const std::string& label) {
  std::vector<std::string> out;
  for (const checker::StepRecord& s : log.steps)
    if (label == s.access.label)
      out.push_back(std::string(checker::to_string(s.access.kind)) + " " +
                    (s.access.object == checker::kNoObject ? std::string("-") : log.object_names.at(s.access.object)));
  return out;
}
}  // namespace

TEST_GROUP(KernelConfig){};

TEST(KernelConfig, FixesBelongToTheirEra) {
  KernelConfig v39;
  v39.era = Era::V3_9;
  CHECK_TRUE(v39.applied(Fix::FollMigration));
  CHECK_TRUE(v39.applied(Fix::RemoveOldStableNodes));
  CHECK_FALSE(v39.applied(Fix::RmapWalkMigrationPtes));  // a 2.6.33 fix: not a toggle of 3.9
  v39.reverted.push_back(Fix::FollMigration);
  CHECK_FALSE(v39.applied(Fix::FollMigration));
  CHECK_TRUE(v39.applied(Fix::RemoveOldStableNodes));
  STRCMP_EQUAL("cbf86cfe04a6", find_fix("cbf86cfe04a6")->id);
  POINTERS_EQUAL(nullptr, find_fix("5117b3b835f"));
}

TEST_GROUP(FollowPage){};

// follow_page(FOLL_GET) on present(K): returns K with one more reference
// (2 mapping references + 1), and drops the ptl it took.
TEST(FollowPage, PresentPteWithFollGetTakesAReference) {
  PageId got = kNoPage;
  OneThread p(seed000_kernel(), [&](Kernel& k) { got = follow_page(k, vmaA, 0x1000, FOLL_GET); });
  checker::Report r = explore_once(p);
  CHECK(r.verdict == checker::Verdict::Pass);
  UNSIGNED_LONGS_EQUAL(K, got);
  LONGS_EQUAL(3, p.kernel->pages[K].refcount);
  CHECK_FALSE(p.kernel->mms[mmA].ptl->is_locked());
}

// A swap entry is "no page" with or without FOLL_MIGRATION (it is not a
// migration entry); no reference is taken anywhere.
TEST(FollowPage, SwapPteIsNoPage) {
  PageId plain = K, migr = K;
  OneThread p(seed000_kernel(), [&](Kernel& k) {
    plain = follow_page(k, vmaA, 0x2000, FOLL_GET);
    migr = follow_page(k, vmaA, 0x2000, FOLL_GET | FOLL_MIGRATION);
  });
  CHECK(explore_once(p).verdict == checker::Verdict::Pass);
  UNSIGNED_LONGS_EQUAL(kNoPage, plain);
  UNSIGNED_LONGS_EQUAL(kNoPage, migr);
  LONGS_EQUAL(2, p.kernel->pages[K].refcount);
}

// Without FOLL_MIGRATION (the pre-5117b3b835f2 code) a migration entry is
// "no page": the lookup returns NULL at once.
TEST(FollowPage, MigrationEntryWithoutFollMigrationIsNoPage) {
  PageId got = K;
  OneThread p(seed000_kernel(), [&](Kernel& k) {
    k.pte_slot(mmA, 0x1000)->pte = Pte::migration(K, false);
    got = follow_page(k, vmaA, 0x1000, FOLL_GET);
  });
  CHECK(explore_once(p).verdict == checker::Verdict::Pass);
  UNSIGNED_LONGS_EQUAL(kNoPage, got);
  LONGS_EQUAL(2, p.kernel->pages[K].refcount);
}

// With FOLL_MIGRATION the entry goes to migration_entry_wait, whose
// migration_entry_to_page() BUGs when the page is not locked (G2).
TEST(FollowPage, MigrationEntryOfAnUnlockedPageIsABug) {
  OneThread p(seed000_kernel(), [&](Kernel& k) {
    k.pte_slot(mmA, 0x1000)->pte = Pte::migration(K, false);
    follow_page(k, vmaA, 0x1000, FOLL_GET | FOLL_MIGRATION);
  });
  checker::Report r = explore_once(p);
  CHECK(r.verdict == checker::Verdict::Violation);
  CHECK(r.counterexample->violation.kind == checker::FailureKind::BugOn);
  CHECK(starts_with(r.counterexample->violation.message, "BUG_ON(!PageLocked(p)) in migration_entry_to_page"));
}

// With FOLL_MIGRATION and the page locked, follow_page sleeps in
// wait_on_page_locked: here the only thread holds the lock itself, so the
// execution deadlocks with it waiting on K.lock.
TEST(FollowPage, MigrationEntryOfALockedPageWaits) {
  OneThread p(seed000_kernel(), [&](Kernel& k) {
    k.pages[K].lock->lock();
    k.pte_slot(mmA, 0x1000)->pte = Pte::migration(K, false);
    follow_page(k, vmaA, 0x1000, FOLL_GET | FOLL_MIGRATION);
  });
  checker::Report r = explore_once(p);
  CHECK(r.verdict == checker::Verdict::Deadlock);
  CHECK(r.counterexample->violation.message.find("K.lock") != std::string::npos);
}

TEST_GROUP(Fault){};

// A write fault on present(K,ro) with K KSM copies: do_wp_page takes C1 (the
// first node-0 pool page), installs present(C1,rw), moves one mapping from K
// to C1: K mapcount 2->1, refcount 2->1; C1 mapcount 1, refcount 1, anon in avA.
TEST(Fault, WriteFaultOnKsmPageCopies) {
  unsigned ret = 0;
  OneThread p(seed000_kernel(), [&](Kernel& k) { ret = handle_mm_fault(k, vmaA, 0x1000, FAULT_FLAG_WRITE); });
  CHECK(explore_once(p).verdict == checker::Verdict::Pass);
  const Kernel& k = *p.kernel;
  UNSIGNED_LONGS_EQUAL(VM_FAULT_WRITE, ret);
  CHECK(maps(pte_at(k, mmA, 0x1000), C1, true));
  CHECK(maps(pte_at(k, mmB, 0x1000), K, false));
  LONGS_EQUAL(1, k.pages[K].mapcount);
  LONGS_EQUAL(1, k.pages[K].refcount);
  LONGS_EQUAL(1, k.pages[C1].mapcount);
  LONGS_EQUAL(1, k.pages[C1].refcount);
  CHECK(k.pages[C1].mapping == (Mapping{Mapping::Kind::Anon, 0}));
  UNSIGNED_LONGS_EQUAL(k.pages[K].content, k.pages[C1].content);
  CHECK_TRUE(k.pages[C1].test(PG_uptodate));
}

// break_ksm = follow_page + the write fault + put_page: same end state as the
// fault, and the lookup's reference is dropped again (K refcount 1).
TEST(Fault, BreakKsmLeavesAPrivateCopy) {
  int ret = -1;
  OneThread p(seed000_kernel(), [&](Kernel& k) { ret = break_ksm(k, vmaA, 0x1000); },
              {"break_ksm_postcondition"});
  CHECK(explore_once(p).verdict == checker::Verdict::Pass);
  LONGS_EQUAL(0, ret);
  CHECK(maps(pte_at(*p.kernel, mmA, 0x1000), C1, true));
  LONGS_EQUAL(1, p.kernel->pages[K].refcount);
}

// A write fault on an anon page mapped once: do_wp_page reuses it (trylock,
// reuse_swap_page: mapcount 1, not in swap cache) and makes the pte writable;
// nothing is allocated (C1 stays in the pool).
TEST(Fault, WriteFaultOnExclusiveAnonPageReuses) {
  model::KernelConfig config;
  Kernel initial = parse_initial_state(nlohmann::json::parse(R"({
    "pages": [ { "name": "P", "flags": ["Anon", "Uptodate", "LRU"] }, { "name": "C1", "free": true } ],
    "mms": [ { "name": "A", "vmas": [ { "start": "0x1000", "end": "0x2000", "flags": ["VM_READ", "VM_WRITE"],
                                        "anon_vma": "avA" } ] } ],
    "ptes": [ { "mm": "A", "address": "0x1000", "pte": "present", "page": "P" } ]
  })"), "reuse", "/initial", config);
  unsigned ret = 0;
  OneThread p(initial, [&](Kernel& k) { ret = handle_mm_fault(k, 0, 0x1000, FAULT_FLAG_WRITE); });
  CHECK(explore_once(p).verdict == checker::Verdict::Pass);
  UNSIGNED_LONGS_EQUAL(VM_FAULT_WRITE, ret);
  CHECK(maps(pte_at(*p.kernel, 0, 0x1000), 0, true));
  LONGS_EQUAL(1, p.kernel->free_pool.size());
  LONGS_EQUAL(1, p.kernel->pages[0].refcount);
  CHECK_FALSE(p.kernel->pages[0].lock->locked());
}

TEST_GROUP(StableNode){};

// get_ksm_page(S, lock_it) on a live node: K, locked by the caller, with a
// reference (2 + 1).
TEST(StableNode, GetKsmPageOnALiveNode) {
  PageId got = kNoPage;
  checker::ThreadId holder = checker::kNoThread;
  int refs = 0;
  OneThread p(seed000_kernel(), [&](Kernel& k) {
    got = get_ksm_page(k, S, true);
    holder = k.pages[K].lock->holder();
    refs = k.pages[K].refcount;
    k.pages[K].lock->unlock();
  });
  CHECK(explore_once(p).verdict == checker::Verdict::Pass);
  UNSIGNED_LONGS_EQUAL(K, got);
  UNSIGNED_LONGS_EQUAL(0, holder);
  LONGS_EQUAL(3, refs);
  CHECK_FALSE(p.kernel->stable_nodes[S].freed);
}

// On a stale node (K's mapping no longer points at S, kpfn unchanged)
// get_ksm_page removes the node: both rmap_items unlinked, pages_sharing
// 1 -> 0 for RA and pages_shared 1 -> 0 for RB, tree 0 empty, node freed.
TEST(StableNode, GetKsmPageOnAStaleNodeRemovesIt) {
  PageId got = K;
  OneThread p(seed000_kernel(), [&](Kernel& k) {
    k.pages[K].mapping = Mapping{};
    got = get_ksm_page(k, S, true);
  });
  CHECK(explore_once(p).verdict == checker::Verdict::Pass);
  const Kernel& k = *p.kernel;
  UNSIGNED_LONGS_EQUAL(kNoPage, got);
  CHECK_TRUE(k.stable_nodes[S].freed);
  CHECK_TRUE(k.ksm.root_stable_tree[0].empty());
  CHECK_FALSE(k.rmap_items[0].stable);
  CHECK_FALSE(k.rmap_items[1].stable);
  LONGS_EQUAL(0, k.ksm.pages_shared);
  LONGS_EQUAL(0, k.ksm.pages_sharing);
  LONGS_EQUAL(2, k.pages[K].refcount);
  CHECK_FALSE(k.pages[K].lock->locked());
}

// remove_stable_node on a node whose page is still mapped: the kernel's WARN.
TEST(StableNode, RemoveStableNodeWarnsOnAMappedPage) {
  OneThread p(seed000_kernel(), [&](Kernel& k) { remove_stable_node(k, S); });
  checker::Report r = explore_once(p);
  CHECK(r.verdict == checker::Verdict::Violation);
  CHECK(r.counterexample->violation.kind == checker::FailureKind::WarnOn);
  CHECK(starts_with(r.counterexample->violation.message, "WARN_ON_ONCE(page_mapped(page)) in remove_stable_node: K"));
}

TEST_GROUP(Migration){};

// try_to_unmap then remove_migration_ptes(K, K) (the failure path): with K
// locked and pinned (refcount 3), both ptes become migration(K,r) (KSM ptes
// are read-only), mapcount 0, refcount 1; then both come back present(K,ro),
// mapcount 2, refcount 3.
TEST(Migration, TryToUnmapKsmAndRestoreRoundTrip) {
  Pte a_mid, b_mid;
  int mid_mapcount = -1, mid_refcount = -1;
  OneThread p(seed000_kernel(), [&](Kernel& k) {
    k.pages[K].lock->lock();
    k.get_page_locked(K);
    try_to_unmap(k, K, TTU_MIGRATION | TTU_IGNORE_MLOCK | TTU_IGNORE_ACCESS);
    a_mid = pte_at(k, mmA, 0x1000);
    b_mid = pte_at(k, mmB, 0x1000);
    mid_mapcount = k.pages[K].mapcount;
    mid_refcount = k.pages[K].refcount;
    remove_migration_ptes(k, K, K);
    k.pages[K].lock->unlock();
  });
  CHECK(explore_once(p).verdict == checker::Verdict::Pass);
  CHECK(a_mid == Pte::migration(K, false));
  CHECK(b_mid == Pte::migration(K, false));
  LONGS_EQUAL(0, mid_mapcount);
  LONGS_EQUAL(1, mid_refcount);
  CHECK(maps(pte_at(*p.kernel, mmA, 0x1000), K, false));
  CHECK(maps(pte_at(*p.kernel, mmB, 0x1000), K, false));
  LONGS_EQUAL(2, p.kernel->pages[K].mapcount);
  LONGS_EQUAL(3, p.kernel->pages[K].refcount);
}

// A whole migration of K to node 1 with nobody else running: N (the node-1
// pool page) takes over S (kpfn), both ptes map N read-only; K is freed
// (isolate +1, unmap -2, putback -1 = 0) and N keeps its two mapping
// references (alloc 1, remap +2, putback -1).
TEST(Migration, MigrateKsmPageMovesTheStableNode) {
  int rc = -1;
  OneThread p(seed000_kernel(), [&](Kernel& k) { rc = migrate_one_page(k, K, 1, 1); },
              {"no_leftover_migration_entry", "page_counts_consistent", "ksm_counters_consistent",
               "no_migration_entry_at_unlock"});
  CHECK(explore_once(p).verdict == checker::Verdict::Pass);
  const Kernel& k = *p.kernel;
  LONGS_EQUAL(0, rc);
  CHECK(maps(pte_at(k, mmA, 0x1000), N, false));
  CHECK(maps(pte_at(k, mmB, 0x1000), N, false));
  UNSIGNED_LONGS_EQUAL(N, k.stable_nodes[S].kpfn);
  CHECK(k.pages[N].mapping == (Mapping{Mapping::Kind::Ksm, S}));
  CHECK_TRUE(k.pages[K].freed);
  LONGS_EQUAL(0, k.pages[K].refcount);
  LONGS_EQUAL(2, k.pages[N].refcount);
  LONGS_EQUAL(2, k.pages[N].mapcount);
  CHECK_FALSE(k.pages[N].lock->locked());
}

// Migration with an extra pin on K fails: K refcount 3 (two mappings and a
// get_user_pages pin, "pins": 1), +1 isolate = 4, -2 unmap = 2 != 1 in migrate_page_move_mapping ->
// -EAGAIN; remove_migration_ptes(K, K) restores both ptes (+2 = 4), the
// target N is freed by its putback, and K is put back (-1 = 3) still KSM.
TEST(Migration, PinnedKsmPageMigrationFailsAndRestores) {
  nlohmann::json j = seed000_initial();
  j["pages"][0]["pins"] = 1;
  j["pages"][0]["refcount"] = 3;
  KernelConfig config;
  Kernel initial = parse_initial_state(j, "pinned", "/initial", config);
  LONGS_EQUAL(1, initial.pages[K].pins);
  int rc = 0;
  OneThread p(initial, [&](Kernel& k) { rc = migrate_one_page(k, K, 1, 1); },
              {"no_leftover_migration_entry", "no_migration_entry_at_unlock", "page_counts_consistent"});
  CHECK(explore_once(p).verdict == checker::Verdict::Pass);
  const Kernel& k = *p.kernel;
  LONGS_EQUAL(-kEAGAIN, rc);
  CHECK(maps(pte_at(k, mmA, 0x1000), K, false));
  CHECK(maps(pte_at(k, mmB, 0x1000), K, false));
  LONGS_EQUAL(3, k.pages[K].refcount);
  LONGS_EQUAL(2, k.pages[K].mapcount);
  CHECK(k.pages[K].mapping == (Mapping{Mapping::Kind::Ksm, S}));
  CHECK_TRUE(k.pages[K].test(PG_lru));
  UNSIGNED_LONGS_EQUAL(K, k.stable_nodes[S].kpfn);
  CHECK_TRUE(k.pages[N].freed);
  CHECK(k.pages[N].mapping == Mapping{});
}

TEST_GROUP(RunStore){};

// madvise(MADV_UNMERGEABLE) on A's first page alone: break_ksm COWs it into
// C1 and the vma loses VM_MERGEABLE; B still shares K (mapcount 1).
TEST(RunStore, MadviseUnmergeableBreaksOneVma) {
  int ret = -1;
  OneThread p(seed000_kernel(), [&](Kernel& k) { ret = madvise_unmergeable(k, mmA, 0x1000, 0x2000); },
              {"ksm_unmergeable_vma_clean", "page_counts_consistent"});
  CHECK(explore_once(p).verdict == checker::Verdict::Pass);
  const Kernel& k = *p.kernel;
  LONGS_EQUAL(0, ret);
  CHECK(maps(pte_at(k, mmA, 0x1000), C1, true));
  CHECK(maps(pte_at(k, mmB, 0x1000), K, false));
  UNSIGNED_LONGS_EQUAL(0, k.vmas[vmaA].flags & VM_MERGEABLE);
  CHECK_TRUE(k.vmas[vmaA].madv_unmerged);
  LONGS_EQUAL(1, k.pages[K].mapcount);
}

// run=2 alone: A is COWed into C1, B into C2; K is freed by B's COW, so S
// goes stale and get_ksm_page removes it while unlinking RB; every
// invariant of the catalogue holds.
TEST(RunStore, UnmergeAloneUnmergesEverything) {
  long ret = -1;
  OneThread p(seed000_kernel(), [&](Kernel& k) { ret = run_store(k, 2); },
              {"ksm_fully_unmerged", "no_leftover_migration_entry", "stable_trees_empty", "page_counts_consistent",
               "ksm_counters_consistent", "break_ksm_postcondition"});
  checker::Report r = explore_once(p);
  CHECK(r.verdict == checker::Verdict::Pass);
  const Kernel& k = *p.kernel;
  LONGS_EQUAL(0, ret);
  CHECK(maps(pte_at(k, mmA, 0x1000), C1, true));
  CHECK(maps(pte_at(k, mmB, 0x1000), C2, true));
  CHECK_TRUE(k.pages[K].freed);
  CHECK_TRUE(k.stable_nodes[S].freed);
  UNSIGNED_LONGS_EQUAL(KSM_RUN_UNMERGE, k.ksm.ksm_run);
  LONGS_EQUAL(0, k.ksm.pages_shared);
  LONGS_EQUAL(0, k.ksm.pages_sharing);
  CHECK_TRUE(k.ksm.mm_slots[0].rmap_list.empty());
  CHECK_TRUE(k.ksm.mm_slots[1].rmap_list.empty());
}

// run_store refuses values above KSM_RUN_UNMERGE before taking any lock.
TEST(RunStore, RejectsValueThree) {
  long ret = 0;
  OneThread p(seed000_kernel(), [&](Kernel& k) { ret = run_store(k, 3); });
  checker::Report r = explore_once(p);
  CHECK(r.verdict == checker::Verdict::Pass);
  LONGS_EQUAL(-kEINVAL, ret);
  UNSIGNED_LONGS_EQUAL(KSM_RUN_MERGE, p.kernel->ksm.ksm_run);
}

TEST_GROUP(RmapWalk){};

// v3.9 anon_vma_lock_read(anon_vma) is down_read(&anon_vma->root->rwsem).
// With B's anon_vma chained under avA (as anon_vma_fork leaves a child's),
// the walk over RB's vma holds avA's rwsem for read and not avB's.
TEST(RmapWalk, WalkReadLocksTheRootAnonVma) {
  Kernel initial = seed000_kernel();
  const std::uint32_t avA = 0, avB = 1;
  initial.anon_vmas[avB].root = avA;
  unsigned root_readers = 0, own_readers = 1;
  OneThread p(initial, [&](Kernel& k) {
    k.pages[K].lock->lock();
    rmap_walk(k, K, [&](PageId, std::uint32_t vma, std::uint64_t) {
      if (vma == vmaB) {
        root_readers = k.anon_vmas[avA].lock->readers();
        own_readers = k.anon_vmas[avB].lock->readers();
      }
      return static_cast<int>(SWAP_AGAIN);
    });
  });
  CHECK(explore_once(p).verdict == checker::Verdict::Pass);
  UNSIGNED_LONGS_EQUAL(1, root_readers);
  UNSIGNED_LONGS_EQUAL(0, own_readers);
  UNSIGNED_LONGS_EQUAL(0, p.kernel->anon_vmas[avA].lock->readers());
}

// v3.9 remove_migration_pte: get_page(new), set_pte_at, page_add_anon_rmap,
// under the ptl: per pte, acquire ptl, update K._count (the reference, a
// commuting increment), write the pte, update K._mapcount (the mapcount), release. The body ends in a deliberate failure so the
// report carries the step log.
TEST(RmapWalk, RemoveMigrationPteTakesTheReferenceBeforeTheMapping) {
  OneThread p(seed000_kernel(), [](Kernel& k) {
    k.pages[K].lock->lock();
    k.get_page_locked(K);
    try_to_unmap(k, K, TTU_MIGRATION | TTU_IGNORE_MLOCK | TTU_IGNORE_ACCESS);
    remove_migration_ptes(k, K, K);
    checker::fail(checker::FailureKind::Assertion, "end of test");
  });
  checker::Report r = explore_once(p);
  CHECK(r.verdict == checker::Verdict::Violation);
  std::string got;
  for (const std::string& s : steps_labelled(r.counterexample->log, "remove_migration_pte")) got += s + "; ";
  STRCMP_EQUAL("acquire A.ptl; update K._count; write A.pte[0x1000]; update K._mapcount; "
               "release A.ptl; acquire B.ptl; update K._count; write B.pte[0x1000]; "
               "update K._mapcount; release B.ptl; ",
               got.c_str());
}

TEST_GROUP(PageCountsConsistent){};

// Every thread has finished, so every page lock taken was released: a page left locked
// (an unlock_page missing on some path) fails page_counts_consistent, naming the page;
// the same body with its unlock passes.
TEST(PageCountsConsistent, APageLeftLockedAtTheEndFails) {
  for (bool unlock : {true, false}) {
    OneThread p(kernel_v39(two_pages(7, 7)), [unlock](Kernel& k) {
      k.pages[0].lock->lock("lock_page");
      if (unlock) k.pages[0].lock->unlock("unlock_page");
    }, {"page_counts_consistent"});
    const checker::Report r = explore_once(p);
    if (unlock) {
      CHECK(r.verdict == checker::Verdict::Pass);
      continue;
    }
    CHECK(r.verdict == checker::Verdict::Violation);
    STRCMP_CONTAINS("page_counts_consistent: PA is still locked when every thread has finished",
                    r.counterexample->violation.message.c_str());
  }
}
