// mremap_v4_19_test.cpp: kernel 4.19's mremap (model/src/mremap_v4_19.cpp: sys_mremap ->
// move_vma -> copy_vma, move_page_tables -> move_huge_pmd / move_ptes, do_munmap), one
// thread at a time, and the load checks of the 4.19 actor.
//
// Expected states are derived by hand from mm/mremap.c, mm/huge_memory.c and mm/mmap.c v4.19:
// * move_ptes: ptep_get_and_clear empties the old pte and set_pte_at writes the same value
//   at the new address (move_pte is nothing on x86): the page keeps its mapcount and its
//   reference (nothing is put: the page only changes place).
// * copy_vma (no neighbour to merge): a new vma with the old vm_pgoff, chained into every
//   anon_vma of the old one; do_munmap then unlinks the old vma, so the anon_vma holds only
//   the new one and the mm one vma.
// * move_page_tables: a huge pmd (or a pmd migration entry) over a whole 2 MiB extent whose
//   new place is 2 MiB aligned goes to move_huge_pmd: pmdp_huge_get_and_clear, set_pmd_at of
//   the same value; the THP's compound mapcount and reference stay.
// * mmu_notifier_invalidate_range_start/end around the loop: hmm_invalidate_range marks a
//   registered range over the old addresses invalid.
// * A huge pmd whose new place is not 2 MiB aligned would need split_huge_pmd (refused).
#include <string>

#include <nlohmann/json.hpp>

#include <model/hmm.h>
#include <model/initial_state.h>
#include <model/mremap.h>
#include <model/scenario.h>

#include "model_fixture.h"

#include <CppUTest/TestHarness.h>

namespace {

using model_test::OneThread;

/// mm A: vma [0x1000, 0x2000) (anon_vma "av", vm_pgoff 1) mapping P writable and dirty at
/// 0x1000; vma [0x200000, 0x400000) (anon_vma "tv") mapped by a writable huge pmd of THP T.
/// Range R = [0x1000, 0x2000) requests VALID. PageIds: P=0, T=1.
nlohmann::json initial() {
  return nlohmann::json::parse(R"({
    "numa_nodes": 1,
    "pages": [
      { "name": "P", "flags": ["Anon", "Uptodate", "LRU", "Dirty"], "mapcount": 1, "refcount": 1 },
      { "name": "T", "subpages": 4, "flags": ["Anon", "Uptodate", "LRU"] }
    ],
    "mms": [
      { "name": "A", "vmas": [ { "start": "0x1000", "end": "0x2000", "flags": ["VM_READ", "VM_WRITE"], "anon_vma": "av" },
                               { "start": "0x200000", "end": "0x400000", "flags": ["VM_READ", "VM_WRITE"], "anon_vma": "tv" } ] }
    ],
    "ptes": [ { "mm": "A", "address": "0x1000", "pte": "present", "page": "P", "writable": true, "dirty": true } ],
    "pmds": [ { "mm": "A", "address": "0x200000", "pmd": "huge", "page": "T", "writable": true } ],
    "hmm_ranges": [ { "name": "R", "mm": "A", "start": "0x1000", "end": "0x2000", "pfns": ["VALID"] } ]
  })");
}

constexpr model::PageId P = 0, T = 1;
constexpr std::uint32_t A = 0, av = 0, tv = 1;

model::Kernel kernel() {
  model::KernelConfig config;
  config.era = model::Era::V4_19;
  return model::parse_initial_state(initial(), "t", "/initial", config);
}

const std::vector<std::string> kCounts = {"page_counts_consistent"};

/// Runs 4.19's mremap(from -> to) of A in one thread; `prepare` edits the template first.
std::unique_ptr<model::Kernel> run_mremap(std::uint64_t from, std::uint64_t to, long* ret = nullptr,
                                          const std::function<void(model::Kernel&)>& prepare = {}) {
  model::Kernel k = kernel();
  if (prepare) prepare(k);
  const std::uint32_t new_vma = model::mremap_reserve(k, A, from, to);
  OneThread p(std::move(k), [=](model::Kernel& kk) {
    const long r = model::sys_mremap(kk, A, from, to, new_vma);
    if (ret) *ret = r;
  }, kCounts);
  CHECK(model_test::explore_once(p).verdict == checker::Verdict::Pass);
  return std::move(p.kernel);
}

}  // namespace

TEST_GROUP(Mremap419){};

TEST(Mremap419, PteMovesToAnotherTableAndTheOldVmaGoes) {
  long ret = 0;
  const auto k = run_mremap(0x1000, 0x401000, &ret);
  LONGS_EQUAL(0x401000, ret);
  CHECK(k->mms[A].ptes.at(0x1000).pte.is_none());
  const model::Pte& moved = k->mms[A].ptes.at(0x401000).pte;
  CHECK(model_test::maps(moved, P, true));
  CHECK(moved.dirty);                                  // the value moves as it was
  LONGS_EQUAL(1, k->pages[P].mapcount);                // no rmap change
  LONGS_EQUAL(1, k->pages[P].refcount);
  LONGS_EQUAL(2, k->mms[A].vmas.size());               // the THP vma and the moved one
  const int v = k->find_vma(A, 0x401000);
  CHECK(v >= 0);
  LONGS_EQUAL(1, k->vmas[static_cast<std::size_t>(v)].pgoff);  // copy_vma keeps vm_pgoff
  LONGS_EQUAL(-1, k->find_vma(A, 0x1000));
  LONGS_EQUAL(1, k->anon_vmas[av].vmas.size());        // only the new vma is left on av
  LONGS_EQUAL(v, static_cast<int>(k->anon_vmas[av].vmas.front()));
}

TEST(Mremap419, HugePmdMovesWholeByMoveHugePmd) {
  const auto k = run_mremap(0x200000, 0x600000);
  CHECK(k->mms[A].pmds.at(0x200000).pmd.is_none());   // pmdp_huge_get_and_clear
  CHECK(k->mms[A].pmds.at(0x600000).pmd == model::Pmd::huge(T, true, true));  // set_pmd_at of the old value
  LONGS_EQUAL(1, k->pages[T].mapcount);                // compound mapcount unchanged
  LONGS_EQUAL(1, k->pages[T].refcount);
  LONGS_EQUAL(1, k->anon_vmas[tv].vmas.size());
}

TEST(Mremap419, PmdMigrationEntryMovesLikeAHugePmd) {
  // A migration entry (as set_pmd_migration_entry leaves it: the THP's mapcount and the pmd's
  // reference gone, the migration's isolation reference held) is a swap pmd: move_huge_pmd moves it.
  model::Kernel k0 = kernel();
  auto edit = [](model::Kernel& k) {
    k.mms[A].pmds.at(0x200000).pmd = model::Pmd::migration(T, true);
    k.pages[T].mapcount = 0;
  };
  edit(k0);
  const std::uint32_t new_vma = model::mremap_reserve(k0, A, 0x200000, 0x600000);
  OneThread p(std::move(k0), [=](model::Kernel& kk) { model::sys_mremap(kk, A, 0x200000, 0x600000, new_vma); });
  CHECK(model_test::explore_once(p).verdict == checker::Verdict::Pass);
  CHECK(p.kernel->mms[A].pmds.at(0x200000).pmd.is_none());
  CHECK(p.kernel->mms[A].pmds.at(0x600000).pmd == model::Pmd::migration(T, true));
}

TEST(Mremap419, TheNotifierInvalidatesARegisteredRangeOverTheOldAddresses) {
  const auto k = run_mremap(0x1000, 0x401000, nullptr, [](model::Kernel& kk) {
    kk.hmm_ranges.at(0).on_list = true;  // registered by a mirror's walk that returned
    kk.hmm_ranges.at(0).valid = true;
  });
  CHECK(!k->hmm_ranges.at(0).valid);
}

TEST(Mremap419, LoadChecks) {
  const nlohmann::json move_thp = nlohmann::json::parse(
      R"([{ "name": "R", "actor": "mremap", "args": { "mm": "A", "old_address": "0x200000", "new_address": "0x601000" } }])");
  const std::string split = model_test::scenario_load_error("4.19", initial(), move_thp);
  CHECK_TEXT(model_test::contains(split, "/threads/0/args/new_address") && model_test::contains(split, "split_huge_pmd"),
             split.c_str());
  const nlohmann::json ok = nlohmann::json::parse(
      R"([{ "name": "R", "actor": "mremap", "args": { "mm": "A", "old_address": "0x1000", "new_address": "0x401000" } }])");
  STRCMP_EQUAL("<none>", model_test::scenario_load_error("4.19", initial(), ok).c_str());
  // eb66ae030829 belongs to 4.19 as well as 3.9: reverting it there loads
  STRCMP_EQUAL("<none>", model_test::scenario_load_error("4.19", initial(), ok, [](nlohmann::json& j) {
                  j["reverted"] = nlohmann::json::array({"eb66ae030829"});
                }).c_str());
  // a CPU fault in the vma mremap moves loads: after the move it finds no vma (SIGSEGV)
  nlohmann::json with_fault = ok;
  with_fault.push_back(nlohmann::json::parse(
      R"({ "name": "F", "actor": "handle_mm_fault", "args": { "mm": "A", "address": "0x1000" } })"));
  STRCMP_EQUAL("<none>", model_test::scenario_load_error("4.19", initial(), with_fault).c_str());
}

// A read fault at the old address racing the move: before it the fault maps or finds the page
// at 0x1000 (and the move carries it), after it the fault finds no vma there (SIGSEGV). Every
// interleaving is clean and bounded DFS agrees.
TEST(Mremap419, AFaultAtTheOldAddressRacesTheMove) {
  nlohmann::json j = model_test::scenario_json("4.19", initial(), nlohmann::json::parse(R"([
    { "name": "R", "actor": "mremap", "args": { "mm": "A", "old_address": "0x1000", "new_address": "0x401000" } },
    { "name": "F", "actor": "handle_mm_fault", "args": { "mm": "A", "address": "0x1000", "write": true } }])"));
  j["invariants"] = {"page_counts_consistent", "no_leftover_migration_entry"};
  model_test::check_json_clean_and_dfs_agrees(j);
}

// The clean 4.19 mremap scenarios pass their exhaustive DPOR search, and plain DFS (no
// reduction) within two preemptions agrees: the reduction hides no failing interleaving.
TEST(Mremap419, CleanScenariosAgreeWithPlainDfs) {
  for (const char* path : {"scenarios/thp/mremap-vs-anon-migration-4.19-fixed.json",
                           "scenarios/thp/mremap-thp-vs-thp-migration-4.19-fixed.json",
                           "scenarios/fault/mremap-vs-hmm-mirror-4.19-fixed.json",
                           "scenarios/fault/mremap-stale-tlb-vs-migration-4.19-fixed.json"})
    model_test::check_clean_and_dfs_agrees(path);
}

// eb66ae030829 reverted (4.19.0): the same move of a dirty pte, so the flush is move_ptes' own
// (force_flush) and the end state is the fixed kernel's: the flush's place matters only to a
// concurrent store (fault/mremap-stale-tlb-vs-migration-4.19-reverted).
TEST(Mremap419, RevertedFlushMovesTheSameState) {
  model::KernelConfig config;
  config.era = model::Era::V4_19;
  config.reverted.push_back(model::Fix::MremapTlbFlush);
  model::Kernel k = model::parse_initial_state(initial(), "t", "/initial", config);
  const std::uint32_t new_vma = model::mremap_reserve(k, A, 0x1000, 0x401000);
  OneThread p(std::move(k), [=](model::Kernel& kk) { model::sys_mremap(kk, A, 0x1000, 0x401000, new_vma); },
              kCounts);
  CHECK(model_test::explore_once(p).verdict == checker::Verdict::Pass);
  CHECK(p.kernel->mms[A].ptes.at(0x1000).pte.is_none());
  CHECK(model_test::maps(p.kernel->mms[A].ptes.at(0x401000).pte, P, true));
}

// 4.19's move_vma unmerges a VM_MERGEABLE vma's KSM pages first (ksm_madvise), as 3.9's does:
// the move of a vma mapping KSM page K against K's migration is clean, and bounded DFS agrees.
TEST(Mremap419, KsmPagesAreUnmergedBeforeTheMove) {
  model_test::check_clean_and_dfs_agrees("scenarios/ksm/mremap-vs-ksm-migration-4.19-fixed.json");
}
