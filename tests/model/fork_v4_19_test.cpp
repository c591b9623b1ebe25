// fork_v4_19_test.cpp: kernel 4.19's fork (model/src/fork_v4_19.cpp: dup_mmap,
// copy_page_range, copy_pmd_range, copy_pte_range; huge_memory.cpp: copy_huge_pmd;
// fork.cpp's copy_one_pte and anon_vma_fork, shared with 3.9), one thread at a
// time; the bad input of the scenarios that name it; the start_after events
// dup_mmap and unlock_page in 4.19; lint's count of the COW a fork causes; and
// the invariant cow_not_shared_writable.
//
// Expected states come from reading kernel/fork.c, mm/memory.c, mm/huge_memory.c v4.19:
// * copy_one_pte of a present anon pte of a COW vma (private, VM_WRITE): ptep_set_wrprotect
//   of the parent's pte (its dirty and young bits stay), the child's copy pte_wrprotect'ed
//   and pte_mkold'ed (dirty kept: pte_mkclean is for VM_SHARED), get_page and
//   page_dup_rmap: mapcount and refcount one more each. A swap pte: swap_duplicate (the
//   slot's count one more), the child's pte the same entry. The zero page (vm_normal_page
//   NULL): copied, no reference, no mapcount. A migration entry: no reference; a write
//   entry becomes a read entry in the parent and the child.
// * copy_huge_pmd of a huge pmd: get_page, page_dup_rmap(compound), pmdp_set_wrprotect of
//   the parent's, the child's pmd_wrprotect'ed; of a pmd migration entry: a write entry
//   made read in both (make_migration_entry_read), no reference.
// * copy_page_range of a COW vma: mmu_notifier_invalidate_range_start/end over the vma
//   (hmm_invalidate_range_start bumps the mirror's sequence, _end marks a registered range
//   overlapping it invalid); a vma without VM_WRITE is not COW: no notifier call.
// * anon_vma_fork: the child's anon_vma takes the parent's root; the child's vma joins the
//   parent's anon_vma (its vma list), so rmap_walk_anon of a parent's page reaches it.
#include <functional>
#include <string>

#include <nlohmann/json.hpp>

#include <checker/checker.h>
#include <model/fork.h>
#include <model/initial_state.h>
#include <model/lint.h>
#include <model/scenario.h>

#include "model_fixture.h"

#include <CppUTest/TestHarness.h>

namespace {

using model::Pmd;
using model::Pte;
using model_test::contains;
using model_test::OneThread;

/// A 4.19 machine: A maps [0x1000, 0x4000) (anon_vma "av") and [0x200000, 0x400000)
/// (anon_vma "avT"), both VM_READ|VM_WRITE; the child C declares the same two vmas
/// (anon_vmas "cv", "cvT"; the flags too, which a fault in C is checked against at load), C's table pmd at 0x0 and none pmd at 0x200000. Pages: P
/// (anon), T (a THP of 4 subpages), N free on node 1. PageIds P=0, T=1, N=2.
/// `ptes` are A's ptes (C gets none slots at the same addresses); `huge`: A's pmd at
/// 0x200000 maps T (writable), else it is none and T is free.
nlohmann::json initial(const nlohmann::json& ptes, bool huge) {
  nlohmann::json j = nlohmann::json::parse(R"({
    "numa_nodes": 2,
    "pages": [
      { "name": "P", "flags": ["Anon", "Uptodate", "LRU"] },
      { "name": "T", "subpages": 4, "flags": ["Anon", "Uptodate", "LRU"] },
      { "name": "N", "nid": 1, "free": true }
    ],
    "mms": [
      { "name": "A", "vmas": [
        { "start": "0x1000", "end": "0x4000", "flags": ["VM_READ", "VM_WRITE"], "anon_vma": "av" },
        { "start": "0x200000", "end": "0x400000", "flags": ["VM_READ", "VM_WRITE"], "anon_vma": "avT" } ] },
      { "name": "C", "vmas": [
        { "start": "0x1000", "end": "0x4000", "flags": ["VM_READ", "VM_WRITE"], "anon_vma": "cv" },
        { "start": "0x200000", "end": "0x400000", "flags": ["VM_READ", "VM_WRITE"], "anon_vma": "cvT" } ] }
    ],
    "pmds": [
      { "mm": "A", "address": "0x0", "pmd": "table" },
      { "mm": "C", "address": "0x0", "pmd": "table" },
      { "mm": "A", "address": "0x200000", "pmd": "none" },
      { "mm": "C", "address": "0x200000", "pmd": "none" }
    ]
  })");
  bool p_mapped = false;
  for (const auto& pte : ptes) p_mapped |= pte.value("page", "") == "P";
  if (!p_mapped) j["pages"][0] = nlohmann::json{{"name", "P"}, {"nid", 1}, {"free", true}};
  if (huge)
    j["pmds"][2] = nlohmann::json::parse(R"({ "mm": "A", "address": "0x200000", "pmd": "huge", "page": "T", "writable": true })");
  else
    j["pages"][1] = nlohmann::json::parse(R"({ "name": "T", "nid": 1, "subpages": 4, "free": true })");
  j["ptes"] = ptes;
  for (const auto& pte : ptes) j["ptes"].push_back({{"mm", "C"}, {"address", pte.at("address")}, {"pte", "none"}});
  return j;
}

constexpr model::PageId P = 0, T = 1;
constexpr std::uint32_t A = 0, C = 1, vA = 0, vAT = 1, vC = 2, vCT = 3, av = 0, avT = 1, cv = 2;

model::Kernel kernel(const nlohmann::json& ptes, bool huge = false) {
  model::KernelConfig config;
  config.era = model::Era::V4_19;
  return model::parse_initial_state(initial(ptes, huge), "t", "/initial", config);
}

std::function<void(model::Kernel&)> fork_of_a() {
  return [](model::Kernel& k) { model::v4_19::dup_mmap(k, C, A); };
}

const nlohmann::json kPresentP =
    nlohmann::json::parse(R"([{ "mm": "A", "address": "0x1000", "pte": "present", "page": "P", "writable": true }])");
const std::vector<std::string> kCounts = {"page_counts_consistent"};

const Pte& pte_at(const model::Kernel& k, std::uint32_t mm, std::uint64_t addr) { return k.mms[mm].ptes.at(addr).pte; }
const Pmd& pmd_at(const model::Kernel& k, std::uint32_t mm, std::uint64_t addr) { return k.mms[mm].pmds.at(addr).pmd; }

}  // namespace

TEST_GROUP(Fork419){};

TEST(Fork419, PresentPteIsWriteProtectedInBothAndSharedOld) {
  OneThread p(kernel(kPresentP), fork_of_a(), kCounts);
  CHECK(model_test::explore_once(p).verdict == checker::Verdict::Pass);
  const model::Kernel& k = *p.kernel;
  CHECK(pte_at(k, A, 0x1000) == Pte::present(P, false, true, true));
  CHECK(pte_at(k, C, 0x1000) == Pte::present(P, false, true, false));
  LONGS_EQUAL(2, k.pages[P].mapcount);
  LONGS_EQUAL(2, k.pages[P].refcount);
  // anon_vma_fork: C's anon_vma under A's root, C's vma on A's anon_vma (rmap_walk_anon reaches it).
  UNSIGNED_LONGS_EQUAL(av, k.anon_vmas[cv].root);
  CHECK(std::find(k.anon_vmas[av].vmas.begin(), k.anon_vmas[av].vmas.end(), vC) != k.anon_vmas[av].vmas.end());
  UNSIGNED_LONGS_EQUAL(k.vmas[vA].flags, k.vmas[vC].flags);
  CHECK(k.mms[A].mmap_sem->writer() == checker::kNoThread);
  CHECK(k.mms[C].mmap_sem->writer() == checker::kNoThread);
}

// copy_pmd_range skips a none pmd of the parent: the child needs no pmd there.
TEST(Fork419, ParentsNonePmdNeedsNoChildPmd) {
  nlohmann::json j = initial(kPresentP, false);
  j["pmds"].erase(3);  // C's none pmd at 0x200000
  model::KernelConfig config;
  config.era = model::Era::V4_19;
  OneThread p(model::parse_initial_state(j, "t", "/initial", config), fork_of_a(), kCounts);
  CHECK(model_test::explore_once(p).verdict == checker::Verdict::Pass);
  CHECK(p.kernel->pmd_slot(C, 0x200000) == nullptr);
  LONGS_EQUAL(2, p.kernel->pages[P].mapcount);
}

TEST(Fork419, SwapPteIsDuplicatedAndZeroPageSharedWithoutCounts) {
  model::Kernel init = kernel(nlohmann::json::parse(R"([
    { "mm": "A", "address": "0x1000", "pte": "swap", "entry": 8 },
    { "mm": "A", "address": "0x2000", "pte": "zero" }])"));
  const int zero_ref = init.pages[init.zero_page].refcount;
  OneThread p(std::move(init), fork_of_a(), kCounts);
  CHECK(model_test::explore_once(p).verdict == checker::Verdict::Pass);
  const model::Kernel& k = *p.kernel;
  CHECK(pte_at(k, C, 0x1000) == Pte::swap(8));
  LONGS_EQUAL(2, k.swap.swap_map.at(8));
  CHECK(pte_at(k, C, 0x2000).is_present() && pte_at(k, C, 0x2000).page == k.zero_page);
  CHECK(!pte_at(k, C, 0x2000).write);
  LONGS_EQUAL(0, k.pages[k.zero_page].mapcount);
  LONGS_EQUAL(zero_ref, k.pages[k.zero_page].refcount);
}

TEST(Fork419, HugePmdIsWriteProtectedInBothAndTheThpSharedOnce) {
  OneThread p(kernel(nlohmann::json::array(), true), fork_of_a(), kCounts);
  CHECK(model_test::explore_once(p).verdict == checker::Verdict::Pass);
  const model::Kernel& k = *p.kernel;
  // A's pmd was declared writable, so dirty: pmdp_set_wrprotect and pmd_wrprotect keep the bit.
  CHECK(pmd_at(k, A, 0x200000) == Pmd::huge(T, false, true));
  CHECK(pmd_at(k, C, 0x200000) == Pmd::huge(T, false, true));
  LONGS_EQUAL(2, k.pages[T].mapcount);
  LONGS_EQUAL(2, k.pages[T].refcount);
  CHECK(k.mms[A].pmd_lock->holder() == checker::kNoThread);
  CHECK(k.mms[C].pmd_lock->holder() == checker::kNoThread);
}

// A migration in progress (the old page locked, its mapping a write migration entry, the
// rmap and the mapping's reference gone as try_to_unmap_one / set_pmd_migration_entry
// leave them): the fork copies the entry read-only into both and takes no reference.
TEST(Fork419, WriteMigrationEntriesAreMadeReadInBoth) {
  OneThread p(kernel(kPresentP, true), [](model::Kernel& k) {
    for (model::PageId pg : {P, T}) {
      k.pages[pg].lock->lock("t");
      k.pages[pg].mapcount = 0;
      k.pages[pg].refcount = 1;  // the isolation's reference
    }
    k.mms[A].ptes.at(0x1000).pte = Pte::migration(P, true);
    k.mms[A].pmds.at(0x200000).pmd = Pmd::migration(T, true);
    model::v4_19::dup_mmap(k, C, A);
    for (model::PageId pg : {P, T}) k.pages[pg].lock->unlock("t");
  });
  CHECK(model_test::explore_once(p).verdict == checker::Verdict::Pass);
  const model::Kernel& k = *p.kernel;
  CHECK(pte_at(k, A, 0x1000) == Pte::migration(P, false));
  CHECK(pte_at(k, C, 0x1000) == Pte::migration(P, false));
  CHECK(pmd_at(k, A, 0x200000) == Pmd::migration(T, false));
  CHECK(pmd_at(k, C, 0x200000) == Pmd::migration(T, false));
  LONGS_EQUAL(1, k.pages[P].refcount);
  LONGS_EQUAL(1, k.pages[T].refcount);
  LONGS_EQUAL(0, k.pages[T].mapcount);
}

// migration_entry_to_page's BUG_ON: a migration entry of an unlocked page.
TEST(Fork419, MigrationEntryOfAnUnlockedPageIsABug) {
  OneThread p(kernel(kPresentP), [](model::Kernel& k) {
    k.mms[A].ptes.at(0x1000).pte = Pte::migration(P, true);
    model::v4_19::dup_mmap(k, C, A);
  });
  const checker::Report r = model_test::explore_once(p);
  CHECK(r.verdict == checker::Verdict::Violation);
  CHECK_TEXT(contains(r.counterexample->violation.message, "BUG_ON(!PageLocked(p)) in migration_entry_to_page: "
                                                           "copy_one_pte of A:0x1000"),
             r.counterexample->violation.message.c_str());
}

// The mmu notifier: an HMM mirror of A over [0x1000, 0x3000) registered (on the list)
// is invalidated by the fork of the COW vma; without VM_WRITE the vma is not COW and
// the mirror sees nothing (the notifier runs for the other, THP, vma only).
TEST(Fork419, CowVmaCopyInvalidatesTheParentsMirror) {
  for (bool writable : {true, false}) {
    nlohmann::json j = initial(kPresentP, false);
    j["hmm_ranges"] = nlohmann::json::parse(R"([{ "name": "R", "mm": "A", "start": "0x1000", "end": "0x3000",
                                                  "pfns": ["VALID", "VALID"] }])");
    if (!writable) j["mms"][0]["vmas"][0]["flags"] = {"VM_READ"};
    j["ptes"][0]["writable"] = false;
    model::KernelConfig config;
    config.era = model::Era::V4_19;
    model::Kernel init = model::parse_initial_state(j, "t", "/initial", config);
    init.hmm_ranges[0].on_list = true;
    init.hmm_ranges[0].valid = true;
    OneThread p(std::move(init), fork_of_a(), kCounts);
    CHECK(model_test::explore_once(p).verdict == checker::Verdict::Pass);
    const model::Kernel& k = *p.kernel;
    // hmm_invalidate_range_start bumps the mm's sequence once per COW vma: A's THP vma is one.
    CHECK_EQUAL(writable ? 2 : 1, k.hmms[0].sequence);
    CHECK_EQUAL(!writable, k.hmm_ranges[0].valid);
  }
}

// The invariant: P mapped by A writable and by C read-only is a COW broken; the
// same pair both read-only is not; one writable mapping alone is not.
TEST(Fork419, CowNotSharedWritableNamesTheWritableMapping) {
  auto run = [](const char* ptes_json) {
    nlohmann::json ptes = nlohmann::json::parse(ptes_json);
    nlohmann::json j = initial(ptes, false);
    j["ptes"] = ptes;  // C's pte declared by the test
    j["pages"][0]["mapcount"] = static_cast<int>(ptes.size());
    j["pages"][0]["refcount"] = static_cast<int>(ptes.size());
    model::KernelConfig config;
    config.era = model::Era::V4_19;
    OneThread p(model::parse_initial_state(j, "t", "/initial", config), [](model::Kernel&) {},
                {"cow_not_shared_writable"});
    return model_test::explore_once(p);
  };
  const checker::Report bad = run(R"([
    { "mm": "A", "address": "0x1000", "pte": "present", "page": "P", "writable": true },
    { "mm": "C", "address": "0x1000", "pte": "present", "page": "P" }])");
  CHECK(bad.verdict == checker::Verdict::Violation);
  STRCMP_CONTAINS("cow_not_shared_writable: P is mapped by 2 ptes/pmds but A:0x1000 = present(P,rw,dirty) is writable",
                  bad.counterexample->violation.message.c_str());
  CHECK(run(R"([
    { "mm": "A", "address": "0x1000", "pte": "present", "page": "P" },
    { "mm": "C", "address": "0x1000", "pte": "present", "page": "P" }])").verdict == checker::Verdict::Pass);
  CHECK(run(R"([{ "mm": "A", "address": "0x1000", "pte": "present", "page": "P", "writable": true }])").verdict ==
        checker::Verdict::Pass);
}

TEST_GROUP(Fork419Input){};

namespace {

/// The load error of a 4.19 scenario over initial(ptes, huge) with a fork of A into C
/// ("<none>" when it loads), after `edit`.
std::string error_of(const nlohmann::json& ptes, bool huge, const std::function<void(nlohmann::json&)>& edit = {}) {
  nlohmann::json j;
  j["name"] = "t/f";
  j["summary"] = "s";
  j["kernel"] = "4.19";
  j["initial"] = initial(ptes, huge);
  j["threads"] = nlohmann::json::parse(R"([{ "name": "F", "actor": "fork", "args": { "mm": "A", "child": "C" } }])");
  j["expect"] = nlohmann::json::parse(R"({ "result": "pass" })");
  if (edit) edit(j);
  std::string msg;
  model_test::load_error_pointer(j, &msg);
  return msg.empty() ? "<none>" : msg;
}

}  // namespace

TEST(Fork419Input, TheForkLoadsIn419) {
  STRCMP_EQUAL("<none>", error_of(kPresentP, true).c_str());
}

TEST(Fork419Input, ChildWithoutTheParentsVmas) {
  const std::string e = error_of(kPresentP, false, [](nlohmann::json& j) { j["initial"]["mms"][1]["vmas"].erase(1); });
  STRCMP_CONTAINS("t.json: at /threads/0/args/child: the child C must declare the parent's 2 vmas", e.c_str());
}

TEST(Fork419Input, ChildPmdThatCannotHoldTheHugePmd) {
  std::string e = error_of(kPresentP, true, [](nlohmann::json& j) { j["initial"]["pmds"][3]["pmd"] = "table"; });
  STRCMP_CONTAINS("t.json: at /threads/0/args/child: the child's pmd at C:0x200000 must be declared none", e.c_str());
  e = error_of(kPresentP, true, [](nlohmann::json& j) { j["initial"]["pmds"].erase(3); });
  STRCMP_CONTAINS("at /threads/0/args/child: the child's pmd at C:0x200000 must be declared none", e.c_str());
}

TEST(Fork419Input, ChildWithoutATableUnderTheParentsPtes) {
  const std::string e = error_of(kPresentP, false, [](nlohmann::json& j) {
    j["initial"]["pmds"].erase(1);
    j["initial"]["ptes"].erase(1);
  });
  STRCMP_CONTAINS("at /threads/0/args/child: the child needs a pte slot (none) at C:0x1000", e.c_str());
}

// A parent on the KSM list (MMF_VM_MERGEABLE) loads: 4.19's dup_mmap calls ksm_fork, which
// puts the child's mm_slot behind ksmd's cursor (ksm_run 0 here: no KSM_RUN_UNMERGE).
TEST(Fork419Input, ParentOnTheKsmListForksIntoTheKsmList) {
  STRCMP_EQUAL("<none>", error_of(kPresentP, false, [](nlohmann::json& j) {
                           j["initial"]["ksm"] = nlohmann::json::parse(R"({ "mm_slots": ["A"] })");
                         }).c_str());
}

// The 3.9 KSM fork scenarios run by 4.19's paths (ksm_fork in dup_mmap, __ksm_enter with
// cbf86cfe04a6's tail insert under KSM_RUN_UNMERGE), and a fork racing ksmd's merge: all
// exhaustive and clean; plain DFS within two preemptions agrees.
TEST(Fork419Input, KsmForkScenarios) {
  for (const char* path : {"scenarios/ksm/fork-during-unmerge-4.19-fixed.json", "scenarios/ksm/fork-vs-migration-4.19-fixed.json",
                           "scenarios/ksm/fork-vs-ksmd-merge-4.19-fixed.json"})
    model_test::check_clean_and_dfs_agrees(path);
}

TEST(Fork419Input, FaultInTheChildNeedsStartAfterDupMmap) {
  auto fault_in_c = [](nlohmann::json& j) {
    j["threads"].push_back(nlohmann::json::parse(
        R"({ "name": "W", "actor": "handle_mm_fault", "args": { "mm": "C", "address": "0x1000", "write": true } })"));
  };
  STRCMP_CONTAINS("at /threads/1/actor: thread \"W\" (handle_mm_fault) acts as a task of mm C, the child that thread "
                  "\"F\" forks: it needs \"start_after\"",
                  error_of(kPresentP, false, fault_in_c).c_str());
  STRCMP_EQUAL("<none>", error_of(kPresentP, false, [&](nlohmann::json& j) {
                 fault_in_c(j);
                 j["threads"][1]["start_after"] = {{"thread", "F"}, {"event", "dup_mmap"}};
               }).c_str());
}

// A task of the child meets the pmd copy_huge_pmd made (start_after dup_mmap), not the none
// pmd the scenario declares for the child: a store in C's THP range loads, the scenario passes
// (DFS within two preemptions agrees), and the lint counts its write as one THP for
// do_huge_pmd_wp_page's copy, then says too few when node 0 has no free THP left.
TEST(Fork419Input, AChildsTaskIsJudgedAgainstTheCopiedHugePmd) {
  const char* path = "scenarios/thp/fork-then-child-store-thp-cow-vs-migration-4.19-fixed.json";
  model_test::check_clean_and_dfs_agrees(path);
  nlohmann::json j = model::load_json_file(path);
  CHECK(model::lint(model::Scenario::parse(j, "t.json")).findings.empty());
  j["initial"]["pages"].erase(3);  // T4
  j["initial"]["pages"].erase(2);  // T3: no free THP of node 0
  bool found = false;
  for (const model::LintFinding& f : model::lint(model::Scenario::parse(j, "t.json")).findings)
    found |= f.kind == model::LintFinding::Kind::FreePages &&
             model_test::contains(f.message, "SC needs 1 for a THP for do_huge_pmd_wp_page's copy (of the huge pmd a "
                                             "fork's copy_huge_pmd write-protects) at C:0x201000");
  CHECK(found);
}

TEST_GROUP(Fork419Events){};

namespace {

checker::Report explore_all(const nlohmann::json& j) {
  model::Scenario s = model::Scenario::parse(j, "t.json");
  auto program = s.make_program();
  checker::Options o = s.options();
  o.fewest_preemptions = false;
  return checker::explore(*program, o);
}

nlohmann::json scenario(const nlohmann::json& threads) {
  nlohmann::json j;
  j["name"] = "t/f";
  j["summary"] = "s";
  j["kernel"] = "4.19";
  j["initial"] = initial(kPresentP, false);
  j["initial"]["pages"][2]["nid"] = 0;  // N: the child's COW copy
  j["threads"] = threads;
  j["invariants"] = {"page_counts_consistent", "cow_not_shared_writable", "no_leftover_migration_entry"};
  j["expect"] = nlohmann::json::parse(R"({ "result": "pass", "exhaustive": true })");
  return j;
}

}  // namespace

// "Fault after fork" in 4.19: W's write in C starts once F's dup_mmap returned (F's
// event is its last step), so there is one interleaving; C's pte is read-only on P mapped
// twice, so do_wp_page copies P into N, which C alone maps writable.
TEST(Fork419Events, FaultAfterForkIsOrdered) {
  const checker::Report r = explore_all(scenario(nlohmann::json::parse(R"([
    { "name": "F", "actor": "fork", "args": { "mm": "A", "child": "C" } },
    { "name": "W", "actor": "handle_mm_fault", "args": { "mm": "C", "address": "0x1000", "write": true },
      "start_after": { "thread": "F", "event": "dup_mmap" } }])")));
  CHECK(r.verdict == checker::Verdict::Pass);
  CHECK(r.stats.complete);
  LONGS_EQUAL(1, r.stats.executions);
}

// "Fault after migration" in 4.19: W's write of A starts after M's unlock_page of P;
// M's unlock is followed only by its putback and put_page steps, so the fault runs
// after the migration entry is gone: it never waits in migration_entry_wait.
TEST(Fork419Events, FaultAfterMigrationLoadsAndIsClean) {
  nlohmann::json j = scenario(nlohmann::json::parse(R"([
    { "name": "M", "actor": "migrate_pages", "args": { "page": "P", "to_node": 0 } },
    { "name": "W", "actor": "handle_mm_fault", "args": { "mm": "A", "address": "0x1000", "write": true },
      "start_after": { "thread": "M", "event": "unlock_page" } }])"));
  const checker::Report r = explore_all(j);
  CHECK(r.verdict == checker::Verdict::Pass);
  CHECK(r.stats.complete);
  // handle_mm_fault never emits unlock_page: the error names what it emits.
  j["threads"][0]["start_after"] = {{"thread", "W"}, {"event", "unlock_page"}};
  j["threads"][1].erase("start_after");
  std::string msg;
  model_test::load_error_pointer(j, &msg);
  STRCMP_CONTAINS("never emits event \"unlock_page\"", msg.c_str());
}

TEST_GROUP(Lint419Fork){};

// With no free page on node 0: a write of A's writable P after a fork of A may find it
// write-protected and mapped twice (do_wp_page copies), and a write in the child always does.
TEST(Lint419Fork, AForkMakesTheWritesOfParentAndChildCopy) {
  nlohmann::json j = scenario(nlohmann::json::parse(R"([
    { "name": "F", "actor": "fork", "args": { "mm": "A", "child": "C" } },
    { "name": "W", "actor": "handle_mm_fault", "args": { "mm": "A", "address": "0x1000", "write": true } },
    { "name": "X", "actor": "handle_mm_fault", "args": { "mm": "C", "address": "0x1000", "write": true },
      "start_after": { "thread": "F", "event": "dup_mmap" } }])"));
  j["initial"]["pages"][2]["nid"] = 1;
  std::vector<std::string> found;
  for (const model::LintFinding& f : model::lint(model::Scenario::parse(j, "t.json")).findings)
    if (f.kind == model::LintFinding::Kind::FreePages) found.push_back(f.message);
  LONGS_EQUAL(1, found.size());
  CHECK_TEXT(contains(found[0], "the threads may allocate 2 there"), found[0].c_str());
  CHECK_TEXT(contains(found[0], "a do_wp_page COW copy at A:0x1000"), found[0].c_str());
  CHECK_TEXT(contains(found[0], "a do_wp_page COW copy at C:0x1000"), found[0].c_str());
}
