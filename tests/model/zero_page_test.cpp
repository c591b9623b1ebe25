// zero_page_test.cpp: the zero page (mm/memory.c v3.9 do_anonymous_page's read
// branch, do_wp_page's !old_page branch, vm_normal_page) and the write fault on
// a swap pte (do_swap_page with FAULT_FLAG_WRITE: reuse_swap_page, else
// do_wp_page under the same ptl). Each test runs one path in one thread on a
// small state written here; the expected values are derived by hand from the
// v3.9 code in each comment. Bad input for the "zero" pte is refused with its
// JSON pointer.
#include <string>

#include "model_fixture.h"
#include <model/fork.h>
#include <model/initial_state.h>
#include <model/memory.h>
#include <model/mmap.h>
#include <model/scenario.h>

#include <CppUTest/TestHarness.h>

using namespace model;
using namespace model_test;

namespace {

// A: one anonymous vma [0x1000, 0x2000) with anon_vma avA, a none pte at 0x1000;
// C: a fork child declared empty; P1, P2 free on node 0. PageIds P1=0, P2=1.
nlohmann::json zero_initial(const std::string& pte = "none") {
  auto j = nlohmann::json::parse(R"({
    "pages": [ { "name": "P1", "free": true }, { "name": "P2", "free": true } ],
    "mms": [
      { "name": "A", "vmas": [ { "start": "0x1000", "end": "0x2000", "flags": ["VM_READ", "VM_WRITE"], "anon_vma": "avA" } ] },
      { "name": "C", "vmas": [ { "start": "0x1000", "end": "0x2000", "flags": ["VM_READ", "VM_WRITE"], "anon_vma": "avC" } ] }
    ],
    "ptes": [ { "mm": "A", "address": "0x1000", "pte": "none" }, { "mm": "C", "address": "0x1000", "pte": "none" } ]
  })");
  j["ptes"][0]["pte"] = pte;
  return j;
}

constexpr PageId P1 = 0, P2 = 1;
constexpr std::uint32_t mA = 0, mC = 1;

Kernel kernel_of(const nlohmann::json& initial, bool with_zero_page = true) {
  Kernel k = kernel_v39(initial);
  if (with_zero_page) add_zero_page(k);
  return k;
}

const Pte& pte_at(const Kernel& k, std::uint32_t mm, std::uint64_t addr) { return k.mms.at(mm).ptes.at(addr).pte; }

}  // namespace

TEST_GROUP(ZeroPage){};

// The zero page is appended after the declared pages (PageId 2), reserved,
// Uptodate, content 0, with its own reference only.
TEST(ZeroPage, AddedAfterTheDeclaredPages) {
  Kernel k = kernel_of(zero_initial());
  LONGS_EQUAL(2, k.zero_page);
  const Page& z = k.pages[k.zero_page];
  STRCMP_EQUAL("ZERO_PAGE", z.name.c_str());
  CHECK(z.reserved);
  CHECK(z.test(PG_uptodate));
  LONGS_EQUAL(1, z.refcount);
  LONGS_EQUAL(0, z.mapcount);
  CHECK(k.vm_normal_page(Pte::mk_pte(k.zero_page)) == kNoPage);
  CHECK(k.vm_normal_page(Pte::mk_pte(P1)) == P1);
}

// do_anonymous_page, read: "Use the zero-page for reads": ptl, pte_none, set_pte_at
// present(ZERO_PAGE, ro); no page allocated, no mapcount, no reference.
TEST(ZeroPage, ReadFaultMapsTheZeroPage) {
  OneThread p(kernel_of(zero_initial()), [](Kernel& k) { LONGS_EQUAL(0, fault(k, mA, 0x1000, false)); },
              {"page_counts_consistent"});
  CHECK(explore_once(p).verdict == checker::Verdict::Pass);
  const Kernel& k = *p.kernel;
  CHECK(maps(pte_at(k, mA, 0x1000), k.zero_page, false));
  LONGS_EQUAL(0, k.pages[k.zero_page].mapcount);
  LONGS_EQUAL(1, k.pages[k.zero_page].refcount);
  CHECK(k.pages[P1].in_free_pool);
  CHECK(k.pages[P2].in_free_pool);
}

// A write after the read: handle_pte_fault finds present(ZERO_PAGE, ro), ptl,
// pte_same, write to a read-only pte: do_wp_page; vm_normal_page is NULL, so
// gotten: a zeroed page (P1, content 0), pte_same, present(P1, rw),
// page_add_new_anon_rmap (mapcount 1, refcount 1, mapping avA), VM_FAULT_WRITE.
TEST(ZeroPage, WriteFaultReplacesTheZeroPage) {
  OneThread p(kernel_of(zero_initial("zero"), false), [](Kernel& k) {
    LONGS_EQUAL(VM_FAULT_WRITE, fault(k, mA, 0x1000, true));
  }, {"page_counts_consistent"});
  CHECK(explore_once(p).verdict == checker::Verdict::Pass);
  const Kernel& k = *p.kernel;
  CHECK(maps(pte_at(k, mA, 0x1000), P1, true));
  LONGS_EQUAL(1, k.pages[P1].mapcount);
  LONGS_EQUAL(1, k.pages[P1].refcount);
  LONGS_EQUAL(0, k.pages[P1].content);
  CHECK(k.pages[P1].PageAnon());
  LONGS_EQUAL(1, k.pages[k.zero_page].refcount);
}

// zap_pte_range of a zero-page pte clears it and touches no page (exit of A).
TEST(ZeroPage, ZapLeavesTheZeroPageAlone) {
  OneThread p(kernel_of(zero_initial("zero"), false), [](Kernel& k) { vm_munmap(k, mA, 0x1000); },
              {"page_counts_consistent"});
  CHECK(explore_once(p).verdict == checker::Verdict::Pass);
  const Kernel& k = *p.kernel;
  LONGS_EQUAL(0, k.pages[k.zero_page].mapcount);
  LONGS_EQUAL(1, k.pages[k.zero_page].refcount);
}

// copy_one_pte of a zero-page pte: copied as it is, no get_page, no page_dup_rmap.
TEST(ZeroPage, ForkCopiesTheZeroPagePte) {
  OneThread p(kernel_of(zero_initial("zero"), false), [](Kernel& k) { LONGS_EQUAL(0, dup_mmap(k, mC, mA)); },
              {"page_counts_consistent"});
  CHECK(explore_once(p).verdict == checker::Verdict::Pass);
  const Kernel& k = *p.kernel;
  CHECK(maps(pte_at(k, mC, 0x1000), k.zero_page, false));
  CHECK(maps(pte_at(k, mA, 0x1000), k.zero_page, false));
  LONGS_EQUAL(1, k.pages[k.zero_page].refcount);
}

// Bad input: a writable zero pte, a page named ZERO_PAGE, the zero page in 4.19,
// an actor naming the zero page.
TEST(ZeroPage, BadInputNamesThePointer) {
  auto j = seed000_scenario();
  j["initial"]["ptes"].push_back({{"mm", "A"}, {"address", "0x1000"}, {"pte", "zero"}, {"writable", true}});
  j["initial"]["ptes"].erase(0);
  STRCMP_EQUAL("/initial/ptes/1/writable", load_error_pointer(j).c_str());
  j = seed000_scenario();
  j["initial"]["pages"][1]["name"] = "ZERO_PAGE";
  STRCMP_EQUAL("/initial/pages/1/name", load_error_pointer(j).c_str());
  j = seed000_scenario();
  j["threads"][1]["args"]["page"] = "ZERO_PAGE";
  std::string message;
  load_error_pointer(j, &message);
  CHECK(contains(message, "no page named \"ZERO_PAGE\""));
}

TEST_GROUP(SwapWriteFault){};

namespace {

// S: an anon swap-cache page (slot 5) mapped read-only by A; B holds swap(5)
// (swap count 1); F free. PageIds S=0, F=1.
nlohmann::json swap_initial() {
  auto j = nlohmann::json::parse(R"({
    "pages": [
      { "name": "S", "flags": ["Anon", "Uptodate", "LRU", "SwapCache"], "swap_entry": 5 },
      { "name": "F", "free": true }
    ],
    "mms": [
      { "name": "A", "vmas": [ { "start": "0x1000", "end": "0x2000", "flags": ["VM_READ", "VM_WRITE"], "anon_vma": "av" } ] },
      { "name": "B", "vmas": [ { "start": "0x1000", "end": "0x2000", "flags": ["VM_READ", "VM_WRITE"], "anon_vma": "av" } ] }
    ],
    "ptes": [
      { "mm": "A", "address": "0x1000", "pte": "present", "page": "S" },
      { "mm": "B", "address": "0x1000", "pte": "swap", "entry": 5 }
    ]
  })");
  return j;
}

constexpr PageId pS = 0, pF = 1;
constexpr std::uint32_t mB = 1;

}  // namespace

// B writes swap(5) while A maps S: do_swap_page locks S; reuse_swap_page: mapcount 1,
// + page_swapcount 1 = 2: not ours alone, so present(S, ro), do_page_add_anon_rmap
// (mapcount 2, refcount 3 with the cache's and the lookup's), swap_free (count 0),
// unlock, the lookup's reference dropped (refcount 3); then do_wp_page: trylock,
// reuse_swap_page (mapcount 2: no), COW into F: present(F, rw), S's mapcount 1,
// refcount 2 (A's pte and the swap cache), VM_FAULT_WRITE.
TEST(SwapWriteFault, SharedSlotIsCopied) {
  OneThread p(kernel_of(swap_initial(), false), [](Kernel& k) {
    LONGS_EQUAL(VM_FAULT_WRITE, fault(k, mB, 0x1000, true));
  }, {"page_counts_consistent"});
  CHECK(explore_once(p).verdict == checker::Verdict::Pass);
  const Kernel& k = *p.kernel;
  CHECK(maps(pte_at(k, mB, 0x1000), pF, true));
  LONGS_EQUAL(1, k.pages[pS].mapcount);
  LONGS_EQUAL(2, k.pages[pS].refcount);
  CHECK(k.pages[pS].test(PG_swapcache));
  LONGS_EQUAL(1, k.pages[pF].mapcount);
  LONGS_EQUAL(0, k.swap.swap_map.at(5));
}

// Once A has unmapped S (munmap: mapcount 0; tlb_finish_mmu drops A's reference,
// S stays anon in the swap cache with refcount 1), B's write finds S ours alone:
// reuse_swap_page (mapcount 0 + swap count 1 = 1) deletes S from the swap cache
// (its reference dropped) and B maps it writable: present(S, rw), mapcount 1,
// refcount 1, F still free.
TEST(SwapWriteFault, LoneSlotIsReused) {
  OneThread p(kernel_of(swap_initial(), false), [](Kernel& k) {
    vm_munmap(k, mA, 0x1000);
    LONGS_EQUAL(VM_FAULT_WRITE, fault(k, mB, 0x1000, true));
  }, {"page_counts_consistent"});
  CHECK(explore_once(p).verdict == checker::Verdict::Pass);
  const Kernel& k = *p.kernel;
  CHECK(maps(pte_at(k, mB, 0x1000), pS, true));
  LONGS_EQUAL(1, k.pages[pS].mapcount);
  LONGS_EQUAL(1, k.pages[pS].refcount);
  CHECK_FALSE(k.pages[pS].test(PG_swapcache));
  CHECK(k.pages[pF].in_free_pool);
}
