// exit_munmap_test.cpp: the v3.9 everyday actors of issue 13: exit (mmput ->
// __ksm_exit -> exit_mmap), munmap (vm_munmap -> unmap_region), a write fault
// on a none pte (do_anonymous_page), fork copying a migration entry, and the
// unmerge of an exiting mm. Each test runs the path in one thread on the
// seed-000 state (model_fixture.h: A maps K at 0x1000 and holds swap(7) at
// 0x2000, B maps K, rmap_items RA and RB on stable node S, ksm_scan.mm_slot at the list head) and
// asserts on the state left behind; the expected values are derived by hand
// from the v3.9 code, step by step in each comment.
#include <string>

#include "model_fixture.h"
#include <model/fork.h>
#include <model/ksm.h>
#include <model/ksmd.h>
#include <model/memory.h>
#include <model/migrate.h>
#include <model/mmap.h>
#include <model/rmap.h>
#include <model/scenario.h>

#include <CppUTest/TestHarness.h>

using namespace model;
using namespace model_test;

namespace {

constexpr std::uint32_t avA = 0, avB = 1;

const Pte& pte_at(const Kernel& k, std::uint32_t mm, std::uint64_t addr) { return k.mms.at(mm).ptes.at(addr).pte; }

bool starts_with(const std::string& s, const std::string& prefix) { return s.rfind(prefix, 0) == 0; }

Kernel kernel_of(const nlohmann::json& initial) { return kernel_v39(initial); }

}  // namespace

TEST_GROUP(Exit39){};

// mmput(A): mm_users 1 -> 0; __ksm_exit: A's slot holds RA, so it is not
// freed at once: list_move behind ksm_scan.mm_slot (the list head: A stays
// first), mmap_sem taken and dropped for write. exit_mmap: zap A:0x1000 (K mapcount 2 -> 1, the
// batched put at tlb_finish_mmu: refcount 2 -> 1), zap A:0x2000 (swap_free:
// swap_map[7] 1 -> 0); free_pgtables: avA loses its only vma but RA's
// reference keeps it (refcount 1), and the page table is freed.
TEST(Exit39, MmputUnmapsEveryPteAndFreesThePageTable) {
  OneThread p(seed000_kernel(), [](Kernel& k) { mmput(k, mmA); });
  CHECK(explore_once(p).verdict == checker::Verdict::Pass);
  const Kernel& k = *p.kernel;
  LONGS_EQUAL(0, k.mms[mmA].mm_users);
  CHECK(pte_at(k, mmA, 0x1000).is_none());
  CHECK(pte_at(k, mmA, 0x2000).is_none());
  LONGS_EQUAL(1, k.pages[K].mapcount);
  LONGS_EQUAL(1, k.pages[K].refcount);
  LONGS_EQUAL(0, k.swap.swap_map.at(7));
  CHECK_FALSE(k.anon_vmas[avA].freed);
  LONGS_EQUAL(1, k.anon_vmas[avA].refcount);
  CHECK(k.anon_vmas[avA].vmas.empty());
  CHECK(k.mms[mmA].vmas.empty());
  CHECK_TEXT(starts_with(k.mms[mmA].pgtables_freed_at, "free_pgtables by T"), k.mms[mmA].pgtables_freed_at.c_str());
  LONGS_EQUAL(2, k.ksm.mm_slots.size());
  CHECK_TRUE(k.mms[mmA].mmf_vm_mergeable);
  CHECK(k.mms[mmA].mmap_sem->writer() == checker::kNoThread && k.mms[mmA].mmap_sem->readers() == 0);
}

// After the exit, a lookup in A's freed page table is a KASAN use-after-free
// naming who freed it (what __ksm_exit's mmap_sem dance keeps ksmd from).
TEST(Exit39, LookupInTheFreedPageTableIsKasan) {
  OneThread p(seed000_kernel(), [](Kernel& k) {
    mmput(k, mmA);
    follow_page(k, vmaA, 0x1000, FOLL_GET);
  });
  checker::Report r = explore_once(p);
  CHECK(r.verdict == checker::Verdict::Violation);
  CHECK_TEXT(r.counterexample->violation.message.find("KASAN: use-after-free of the page table of A") == 0,
             r.counterexample->violation.message.c_str());
}

// run=2 after A's exit (the model limit "unmerge of an exiting mm" is gone):
// A: ksm_test_exit, no vma walked, remove_trailing_rmap_items drops RA
// (put_anon_vma: avA has no vma and no reference left: freed), then A's slot
// is freed and MMF_VM_MERGEABLE cleared. B: break_ksm COWs K into C1 (the
// first free page of node 0); K loses its last reference and is freed, so
// RB's removal finds S stale and frees it; avB keeps B's vma.
TEST(Exit39, UnmergeFreesTheExitingSlotAndItsAnonVma) {
  long err = -1;
  OneThread p(seed000_kernel(), [&err](Kernel& k) {
    mmput(k, mmA);
    err = run_store(k, 2);
  });
  CHECK(explore_once(p).verdict == checker::Verdict::Pass);
  const Kernel& k = *p.kernel;
  LONGS_EQUAL(0, err);
  LONGS_EQUAL(1, k.ksm.mm_slots.size());
  UNSIGNED_LONGS_EQUAL(mmB, k.ksm.mm_slots[0].mm);
  CHECK_FALSE(k.mms[mmA].mmf_vm_mergeable);
  CHECK_TRUE(k.anon_vmas[avA].freed);
  STRCMP_EQUAL("remove_rmap_item_from_tree by T", k.anon_vmas[avA].freed_at.c_str());
  CHECK_FALSE(k.anon_vmas[avB].freed);
  CHECK(maps(pte_at(k, mmB, 0x1000), C1, true));
  CHECK_TRUE(k.pages[K].freed);
  CHECK_TRUE(k.stable_nodes[S].freed);
}

// __ksm_exit's easy case: B's slot has no rmap_item and is not at the cursor
// (the list head): hash_del + list_del at once, MMF_VM_MERGEABLE cleared, no
// mmap_sem; the cursor stays the head (index 1 of a list of one).
// B's exit then zaps K (mapcount and refcount 2 -> 1) and frees avB (no
// vma, no reference) in unlink_anon_vmas.
TEST(Exit39, KsmExitFreesAnEasySlotAtOnce) {
  nlohmann::json j = seed000_initial();
  j["rmap_items"].erase(1);  // no RB
  OneThread p(kernel_of(j), [](Kernel& k) { mmput(k, mmB); });
  CHECK(explore_once(p).verdict == checker::Verdict::Pass);
  const Kernel& k = *p.kernel;
  LONGS_EQUAL(1, k.ksm.mm_slots.size());
  UNSIGNED_LONGS_EQUAL(mmA, k.ksm.mm_slots[0].mm);
  LONGS_EQUAL(1, k.ksm.scan_cursor);
  CHECK_FALSE(k.mms[mmB].mmf_vm_mergeable);
  LONGS_EQUAL(1, k.pages[K].mapcount);
  LONGS_EQUAL(1, k.pages[K].refcount);
  CHECK_TRUE(k.anon_vmas[avB].freed);
  STRCMP_EQUAL("unlink_anon_vmas by T", k.anon_vmas[avB].freed_at.c_str());
}

// With ksm_scan.mm_slot at B (index 1), A's slot (with RA) is list_moved just
// behind the cursor: the list becomes [B, A] and the cursor follows B (index 0).
TEST(Exit39, KsmExitMovesASlotWithItemsBehindTheCursor) {
  OneThread p(seed000_kernel(), [](Kernel& k) {
    k.ksm.scan_cursor = 1;
    ksm_exit(k, mmA);
  });
  CHECK(explore_once(p).verdict == checker::Verdict::Pass);
  const Kernel& k = *p.kernel;
  LONGS_EQUAL(2, k.ksm.mm_slots.size());
  UNSIGNED_LONGS_EQUAL(mmB, k.ksm.mm_slots[0].mm);
  UNSIGNED_LONGS_EQUAL(mmA, k.ksm.mm_slots[1].mm);
  LONGS_EQUAL(0, k.ksm.scan_cursor);
  CHECK_TRUE(k.mms[mmA].mmf_vm_mergeable);
}

// ksmd (v3.9) after A's exit: a new pass starts at A, ksm_test_exit is true,
// so no vma is walked (the page table is gone), RA is removed (avA freed by
// its last put) and A's slot freed; ksmd then goes on to B.
TEST(Exit39, KsmdReapsTheExitedMm) {
  OneThread p(seed000_kernel(), [](Kernel& k) {
    mmput(k, mmA);
    k.ksm.ksm_run = 1;
    ksmd_scan(k, 2);
  });
  checker::Report r = explore_once(p);
  CHECK_TEXT(r.verdict == checker::Verdict::Pass, r.counterexample ? r.counterexample->violation.message.c_str() : "");
  const Kernel& k = *p.kernel;
  LONGS_EQUAL(1, k.ksm.mm_slots.size());
  UNSIGNED_LONGS_EQUAL(mmB, k.ksm.mm_slots[0].mm);
  CHECK_FALSE(k.mms[mmA].mmf_vm_mergeable);
  CHECK_TRUE(k.anon_vmas[avA].freed);
  CHECK_TRUE(k.rmap_items[0].freed);
}

TEST_GROUP(Munmap39){};

// vm_munmap(B, 0x1000): B's only vma is detached, its pte zapped (K mapcount
// and refcount 2 -> 1), avB freed; the page table stays (munmap frees no
// table in the model) and B keeps its users and its KSM slot.
TEST(Munmap39, UnmapsTheVmaAndKeepsThePageTable) {
  OneThread p(seed000_kernel(), [](Kernel& k) { vm_munmap(k, mmB, 0x1000); });
  CHECK(explore_once(p).verdict == checker::Verdict::Pass);
  const Kernel& k = *p.kernel;
  CHECK(k.mms[mmB].vmas.empty());
  CHECK(pte_at(k, mmB, 0x1000).is_none());
  LONGS_EQUAL(1, k.pages[K].mapcount);
  LONGS_EQUAL(1, k.pages[K].refcount);
  CHECK_FALSE(k.anon_vmas[avB].freed);  // RB still holds it
  CHECK(k.mms[mmB].pgtables_freed_at.empty());
  LONGS_EQUAL(1, k.mms[mmB].mm_users);
  CHECK(k.mms[mmB].mmap_sem->writer() == checker::kNoThread && k.mms[mmB].mmap_sem->readers() == 0);
}

// A migration entry is cleared without touching the page's counts while the
// page is locked (migration in progress); with the page unlocked,
// migration_entry_to_page's BUG_ON fires in zap_pte_range.
TEST(Munmap39, ZapOfAMigrationEntryNeedsThePageLocked) {
  for (bool locked : {true, false}) {
    OneThread p(seed000_kernel(), [locked](Kernel& k) {
      k.get_page(K, "test");  // the migration's isolation reference
      k.pages[K].lock->lock("test");
      try_to_unmap(k, K, TTU_MIGRATION | TTU_IGNORE_MLOCK | TTU_IGNORE_ACCESS);  // A and B: migration(K)
      if (!locked) k.pages[K].lock->unlock("test");
      vm_munmap(k, mmB, 0x1000);
      if (locked) k.pages[K].lock->unlock("test");
    });
    checker::Report r = explore_once(p);
    if (locked) {
      CHECK(r.verdict == checker::Verdict::Pass);
      CHECK(pte_at(*p.kernel, mmB, 0x1000).is_none());
      CHECK(pte_at(*p.kernel, mmA, 0x1000).is_migration());
      LONGS_EQUAL(0, p.kernel->pages[K].mapcount);  // try_to_unmap dropped both
      LONGS_EQUAL(1, p.kernel->pages[K].refcount);  // ... and both mapping references: the isolation one is left
    } else {
      CHECK(r.verdict == checker::Verdict::Violation);
      CHECK_TEXT(r.counterexample->violation.message.find("BUG_ON(!PageLocked(p)) in migration_entry_to_page: "
                                                           "zap_pte_range") == 0,
                 r.counterexample->violation.message.c_str());
    }
  }
}

TEST_GROUP(AnonFault39){};

// A write fault on A's none pte at 0x3000 (vma extended to 0x4000): C1 (the
// first free page of node 0) is mapped writable, mapcount 1, refcount 1,
// mapping avA, index 3, Uptodate and Dirty.
TEST(AnonFault39, WriteFaultOnANonePteMapsAFreshPage) {
  nlohmann::json j = seed000_initial();
  j["mms"][0]["vmas"][0]["end"] = "0x4000";
  j["ptes"].push_back({{"mm", "A"}, {"address", "0x3000"}, {"pte", "none"}});
  unsigned ret = 99;
  OneThread p(kernel_of(j), [&ret](Kernel& k) { ret = fault(k, mmA, 0x3000, true); });
  CHECK(explore_once(p).verdict == checker::Verdict::Pass);
  const Kernel& k = *p.kernel;
  UNSIGNED_LONGS_EQUAL(0, ret);
  CHECK(maps(pte_at(k, mmA, 0x3000), C1, true));
  LONGS_EQUAL(1, k.pages[C1].mapcount);
  LONGS_EQUAL(1, k.pages[C1].refcount);
  CHECK(k.pages[C1].mapping.kind == Mapping::Kind::Anon);
  UNSIGNED_LONGS_EQUAL(avA, k.pages[C1].mapping.id);
  UNSIGNED_LONGS_EQUAL(3, k.pages[C1].index);
  // pte_mkwrite(pte_mkdirty(mk_pte())): the pte is dirty and young; PG_dirty waits for
  // try_to_unmap_one (or add_to_swap) to move the dirty bit to the page.
  CHECK(pte_at(k, mmA, 0x3000).dirty && pte_at(k, mmA, 0x3000).young);
  CHECK(k.pages[C1].test(PG_uptodate) && !k.pages[C1].test(PG_dirty));
}

// With no free page on node 0 the allocation fails: VM_FAULT_OOM, the pte
// stays none. A read fault on a none pte maps the zero page (a scenario with a
// read fault has one; a kernel built without one ends the run unsupported).
TEST(AnonFault39, OomAndTheZeroPage) {
  nlohmann::json j = seed000_initial();
  j["mms"][0]["vmas"][0]["end"] = "0x4000";
  j["ptes"].push_back({{"mm", "A"}, {"address", "0x3000"}, {"pte", "none"}});
  j["pages"] = nlohmann::json::parse(R"([{ "name": "K", "nid": 0, "flags": ["Anon", "Ksm", "Uptodate", "LRU"] },
                                          { "name": "N", "nid": 1, "free": true }])");
  unsigned ret = 0;
  OneThread oom(kernel_of(j), [&ret](Kernel& k) { ret = fault(k, mmA, 0x3000, true); });
  CHECK(explore_once(oom).verdict == checker::Verdict::Pass);
  UNSIGNED_LONGS_EQUAL(VM_FAULT_OOM, ret);
  CHECK(pte_at(*oom.kernel, mmA, 0x3000).is_none());

  OneThread read(kernel_of(j), [](Kernel& k) { fault(k, mmA, 0x3000, false); });
  checker::Report r = explore_once(read);
  CHECK(r.verdict == checker::Verdict::Unsupported);
  CHECK_TEXT(r.counterexample->violation.message.find("do_anonymous_page's zero page") != std::string::npos,
             r.counterexample->violation.message.c_str());
  Kernel with_zero = kernel_of(j);
  add_zero_page(with_zero);
  OneThread zero(with_zero, [](Kernel& k) { LONGS_EQUAL(0, fault(k, mmA, 0x3000, false)); });
  CHECK(explore_once(zero).verdict == checker::Verdict::Pass);
  CHECK(maps(pte_at(*zero.kernel, mmA, 0x3000), zero.kernel->zero_page, false));
  CHECK(zero.kernel->pages[1].in_free_pool);  // N: nothing allocated
}

TEST_GROUP(Fork39){};

// fork(A -> C) while K is under migration (locked, A's and B's ptes are
// migration entries): copy_one_pte copies A's read-only migration entry into
// C (no reference, no mapcount); the swap pte is duplicated (swap_map[7] 1 -> 2).
// remove_migration_ptes(K, K) then restores A, B and C (search_new_forks finds
// C's vma on avA): mapcount 3, refcount 3.
TEST(Fork39, CopiesAMigrationEntryThatRemoveMigrationPtesRestores) {
  nlohmann::json j = seed000_initial();
  j["mms"].push_back(nlohmann::json::parse(
      R"({ "name": "C", "vmas": [ { "start": "0x1000", "end": "0x3000", "anon_vma": "avC" } ] })"));
  j["ptes"].push_back({{"mm", "C"}, {"address", "0x1000"}, {"pte", "none"}});
  j["ptes"].push_back({{"mm", "C"}, {"address", "0x2000"}, {"pte", "none"}});
  constexpr std::uint32_t mmC = 2;
  bool copied_migration = false;
  OneThread p(kernel_of(j), [&copied_migration](Kernel& k) {
    k.get_page(K, "test");  // the migration's isolation reference keeps K alive
    k.pages[K].lock->lock("test");
    try_to_unmap(k, K, TTU_MIGRATION | TTU_IGNORE_MLOCK | TTU_IGNORE_ACCESS);
    dup_mmap(k, mmC, mmA);
    copied_migration = k.mms[mmC].ptes.at(0x1000).pte.is_migration();
    remove_migration_ptes(k, K, K);
    k.pages[K].lock->unlock("test");
  });
  CHECK(explore_once(p).verdict == checker::Verdict::Pass);
  const Kernel& k = *p.kernel;
  CHECK_TRUE(copied_migration);
  CHECK(maps(pte_at(k, mmC, 0x1000), K, false));
  CHECK(maps(pte_at(k, mmA, 0x1000), K, false));
  LONGS_EQUAL(3, k.pages[K].mapcount);
  LONGS_EQUAL(4, k.pages[K].refcount);  // three mappings and the isolation reference
  LONGS_EQUAL(2, k.swap.swap_map.at(7));
  LONGS_EQUAL(2, k.anon_vmas[avA].refcount);  // RA's reference and C's anon_vma pinning its root avA
}

TEST_GROUP(Exit39Input){};

namespace {

nlohmann::json exit_scenario() {
  nlohmann::json j;
  j["name"] = "t/exit";
  j["summary"] = "s";
  j["kernel"] = "3.9";
  j["initial"] = seed000_initial();
  j["threads"] = nlohmann::json::parse(R"([
    { "name": "X", "actor": "exit", "args": { "mm": "A" } },
    { "name": "Z", "actor": "munmap", "args": { "mm": "B", "address": "0x1000" } }
  ])");
  j["expect"] = {{"result", "pass"}};
  return j;
}

}  // namespace

// exit and munmap are v3.9 actors now; a task of the exiting mm beside its
// exit, an exit or munmap without its mm, and a write fault in a vma with no
// anon_vma are refused with the pointer of the offending value.
TEST(Exit39Input, ExitAndMunmapLoadAndBadInputIsRefused) {
  STRCMP_EQUAL("<none>", load_error_pointer(exit_scenario()).c_str());
  std::string msg;
  nlohmann::json j = exit_scenario();
  j["threads"][1] = {{"name", "F"}, {"actor", "fault"}, {"args", {{"mm", "A"}, {"address", "0x1000"}}}};
  STRCMP_EQUAL("/threads/1/actor", load_error_pointer(j, &msg).c_str());
  CHECK_TEXT(msg.find("acts as a task of mm A, which thread \"X\" exits") != std::string::npos, msg.c_str());
  // Unless the exit starts after that task is done (the task ran before the last mmput).
  j["threads"][0]["start_after"] = {{"thread", "F"}, {"event", "done"}};
  STRCMP_EQUAL("<none>", load_error_pointer(j, &msg).c_str());
  j["threads"][0]["start_after"] = {{"thread", "F"}, {"event", "dup_mmap"}};  // fault emits no dup_mmap
  STRCMP_EQUAL("/threads/0/start_after/event", load_error_pointer(j, &msg).c_str());
  j = exit_scenario();
  j["threads"][1] = {{"name", "Y"}, {"actor", "exit"}, {"args", {{"mm", "A"}}}};
  STRCMP_EQUAL("/threads/1/actor", load_error_pointer(j).c_str());
  j["threads"][1]["start_after"] = {{"thread", "X"}, {"event", "done"}};  // a second exit of A: never
  STRCMP_EQUAL("/threads/1/actor", load_error_pointer(j).c_str());
  j = exit_scenario();
  j["threads"][0]["args"] = nlohmann::json::object();  // no "mm": the object is named
  STRCMP_EQUAL("/threads/0/args", load_error_pointer(j).c_str());
  j = exit_scenario();
  j["threads"][0]["args"]["mm"] = "Q";
  STRCMP_EQUAL("/threads/0/args/mm", load_error_pointer(j).c_str());
  j = exit_scenario();
  j["threads"][0]["args"]["now"] = true;
  STRCMP_EQUAL("/threads/0/args/now", load_error_pointer(j).c_str());
  j = exit_scenario();
  j["threads"][1]["args"]["address"] = "0x9000";
  STRCMP_EQUAL("/threads/1/args/address", load_error_pointer(j).c_str());
  j = exit_scenario();
  j["initial"]["mms"].push_back(nlohmann::json::parse(
      R"({ "name": "D", "vmas": [ { "start": "0x1000", "end": "0x2000", "flags": ["VM_READ", "VM_WRITE"] } ] })"));
  j["initial"]["ptes"].push_back({{"mm", "D"}, {"address", "0x1000"}, {"pte", "none"}});
  j["threads"][1] = {{"name", "W"}, {"actor", "fault"}, {"args", {{"mm", "D"}, {"address", "0x1000"}, {"write", true}}}};
  STRCMP_EQUAL("/threads/1/args/address", load_error_pointer(j, &msg).c_str());
  CHECK_TEXT(msg.find("anon_vma_prepare is not modelled") != std::string::npos, msg.c_str());
}

TEST_GROUP(Exit39Scenario){};

namespace {

checker::Report run_file(const char* file) {
  Scenario s = Scenario::load(file);
  auto program = s.make_program();
  checker::Options options = s.options();
  return checker::explore(*program, options);
}

/// The scenario's search with DPOR alone (no bounded-first pass before it).
checker::Report explore_dpor_alone(const char* file) {
  Scenario s = Scenario::load(file);
  auto program = s.make_program();
  checker::Options o = s.options();
  o.bounded_first = 0;
  return checker::explore(*program, o);
}

bool log_names(const checker::StepLog& log, const std::string& name) {
  for (const std::string& n : log.object_names)
    if (n == name) return true;
  return false;
}

}  // namespace

// A v3.9 scenario with an exit has "A.mm_users" (mmput's write, ksm_test_exit's
// reads are steps on it) and finds v3.9's WARN when run=2 meets K between A's
// ksm_exit and its zap; a scenario without exit has no such object, so its
// steps are those it had before exit existed in 3.9.
TEST(Exit39Scenario, MmUsersIsAnObjectOnlyWithAnExit) {
  checker::Report warn = run_file("scenarios/ksm/exit-vs-unmerge-v3.9.json");
  CHECK(warn.verdict == checker::Verdict::Violation);
  CHECK_TEXT(warn.counterexample->violation.message.find("WARN_ON_ONCE(page_mapped(page)) in remove_stable_node") == 0,
             warn.counterexample->violation.message.c_str());
  CHECK_TRUE(log_names(warn.counterexample->log, "A.mm_users"));
  checker::Report other = run_file("scenarios/ksm/foll-migration-reverted.json");
  CHECK(other.verdict == checker::Verdict::Violation);
  CHECK_FALSE(log_names(other.counterexample->log, "A.mm_users"));
}

// 2b472611a32a (v3.0): A, the only mm on the KSM list, exits between ksmd_should_run's
// lockless list_empty() and the start of the full scan; __ksm_exit frees its slot, and the
// scan's slot = list_entry(ksm_mm_head.mm_list.next) is the head again. Without the
// recheck (3.9 reverted, and 2.6.33, which predates it) ksmd dereferences slot->mm, NULL;
// with it (3.9, 4.19) ksmd returns NULL and sleeps. DPOR alone must find the window (no
// bounded-first pass): ksmd's wait and its should_run read are steps on their parent object,
// whose children are ksm_run and ksm_mmlist_lock, and __ksm_exit's list_del is a critical
// section of that lock (a DPOR that took the lock's release for what the wait waits for
// explored 1 execution and never woke ksmd). The fixed twins: clean, DFS agrees.
TEST(Exit39Scenario, TheLastMmExitingUnderKsmdsScanStart) {
  for (const char* file : {"scenarios/ksm/exit-last-mm-vs-ksmd-scan-reverted.json",
                           "scenarios/ksm/exit-last-mm-vs-ksmd-scan-2.6.33.json"}) {
    const checker::Report r = explore_dpor_alone(file);
    CHECK_TEXT(r.verdict == checker::Verdict::Violation, file);
    CHECK_TEXT(r.counterexample && r.counterexample->violation.message.find(
                                       "BUG: unable to handle kernel NULL pointer dereference in scan_get_next_rmap_item") == 0,
               file);
  }
  check_clean_and_dfs_agrees("scenarios/ksm/exit-last-mm-vs-ksmd-scan-fixed.json");
  check_clean_and_dfs_agrees("scenarios/ksm/exit-last-mm-vs-ksmd-scan-4.19-fixed.json");
}

// 7496fea9a6bf (v4.13): A (no rmap_item) and B on the KSM list; ksmd's walk of A ends and the
// cursor moves to B under ksm_mmlist_lock. v2.6.33 and v3.9 then spin_unlock before
// up_read(&A->mmap_sem): in between, A's exit frees the slot at once (__ksm_exit's
// easy_to_free, no mmap_sem) and its last mmdrop the mm_struct, so ksmd's up_read is a
// use-after-free. By hand, the counterexample's order: ksmd releases ksm_mmlist_lock, X takes
// it in __ksm_exit, X's mmdrop frees A, and ksmd's up_read comes last (its failing step).
// DPOR alone finds it (the free is an update of A.mmap_sem that may free: dependent on the
// up_read). The fixed order (3.9 by default, 4.19): clean, DFS agrees. The same for the run=2
// unmerge's walk (unmerge_and_remove_all_rmap_items, thread U), which the commit fixed too.
TEST(Exit39Scenario, KsmdsUpReadAfterTheExitFreedTheMm) {
  const std::pair<const char*, const char*> files[] = {
      {"scenarios/ksm/ksmd-up-read-vs-exit-reverted.json", "KD"},
      {"scenarios/ksm/ksmd-up-read-vs-exit-2.6.33.json", "KD"},
      {"scenarios/ksm/unmerge-up-read-vs-exit-reverted.json", "U"},
      {"scenarios/ksm/unmerge-up-read-vs-exit-2.6.33.json", "U"}};
  for (const auto& [file, walker] : files) {
    const checker::Report r = explore_dpor_alone(file);
    CHECK_TEXT(r.verdict == checker::Verdict::Violation, file);
    const checker::Counterexample& c = *r.counterexample;
    CHECK_TEXT(c.violation.message.find(std::string("KASAN: use-after-free of mm_struct A in ") +
                                        (std::string(walker) == "KD" ? "scan_get_next_rmap_item"
                                                                     : "unmerge_and_remove_all_rmap_items")) == 0,
               c.violation.message.c_str());
    // The positions of: the walker's last ksm_mmlist_lock release, X's __ksm_exit acquire, X's
    // freeing mmdrop, ksmd's up_read of A.mmap_sem (the last step).
    std::size_t kd_unlock = 0, x_lock = 0, x_free = 0;
    const std::vector<checker::StepRecord>& steps = c.log.steps;
    for (std::size_t i = 0; i + 1 < steps.size(); ++i) {
      const std::string& thread = c.log.thread_names[steps[i].thread];
      const std::string& object = c.log.object_names[steps[i].access.object];
      const std::string label = steps[i].access.label;
      if (thread == walker && object == "ksm_mmlist_lock" && steps[i].access.kind == checker::AccessKind::LockRelease)
        kd_unlock = i;
      if (thread == "X" && label == "__ksm_exit" && steps[i].access.kind == checker::AccessKind::LockAcquire) x_lock = i;
      if (thread == "X" && label == "mmdrop") x_free = i;
    }
    const checker::StepRecord& last = steps.back();
    STRCMP_EQUAL(walker, c.log.thread_names[last.thread].c_str());
    STRCMP_EQUAL("A.mmap_sem", c.log.object_names[last.access.object].c_str());
    CHECK(last.access.kind == checker::AccessKind::LockReleaseShared);
    CHECK_TEXT(kd_unlock < x_lock && x_lock < x_free, file);
  }
  for (const char* file : {"scenarios/ksm/ksmd-up-read-vs-exit-fixed.json", "scenarios/ksm/ksmd-up-read-vs-exit-4.19-fixed.json",
                           "scenarios/ksm/unmerge-up-read-vs-exit-fixed.json",
                           "scenarios/ksm/unmerge-up-read-vs-exit-4.19-fixed.json"})
    check_clean_and_dfs_agrees(file);
}

// The exit of a fork's child: the fork creates the mm, so the exit must start after its
// dup_mmap (the child's first mmput comes after fork returned); without start_after it is
// refused at the exit's actor, naming the event.
TEST(Exit39Input, AForksChildExitsAfterDupMmap) {
  nlohmann::json j = exit_scenario();
  j["initial"]["mms"].push_back(nlohmann::json::parse(R"({ "name": "C", "vmas": [
      { "start": "0x1000", "end": "0x3000", "flags": ["VM_READ", "VM_WRITE", "VM_MERGEABLE"], "anon_vma": "C.anon_vma" } ] })"));
  for (const char* a : {"0x1000", "0x2000"}) j["initial"]["ptes"].push_back({{"mm", "C"}, {"address", a}, {"pte", "none"}});
  j["threads"] = nlohmann::json::parse(R"([
    { "name": "P", "actor": "fork", "args": { "mm": "A", "child": "C" } },
    { "name": "X", "actor": "exit", "args": { "mm": "C" } } ])");
  std::string msg;
  STRCMP_EQUAL("/threads/1/actor", load_error_pointer(j, &msg).c_str());
  CHECK_TEXT(contains(msg, "which thread \"P\" (fork) creates") && contains(msg, "\"dup_mmap\""), msg.c_str());
  j["threads"][1]["start_after"] = {{"thread", "P"}, {"event", "dup_mmap"}};
  STRCMP_EQUAL("<none>", load_error_pointer(j, &msg).c_str());
}
