// zap_v4_19_test.cpp: kernel 4.19's zap family, one thread at a time: munmap
// (vm_munmap -> do_munmap -> unmap_region), MADV_DONTNEED (zap_page_range) and the
// last mmput (exit_mmap), over unmap_vmas -> zap_pmd_range -> zap_huge_pmd /
// zap_pte_range (model/src/memory_zap_v4_19.cpp, mmap_v4_19.cpp, huge_memory.cpp),
// with the mmu notifier's effect on an HMM range, and the bad input of the
// scenarios that name them.
//
// Expected states come from reading mm/memory.c, mm/huge_memory.c, mm/mmap.c,
// mm/madvise.c, mm/hmm.c and mm/mmu_notifier.c v4.19:
// * zap_pte_range: a present pte is cleared, page_remove_rmap drops one mapcount and the
//   pte's reference is put at tlb_finish_mmu (a page mapped once with one reference is
//   freed); a swap pte's slot count is dropped (free_swap_and_cache); a migration entry is
//   cleared and its page's counts are left alone (the migration holds them).
// * zap_huge_pmd: the huge pmd becomes none; a present THP loses its compound mapcount and
//   the pmd's reference; a pmd migration entry is cleared with no rmap and no put.
// * munmap detaches the vma and free_pgtables unlinks it from its anon_vma, freed with its
//   last vma (no reference besides); MADV_DONTNEED keeps both; VM_LOCKED is -EINVAL.
// * unmap_vmas / zap_page_range bracket the zap with invalidate_range_start/end: hmm marks
//   a registered overlapping range invalid. exit_mmap's mmu_notifier_release unhooks the
//   notifier first, so its zap invalidates nothing and the mirror is "released".
#include <functional>
#include <string>

#include <nlohmann/json.hpp>

#include <model/hmm.h>
#include <model/huge_memory.h>
#include <model/initial_state.h>
#include <model/ksm.h>
#include <model/lint.h>
#include <model/madvise.h>
#include <model/memory.h>
#include <model/migrate_v4_19.h>
#include <model/mmap.h>
#include <model/mmap_v4_19.h>
#include <model/scenario.h>

#include "model_fixture.h"

#include <CppUTest/TestHarness.h>

namespace {

using model::Pte;
using model_test::OneThread;

/// A 4.19 machine: mm A with vma [0x1000, 0x4000) (anon_vma "av", shared with B's
/// vma [0x1000, 0x2000)) and vma [0x200000, 0x400000) (anon_vma "tv") whose pmd maps
/// THP T (4 subpages) huge and writable; pages P (anon, mapped by the test's ptes), T,
/// SC (swap cache, slot 3). PageIds: P=0, T=1, SC=2. A range R = [0x1000, 0x3000) of A
/// requests VALID, VALID.
nlohmann::json initial(const nlohmann::json& ptes) {
  nlohmann::json j = nlohmann::json::parse(R"({
    "numa_nodes": 2,
    "pages": [
      { "name": "P", "flags": ["Anon", "Uptodate", "LRU"] },
      { "name": "T", "subpages": 4, "flags": ["Anon", "Uptodate", "LRU"] },
      { "name": "SC", "flags": ["Uptodate", "LRU", "SwapCache"], "swap_entry": 3 }
    ],
    "mms": [
      { "name": "A", "vmas": [ { "start": "0x1000", "end": "0x4000", "flags": ["VM_READ", "VM_WRITE"], "anon_vma": "av" },
                               { "start": "0x200000", "end": "0x400000", "flags": ["VM_READ", "VM_WRITE"], "anon_vma": "tv" } ] },
      { "name": "B", "vmas": [ { "start": "0x1000", "end": "0x2000", "flags": ["VM_READ", "VM_WRITE"], "anon_vma": "av" } ] }
    ],
    "pmds": [ { "mm": "A", "address": "0x200000", "pmd": "huge", "page": "T", "writable": true } ],
    "hmm_ranges": [ { "name": "R", "mm": "A", "start": "0x1000", "end": "0x3000", "pfns": ["VALID", "VALID"] } ]
  })");
  j["ptes"] = ptes;
  return j;
}

constexpr model::PageId P = 0, T = 1, SC = 2;
constexpr std::uint32_t A = 0, B = 1, av = 0, tv = 1;

model::Kernel kernel(const nlohmann::json& ptes) {
  model::KernelConfig config;
  config.era = model::Era::V4_19;
  model::Kernel k = model::parse_initial_state(initial(ptes), "t", "/initial", config);
  k.anon_vma_refs_v4_19 = true;  // as scenario loading sets it for a munmap or exit thread
  return k;
}

const std::vector<std::string> kCounts = {"page_counts_consistent"};

const nlohmann::json kPOnce =
    nlohmann::json::parse(R"([{ "mm": "A", "address": "0x1000", "pte": "present", "page": "P", "writable": true }])");
const nlohmann::json kPTwice = nlohmann::json::parse(R"([
    { "mm": "A", "address": "0x1000", "pte": "present", "page": "P", "writable": true },
    { "mm": "B", "address": "0x1000", "pte": "present", "page": "P" }])");

checker::Report once(OneThread& p) { return model_test::explore_once(p); }

}  // namespace

TEST_GROUP(Munmap419){};

TEST(Munmap419, PteOfAPageMappedOnceFreesItAndTheVmaLeavesItsAnonVma) {
  OneThread p(kernel(kPOnce), [](model::Kernel& k) { model::vm_munmap(k, A, 0x1800); }, kCounts);
  CHECK(once(p).verdict == checker::Verdict::Pass);
  const model::Kernel& k = *p.kernel;
  CHECK(k.mms[A].ptes.at(0x1000).pte.is_none());
  LONGS_EQUAL(0, k.pages[P].mapcount);
  LONGS_EQUAL(0, k.pages[P].refcount);
  CHECK(k.pages[P].freed);                          // tlb_finish_mmu's put was the last
  LONGS_EQUAL(1, k.mms[A].vmas.size());             // the THP vma stays
  LONGS_EQUAL(1, k.anon_vmas[av].vmas.size());      // B's vma is still on av
  CHECK(!k.anon_vmas[av].freed);
  CHECK(k.mms[A].pmds.at(0x200000).pmd == model::Pmd::huge(T, true, true));  // another vma: untouched (declared writable: dirty)
}

TEST(Munmap419, PteOfAPageMappedTwiceLeavesTheOtherMapping) {
  OneThread p(kernel(kPTwice), [](model::Kernel& k) { model::vm_munmap(k, A, 0x1000); }, kCounts);
  CHECK(once(p).verdict == checker::Verdict::Pass);
  const model::Kernel& k = *p.kernel;
  CHECK(k.mms[A].ptes.at(0x1000).pte.is_none());
  LONGS_EQUAL(1, k.pages[P].mapcount);
  LONGS_EQUAL(1, k.pages[P].refcount);
  CHECK(!k.pages[P].freed);
}

TEST(Munmap419, HugePmdIsZappedWholeAndItsAnonVmaFreedWithItsLastVma) {
  OneThread p(kernel(kPOnce), [](model::Kernel& k) { model::vm_munmap(k, A, 0x300000); }, kCounts);
  CHECK(once(p).verdict == checker::Verdict::Pass);
  const model::Kernel& k = *p.kernel;
  CHECK(k.mms[A].pmds.at(0x200000).pmd.is_none());  // pmdp_huge_get_and_clear_full
  LONGS_EQUAL(0, k.pages[T].mapcount);               // page_remove_rmap(page, true)
  CHECK(k.pages[T].freed);                           // tlb_remove_page_size's put
  CHECK(k.anon_vmas[tv].freed);                      // unlink_anon_vmas: tv had only this vma
  CHECK(k.mms[A].ptes.at(0x1000).pte.is_present() && k.mms[A].ptes.at(0x1000).pte.page == P);  // the other vma's
  LONGS_EQUAL(1, k.pages[P].mapcount);
}

namespace {

/// What the zap left of a migration entry: munmap of `addr` while a migration of `page`
/// (its isolation reference taken, the page locked) has made its mapping a migration entry.
struct AfterZap {
  bool cleared = false;
  int mapcount = -1, refcount = -1;
};

AfterZap munmap_migration_entry(model::PageId page, std::uint64_t addr) {
  AfterZap after;
  OneThread p(kernel(kPOnce), [&](model::Kernel& k) {
    k.get_page(page, "test");  // the migration's isolation reference
    k.pages[page].lock->lock("test");
    model::v4_19::try_to_unmap(k, page);  // the pte's (pmd's) reference put with its mapcount
    model::vm_munmap(k, A, addr);
    after.cleared = page == T ? k.mms[A].pmds.at(addr).pmd.is_none() : k.mms[A].ptes.at(addr).pte.is_none();
    after.mapcount = k.pages[page].mapcount;
    after.refcount = k.pages[page].refcount;
    k.pages[page].lock->unlock("test");
  });
  CHECK(once(p).verdict == checker::Verdict::Pass);
  return after;
}

}  // namespace

TEST(Munmap419, PmdMigrationEntryIsClearedWithoutRmapOrPut) {
  const AfterZap after = munmap_migration_entry(T, 0x200000);
  CHECK(after.cleared);
  LONGS_EQUAL(0, after.mapcount);
  LONGS_EQUAL(1, after.refcount);  // the isolation reference: the pmd's was put by set_pmd_migration_entry, the zap puts none
}

TEST(Munmap419, PteMigrationEntryIsClearedAndItsPageLeftAlone) {
  const AfterZap after = munmap_migration_entry(P, 0x1000);
  CHECK(after.cleared);
  LONGS_EQUAL(0, after.mapcount);
  LONGS_EQUAL(1, after.refcount);  // the isolation reference: try_to_unmap_one put the pte's, the zap puts none
}

TEST(Munmap419, PteMigrationEntryOfAnUnlockedPageIsTheKernelsBugOn) {
  OneThread p(kernel(kPOnce), [](model::Kernel& k) {
    k.pages[P].lock->lock("test");
    model::v4_19::try_to_unmap(k, P);
    k.pages[P].lock->unlock("test");  // a migration that unlocks with its entry left (G1 broken)
    model::vm_munmap(k, A, 0x1000);
  });
  checker::Report r = once(p);
  CHECK(r.verdict == checker::Verdict::Violation);
  STRCMP_CONTAINS("BUG_ON(!PageLocked(p)) in migration_entry_to_page: zap_pte_range of A:0x1000",
                  r.counterexample->violation.message.c_str());
}

TEST(Munmap419, SwapPteDropsTheSlotsCount) {
  const model::Kernel k0 = kernel(nlohmann::json::parse(R"([
    { "mm": "A", "address": "0x1000", "pte": "present", "page": "P", "writable": true },
    { "mm": "A", "address": "0x2000", "pte": "swap", "entry": 3 }])"));
  int before = -1;
  OneThread p(k0, [&](model::Kernel& k) {
    before = k.swap.swap_map.at(3);  // init_swap_map (create_objects): the pte's count
    model::vm_munmap(k, A, 0x2000);
  });
  CHECK(once(p).verdict == checker::Verdict::Pass);
  LONGS_EQUAL(1, before);
  CHECK(p.kernel->mms[A].ptes.at(0x2000).pte.is_none());
  const auto it = p.kernel->swap.swap_map.find(3);
  LONGS_EQUAL(0, it == p.kernel->swap.swap_map.end() ? 0 : it->second);
}

TEST(Munmap419, NoVmaAtTheAddressDoesNothing) {
  OneThread p(kernel(kPOnce), [](model::Kernel& k) { model::vm_munmap(k, A, 0x100000); }, kCounts);
  CHECK(once(p).verdict == checker::Verdict::Pass);
  LONGS_EQUAL(2, p.kernel->mms[A].vmas.size());
  LONGS_EQUAL(1, p.kernel->pages[P].mapcount);
}

TEST_GROUP(Dontneed419){};

TEST(Dontneed419, PteIsZappedAndTheVmaAndAnonVmaStay) {
  long ret = 99;
  OneThread p(kernel(kPOnce), [&](model::Kernel& k) { ret = model::madvise_dontneed(k, A, 0x1000, 0x2000); }, kCounts);
  CHECK(once(p).verdict == checker::Verdict::Pass);
  const model::Kernel& k = *p.kernel;
  LONGS_EQUAL(0, ret);
  CHECK(k.mms[A].ptes.at(0x1000).pte.is_none());
  CHECK(k.pages[P].freed);
  LONGS_EQUAL(2, k.mms[A].vmas.size());
  LONGS_EQUAL(2, k.anon_vmas[av].vmas.size());
}

TEST(Dontneed419, WholeHugePmdIsZapped) {
  long ret = 99;
  OneThread p(kernel(kPOnce), [&](model::Kernel& k) { ret = model::madvise_dontneed(k, A, 0x200000, 0x400000); },
              kCounts);
  CHECK(once(p).verdict == checker::Verdict::Pass);
  LONGS_EQUAL(0, ret);
  CHECK(p.kernel->mms[A].pmds.at(0x200000).pmd.is_none());
  CHECK(p.kernel->pages[T].freed);
  CHECK(!p.kernel->anon_vmas[tv].freed);
}

TEST(Dontneed419, VmLockedIsEinvalAndNothingIsZapped) {
  model::Kernel k0 = kernel(kPOnce);
  k0.vmas[static_cast<std::size_t>(k0.find_vma(A, 0x1000))].flags |= model::VM_LOCKED;
  long ret = 99;
  OneThread p(k0, [&](model::Kernel& k) { ret = model::madvise_dontneed(k, A, 0x1000, 0x2000); }, kCounts);
  CHECK(once(p).verdict == checker::Verdict::Pass);
  LONGS_EQUAL(-model::kEINVAL, ret);
  CHECK(p.kernel->mms[A].ptes.at(0x1000).pte.is_present());
}

TEST(Dontneed419, TheNotifierInvalidatesARegisteredOverlappingRange) {
  bool valid_before = false;
  OneThread p(kernel(kPOnce), [&](model::Kernel& k) {
    model::hmm_vma_get_pfns(k, 0);  // registers R (valid, on the list) and leaves it there
    valid_before = k.hmm_ranges[0].valid;
    model::madvise_dontneed(k, A, 0x1000, 0x2000);
  });
  CHECK(once(p).verdict == checker::Verdict::Pass);
  CHECK(valid_before);
  CHECK(!p.kernel->hmm_ranges[0].valid);
  LONGS_EQUAL(1, p.kernel->hmms[0].sequence);  // the zap's one invalidate_range_start
}

TEST(Dontneed419, ARangeThatDoesNotOverlapStaysValid) {
  OneThread p(kernel(kPOnce), [&](model::Kernel& k) {
    model::hmm_vma_get_pfns(k, 0);
    model::madvise_dontneed(k, A, 0x200000, 0x400000);  // the THP vma: R is [0x1000, 0x3000)
  });
  CHECK(once(p).verdict == checker::Verdict::Pass);
  CHECK(p.kernel->hmm_ranges[0].valid);
}

TEST_GROUP(Exit419){};

TEST(Exit419, EveryVmaIsZappedAndEveryAnonVmaOfItsOwnFreed) {
  OneThread p(kernel(kPOnce), [](model::Kernel& k) { model::v4_19::mmput(k, A); }, kCounts);
  CHECK(once(p).verdict == checker::Verdict::Pass);
  const model::Kernel& k = *p.kernel;
  CHECK(k.mms[A].vmas.empty());
  CHECK(k.mms[A].ptes.at(0x1000).pte.is_none());
  CHECK(k.mms[A].pmds.at(0x200000).pmd.is_none());
  CHECK(k.pages[P].freed);
  CHECK(k.pages[T].freed);
  CHECK(k.anon_vmas[tv].freed);
  CHECK(!k.anon_vmas[av].freed);  // B's vma keeps av
}

TEST(Exit419, MmuNotifierReleaseComesFirstSoTheZapInvalidatesNothing) {
  // hmm_vma_fault leaves R valid with P's pfn and the zero page faulted in at 0x2000.
  model::Kernel k0 = kernel(nlohmann::json::parse(R"([
    { "mm": "A", "address": "0x1000", "pte": "present", "page": "P", "writable": true },
    { "mm": "A", "address": "0x2000", "pte": "none" }])"));
  model::add_zero_page(k0);
  OneThread q(k0,
              [](model::Kernel& k) {
                model::hmm_vma_fault(k, 0, true);
                model::v4_19::mmput(k, A);
              },
              {"hmm_fault_complete"});
  CHECK(once(q).verdict == checker::Verdict::Pass);  // a released mirror's range is not checked against "mapped now"
  CHECK(q.kernel->hmms[0].released);
  CHECK(q.kernel->hmm_ranges[0].valid);  // hmm_release unhooked the notifier: exit_mmap's zap reached no range
  LONGS_EQUAL(0, q.kernel->hmms[0].sequence);
}

TEST_GROUP(Zap419Input){};

namespace {

std::string error_of(const nlohmann::json& threads, const std::function<void(nlohmann::json&)>& edit = {}) {
  return model_test::scenario_load_error("4.19", initial(kPOnce), threads, edit);
}

}  // namespace

TEST(Zap419Input, TheThreeActorsLoadIn419) {
  STRCMP_EQUAL("<none>", error_of(nlohmann::json::parse(R"([
    { "actor": "munmap", "args": { "mm": "A", "address": "0x200000" } },
    { "actor": "madvise_dontneed", "args": { "mm": "A", "start": "0x200000", "end": "0x400000" } },
    { "actor": "exit", "args": { "mm": "B" } }])")).c_str());
}

TEST(Zap419Input, DontneedOfPartOfAHugePmdIsRefused) {
  const std::string e = error_of(nlohmann::json::parse(R"([
    { "actor": "madvise_dontneed", "args": { "mm": "A", "start": "0x200000", "end": "0x201000" } }])"));
  STRCMP_CONTAINS("t.json: at /threads/0/args/end: unsupported: [A:0x200000, A:0x201000) covers only part of the huge pmd A:0x200000 = "
                  "huge(T,rw,dirty): zap_pmd_range would __split_huge_pmd, which is not modelled in kernel 4.19",
                  e.c_str());
}

TEST(Zap419Input, MunmapOutsideAnyVmaIsRefused) {
  const std::string e = error_of(nlohmann::json::parse(R"([{ "actor": "munmap", "args": { "mm": "A", "address": "0x100000" } }])"));
  STRCMP_CONTAINS("t.json: at /threads/0/args/address: no vma of mm A contains this address", e.c_str());
}

TEST(Zap419Input, ExitBesideAnHmmWalkOfItsMmIsRefused) {
  const std::string e = error_of(nlohmann::json::parse(R"([
    { "name": "X", "actor": "exit", "args": { "mm": "A" } },
    { "name": "G", "actor": "hmm_vma_get_pfns", "args": { "range": "R" } }])"));
  STRCMP_CONTAINS("t.json: at /threads/1/actor: thread \"G\" (hmm_vma_get_pfns) acts as a task of mm A, which thread \"X\" exits",
                  e.c_str());
}

TEST(Zap419Input, ExitBesideAFaultOfItsMmIsRefused) {
  const std::string e = error_of(nlohmann::json::parse(R"([
    { "name": "X", "actor": "exit", "args": { "mm": "A" } },
    { "name": "W", "actor": "handle_mm_fault", "args": { "mm": "A", "address": "0x1000", "write": true } }])"));
  STRCMP_CONTAINS("at /threads/1/actor: thread \"W\" (handle_mm_fault) acts as a task of mm A", e.c_str());
}

// A CPU fault or an HMM walk in the vma a munmap removes: after the munmap the fault finds no
// vma (bad_area: SIGSEGV) and the driver's find_vma none (-EFAULT, no walk), so every
// interleaving is clean: before it, the walk's range is invalidated by the munmap's notifier
// (hmm_snapshot_current, hmm_fault_complete skip an invalid range) and the fault's page is
// zapped with the rest. Exhaustive under DPOR; bounded DFS agrees (an independent search).
TEST(Zap419Input, AFaultOrAWalkInTheVmaAMunmapRemovesRuns) {
  nlohmann::json j = model_test::scenario_json("4.19", initial(kPOnce), nlohmann::json::parse(R"([
    { "name": "U", "actor": "munmap", "args": { "mm": "A", "address": "0x1000" } },
    { "name": "W", "actor": "handle_mm_fault", "args": { "mm": "A", "address": "0x1000", "write": true } },
    { "name": "G", "actor": "hmm_vma_get_pfns", "args": { "range": "R" } }])"));
  j["invariants"] = {"page_counts_consistent", "hmm_snapshot_current", "hmm_no_error_pfn"};
  model_test::check_json_clean_and_dfs_agrees(j);
}

// One thread: the munmap, then the write fault at the unmapped address: SIGSEGV, nothing mapped.
TEST(Munmap419, AFaultAfterTheMunmapIsSigsegv) {
  unsigned ret = 0;
  OneThread p(kernel(kPOnce), [&](model::Kernel& k) {
    model::vm_munmap(k, A, 0x1000);
    ret = model::v4_19::user_access(k, A, 0x1000, true);
  });
  CHECK(once(p).verdict == checker::Verdict::Pass);
  UNSIGNED_LONGS_EQUAL(model::VM_FAULT_BAD_AREA_GHOST, ret);  // bad_area: SIGSEGV
  CHECK(p.kernel->find_vma(A, 0x1000) < 0);
}

TEST(Zap419Input, AReadFaultWhereADontneedZapsGetsTheZeroPage) {
  nlohmann::json j;
  j["name"] = "t/z";
  j["summary"] = "s";
  j["kernel"] = "4.19";
  j["initial"] = initial(kPOnce);
  j["threads"] = nlohmann::json::parse(R"([
    { "actor": "madvise_dontneed", "args": { "mm": "A", "start": "0x1000", "end": "0x2000" } },
    { "actor": "handle_mm_fault", "args": { "mm": "A", "address": "0x1000" } }])");
  j["expect"] = nlohmann::json::parse(R"({ "result": "pass" })");
  const model::Scenario s = model::Scenario::parse(j, "t.json");
  CHECK(s.initial_kernel().zero_page != model::kNoPage);  // the pte is present at load, none after the zap
  j["threads"].erase(0);
  CHECK(model::Scenario::parse(j, "t.json").initial_kernel().zero_page == model::kNoPage);
}

TEST_GROUP(Zap419Lint){};

namespace {

/// The FreePages findings of a 4.19 scenario where D discards A:0x1000 while W writes it.
std::vector<std::string> free_page_findings(bool with_free_page) {
  nlohmann::json init = initial(kPOnce);
  if (with_free_page) init["pages"].push_back(nlohmann::json::parse(R"({ "name": "C1", "nid": 0, "free": true })"));
  return model_test::free_page_findings("4.19", init, nlohmann::json::parse(R"([
    { "name": "D", "actor": "madvise_dontneed", "args": { "mm": "A", "start": "0x1000", "end": "0x2000" } },
    { "name": "W", "actor": "handle_mm_fault", "args": { "mm": "A", "address": "0x1000", "write": true } }])"));
}

}  // namespace

// A:0x1000 is present and writable: W alone allocates nothing, but after D's zap its
// write fault is do_anonymous_page's, which takes a page of node 0.
TEST(Zap419Lint, AWriteFaultBesideADontneedOfItsPteMayAllocate) {
  const std::vector<std::string> f = free_page_findings(false);
  LONGS_EQUAL(1, f.size());
  STRCMP_CONTAINS("/threads/1: too few free pages on node 0: the threads may allocate 1 there (W needs 1 for a "
                  "do_anonymous_page page (after MADV_DONTNEED) at A:0x1000)",
                  f[0].c_str());
  LONGS_EQUAL(0, free_page_findings(true).size());
}

TEST_GROUP(HmmSnapshotCurrent){};

// hmm_vma_get_pfns fills R's A:0x1000 entry VALID|WRITE P (pte present, writable) and leaves R
// valid on the list; the zap's notifier invalidates it, so the stale entry is allowed.
TEST(HmmSnapshotCurrent, AZapThroughTheNotifierLeavesTheRangeInvalid) {
  OneThread p(kernel(kPOnce), [](model::Kernel& k) {
    model::hmm_vma_get_pfns(k, 0);
    model::madvise_dontneed(k, A, 0x1000, 0x2000);
  }, {"hmm_snapshot_current"});
  CHECK(once(p).verdict == checker::Verdict::Pass);
}

// The same pte cleared behind the notifier's back: R is still valid with VALID|WRITE P.
TEST(HmmSnapshotCurrent, AChangeTheNotifierMissedFails) {
  OneThread p(kernel(kPOnce), [](model::Kernel& k) {
    model::hmm_vma_get_pfns(k, 0);
    k.set_pte(A, k.mms[A].ptes.at(0x1000), Pte::none(), "test");
  }, {"hmm_snapshot_current"});
  const checker::Report r = once(p);
  CHECK(r.verdict == checker::Verdict::Violation);
  STRCMP_CONTAINS("hmm_snapshot_current: hmm_vma_get_pfns returned 0 on a range still valid but range R at A:0x1000 = "
                  "[VALID|WRITE P] (mapped now: nothing)",
                  r.counterexample->violation.message.c_str());
}

// A mapping made after the walk read none is no stale VALID entry: NONE may be stale.
TEST(HmmSnapshotCurrent, ANoneEntryMayBeStale) {
  model::Kernel k0 = kernel(nlohmann::json::parse(R"([
    { "mm": "A", "address": "0x1000", "pte": "present", "page": "P", "writable": true },
    { "mm": "A", "address": "0x2000", "pte": "none" }])"));
  model::add_zero_page(k0);
  OneThread p(k0, [](model::Kernel& k) {
    model::hmm_vma_get_pfns(k, 0);
    model::v4_19::user_access(k, A, 0x2000, false);  // the zero page mapped at A:0x2000: no notifier
  }, {"hmm_snapshot_current"});
  CHECK(once(p).verdict == checker::Verdict::Pass);
  CHECK(p.kernel->hmm_ranges[0].valid);
  LONGS_EQUAL(model::HMM_PFN_NONE, p.kernel->hmm_ranges[0].pfns[1]);
}
