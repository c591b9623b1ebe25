// anon_migration_test.cpp: v3.9 migration of a plain (not KSM) anonymous page
// (issue 13): page_get_anon_vma's reference on the anon_vma, try_to_unmap_anon
// installing migration entries under each ptl, rmap_walk_anon restoring them,
// put_anon_vma after the migration, and the use-after-free a walk of a freed
// anon_vma is. The state: anon page P mapped read-only at 0x1000 by A and by
// its fork child B, both vmas chained to one anon_vma AV; N free on node 1.
// Expected values are derived by hand from the v3.9 code in each comment.
#include <string>

#include "model_fixture.h"
#include <model/ksm.h>
#include <model/migrate.h>
#include <model/mmap.h>
#include <model/rmap.h>

#include <CppUTest/TestHarness.h>

using namespace model;
using namespace model_test;

namespace {

constexpr PageId P = 0, NP = 1;
constexpr std::uint32_t AV = 0;

/// pins: get_user_pages references on P (each holds a page count).
Kernel anon_kernel(int pins = 0) {
  nlohmann::json j = nlohmann::json::parse(R"({
    "numa_nodes": 2,
    "pages": [
      { "name": "P", "nid": 0, "flags": ["Anon", "Uptodate", "LRU"], "mapcount": 2, "refcount": 2 },
      { "name": "N", "nid": 1, "free": true }
    ],
    "mms": [
      { "name": "A", "vmas": [ { "start": "0x1000", "end": "0x2000", "flags": ["VM_READ", "VM_WRITE"], "anon_vma": "AV" } ] },
      { "name": "B", "vmas": [ { "start": "0x1000", "end": "0x2000", "flags": ["VM_READ", "VM_WRITE"], "anon_vma": "AV" } ] }
    ],
    "ptes": [
      { "mm": "A", "address": "0x1000", "pte": "present", "page": "P", "writable": false },
      { "mm": "B", "address": "0x1000", "pte": "present", "page": "P", "writable": false }
    ]
  })");
  if (pins) {
    j["pages"][0]["pins"] = pins;
    j["pages"][0]["refcount"] = 2 + pins;
  }
  KernelConfig config;
  config.era = Era::V3_9;
  return parse_initial_state(j, "t", "/initial", config);
}

const Pte& pte_at(const Kernel& k, std::uint32_t mm, std::uint64_t addr) { return k.mms.at(mm).ptes.at(addr).pte; }

}  // namespace

TEST_GROUP(AnonMigration39){};

// The initial state: P's mapping is AV (the first vma mapping it), index 1;
// AV holds both vmas and no counted reference.
TEST(AnonMigration39, InitialStateChainsBothVmasToAv) {
  Kernel k = anon_kernel();
  CHECK(k.pages[P].mapping.kind == Mapping::Kind::Anon);
  LONGS_EQUAL(AV, k.pages[P].mapping.id);
  LONGS_EQUAL(1, k.pages[P].index);
  LONGS_EQUAL(2, k.anon_vmas[AV].vmas.size());
  LONGS_EQUAL(0, k.anon_vmas[AV].refcount);
}

// migrate_pages(P -> node 1): isolate (P count 2 -> 3); N allocated (count 1);
// page_get_anon_vma: P mapped, AV refcount 0 -> 1; try_to_unmap_anon walks AV's
// vmas A then B: two migration entries, P mapcount 2 -> 0, count 3 -> 1; the
// refcount check sees 1 (the isolation reference); move_to_new_page: N's
// mapping = AV, index 1; remove_migration_ptes -> rmap_walk_anon(N): both
// entries become read-only ptes of N (count 1 -> 3, mapcount 0 -> 2); P's
// mapping cleared; put_anon_vma: AV 1 -> 0, kept (two vmas); putback of P
// frees it (1 -> 0), putback of N drops the allocation reference (3 -> 2).
TEST(AnonMigration39, MigratesBothMappingsToTheNewPage) {
  int rc = -1;
  OneThread p(anon_kernel(), [&rc](Kernel& k) { rc = migrate_one_page(k, P, 1, 1); },
              {"no_leftover_migration_entry", "page_counts_consistent", "no_migration_entry_at_unlock"});
  checker::Report r = explore_once(p);
  CHECK(r.verdict == checker::Verdict::Pass);
  LONGS_EQUAL(0, rc);
  const Kernel& k = *p.kernel;
  for (std::uint32_t mm : {mmA, mmB}) {
    const Pte& pte = pte_at(k, mm, 0x1000);
    CHECK(pte.is_present());
    LONGS_EQUAL(NP, pte.page);
    CHECK_FALSE(pte.write);
  }
  LONGS_EQUAL(2, k.pages[NP].mapcount);
  LONGS_EQUAL(2, k.pages[NP].refcount);
  CHECK(k.pages[NP].mapping.kind == Mapping::Kind::Anon);
  LONGS_EQUAL(AV, k.pages[NP].mapping.id);
  LONGS_EQUAL(1, k.pages[NP].index);
  LONGS_EQUAL(0, k.pages[P].refcount);
  LONGS_EQUAL(0, k.pages[P].mapcount);
  CHECK(k.pages[P].mapping.kind == Mapping::Kind::None);
  LONGS_EQUAL(0, k.anon_vmas[AV].refcount);
  CHECK_FALSE(k.anon_vmas[AV].freed);
  CHECK(k.anon_vmas[AV].lock->readers() == 0 && k.anon_vmas[AV].lock->writer() == checker::kNoThread);
}

// A get_user_pages pin keeps P's count at 2 after the unmap: the refcount check
// fails (-EAGAIN), remove_migration_ptes(P, P) restores both ptes to P through
// rmap_walk_anon, the reference on AV is dropped, and P goes back to the LRU.
TEST(AnonMigration39, PinnedPageIsRestoredFromItsMigrationEntries) {
  int rc = 0;
  OneThread p(anon_kernel(1), [&rc](Kernel& k) { rc = migrate_one_page(k, P, 1, 1); },
              {"no_leftover_migration_entry", "page_counts_consistent"});
  CHECK(explore_once(p).verdict == checker::Verdict::Pass);
  LONGS_EQUAL(-kEAGAIN, rc);
  const Kernel& k = *p.kernel;
  for (std::uint32_t mm : {mmA, mmB}) {
    CHECK(pte_at(k, mm, 0x1000).is_present());
    LONGS_EQUAL(P, pte_at(k, mm, 0x1000).page);
  }
  LONGS_EQUAL(2, k.pages[P].mapcount);
  LONGS_EQUAL(3, k.pages[P].refcount);  // two ptes and the pin
  CHECK(k.pages[P].test(PG_lru));
  LONGS_EQUAL(0, k.anon_vmas[AV].refcount);
  CHECK_FALSE(k.anon_vmas[AV].freed);
}

// page_get_anon_vma's reference outlives both vmas: munmap of A and of B
// unlink AV's last vma, yet AV stays (refcount 1); put_anon_vma frees it.
TEST(AnonMigration39, ReferenceKeepsAvAliveUntilPutAnonVma) {
  std::uint32_t got = kNoAnonVma;
  bool alive_after_unmaps = false;
  OneThread p(anon_kernel(), [&](Kernel& k) {
    got = page_get_anon_vma(k, P);
    vm_munmap(k, mmA, 0x1000);
    vm_munmap(k, mmB, 0x1000);
    alive_after_unmaps = !k.anon_vmas[AV].freed && k.anon_vmas[AV].vmas.empty() && k.anon_vmas[AV].refcount == 1;
    put_anon_vma_step(k, AV, "__unmap_and_move");
  });
  CHECK(explore_once(p).verdict == checker::Verdict::Pass);
  LONGS_EQUAL(AV, got);
  CHECK_TRUE(alive_after_unmaps);
  CHECK_TRUE(p.kernel->anon_vmas[AV].freed);
  CHECK(p.kernel->anon_vmas[AV].freed_at.rfind("__unmap_and_move", 0) == 0);
}

// With both mms gone first, P is unmapped: page_get_anon_vma returns NULL
// without touching the freed AV (its page_mapped test comes first).
TEST(AnonMigration39, UnmappedPageHasNoAnonVma) {
  std::uint32_t got = 0;
  OneThread p(anon_kernel(), [&](Kernel& k) {
    vm_munmap(k, mmA, 0x1000);
    vm_munmap(k, mmB, 0x1000);
    got = page_get_anon_vma(k, P);
  });
  CHECK(explore_once(p).verdict == checker::Verdict::Pass);
  LONGS_EQUAL(kNoAnonVma, got);
  CHECK_TRUE(p.kernel->anon_vmas[AV].freed);
}

// rmap_walk_anon of a page whose anon_vma was freed (no reference taken, both
// vmas unlinked) is the KASAN report naming AV and who freed it.
TEST(AnonMigration39, WalkOfAFreedAnonVmaIsKasan) {
  OneThread p(anon_kernel(), [](Kernel& k) {
    k.pages[P].lock->lock("t");
    k.get_page(P, "t");  // isolate_lru_page's reference: P outlives its mappings
    vm_munmap(k, mmA, 0x1000);
    vm_munmap(k, mmB, 0x1000);
    rmap_walk(k, P, [](PageId, std::uint32_t, std::uint64_t) { return SWAP_AGAIN; });
  });
  checker::Report r = explore_once(p);
  CHECK(r.verdict == checker::Verdict::Violation);
  const std::string& m = r.counterexample->violation.message;
  CHECK_TEXT(m.find("KASAN: use-after-free of anon_vma AV in rmap_walk_anon (freed in unlink_anon_vmas by T)") == 0,
             m.c_str());
}

// try_to_unmap on a locked P: try_to_unmap_anon visits A then B (AV's chain
// order), each pte a read-only migration entry of P; P unmapped (SWAP_SUCCESS).
TEST(AnonMigration39, TryToUnmapAnonInstallsMigrationEntries) {
  int ret = -1;
  OneThread p(anon_kernel(), [&ret](Kernel& k) {
    k.pages[P].lock->lock("t");
    k.get_page(P, "t");  // the caller's own reference (isolate_lru_page's)
    ret = try_to_unmap(k, P, TTU_MIGRATION | TTU_IGNORE_MLOCK | TTU_IGNORE_ACCESS);
  });
  CHECK(explore_once(p).verdict == checker::Verdict::Pass);
  LONGS_EQUAL(SWAP_SUCCESS, ret);
  const Kernel& k = *p.kernel;
  for (std::uint32_t mm : {mmA, mmB}) {
    CHECK(pte_at(k, mm, 0x1000).is_migration());
    LONGS_EQUAL(P, pte_at(k, mm, 0x1000).page);
    CHECK_FALSE(pte_at(k, mm, 0x1000).write);
  }
  LONGS_EQUAL(0, k.pages[P].mapcount);
  LONGS_EQUAL(1, k.pages[P].refcount);
}

// An unmapped swap-cache page whose anon_vma is gone: P in the swap cache
// (slot 4, which C's swap pte also holds, so the unmaps' free_swap_cache keeps
// it), A and B unmap it (P count 3: two ptes and the cache -> 1, AV freed). migrate_pages:
// isolate (1 -> 2); page_get_anon_vma finds P unmapped (NULL, AV not touched);
// PageSwapCache, so remap_swapcache = 0; try_to_unmap_anon finds nothing
// mapped; migrate_page_move_mapping hands slot 4 over (count 2 == expected);
// no remove_migration_ptes, so the freed AV is never walked. P is freed by its
// putback (1 -> 0); N keeps the swap cache's reference (allocation's dropped).
TEST(AnonMigration39, UnmappedSwapCachePageMigratesWithoutRemap) {
  nlohmann::json j = nlohmann::json::parse(R"({
    "numa_nodes": 2,
    "pages": [
      { "name": "P", "nid": 0, "flags": ["Anon", "Uptodate", "LRU", "SwapCache"], "swap_entry": 4,
        "mapcount": 2, "refcount": 3 },
      { "name": "N", "nid": 1, "free": true }
    ],
    "mms": [
      { "name": "A", "vmas": [ { "start": "0x1000", "end": "0x2000", "flags": ["VM_READ", "VM_WRITE"], "anon_vma": "AV" } ] },
      { "name": "B", "vmas": [ { "start": "0x1000", "end": "0x2000", "flags": ["VM_READ", "VM_WRITE"], "anon_vma": "AV" } ] },
      { "name": "C", "vmas": [ { "start": "0x1000", "end": "0x2000", "flags": ["VM_READ", "VM_WRITE"], "anon_vma": "avC" } ] }
    ],
    "ptes": [
      { "mm": "A", "address": "0x1000", "pte": "present", "page": "P", "writable": false },
      { "mm": "B", "address": "0x1000", "pte": "present", "page": "P", "writable": false },
      { "mm": "C", "address": "0x1000", "pte": "swap", "entry": 4 }
    ]
  })");
  KernelConfig config;
  config.era = Era::V3_9;
  int rc = -1;
  OneThread p(parse_initial_state(j, "t", "/initial", config), [&rc](Kernel& k) {
    vm_munmap(k, mmA, 0x1000);
    vm_munmap(k, mmB, 0x1000);
    rc = migrate_one_page(k, P, 1, 1);
  });
  CHECK(explore_once(p).verdict == checker::Verdict::Pass);
  LONGS_EQUAL(0, rc);
  const Kernel& k = *p.kernel;
  CHECK_TRUE(k.anon_vmas[AV].freed);
  LONGS_EQUAL(NP, k.swap.cache.at(4));
  CHECK(k.pages[NP].test(PG_swapcache));
  LONGS_EQUAL(1, k.pages[NP].refcount);
  LONGS_EQUAL(0, k.pages[NP].mapcount);
  LONGS_EQUAL(0, k.pages[P].refcount);
}
