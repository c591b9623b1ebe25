// actors.h: the catalogue of simulated threads a scenario can start, each a
// kernel entry point with validated arguments.
//
// Invariant: parse_actor() accepts exactly the arguments run_actor() uses,
// and every name in actor_catalogue() is handled by both.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "model/kernel.h"

namespace model {

struct ActorInfo {
  const char* name;
  const char* description;  ///< one line, with the arguments
  /// The eras whose model has this entry point. A scenario of another era that
  /// names it is refused: its code would be another kernel's.
  EraSet eras;
};

const std::vector<ActorInfo>& actor_catalogue();

/// A kernel operation a scenario may name that no era's model has: naming it is an
/// honest model limit (UnsupportedInput, exit 4) in an era whose kernel has it, and
/// bad input in an era whose kernel does not (it came later).
struct UnmodelledActor {
  const char* name;
  const char* kernel_path;  ///< the kernel functions the model would need
  EraSet eras;              ///< the eras whose kernel has the operation
  const char* since;        ///< the kernel release that brought it, for the message
  const char* instead;      ///< a modelled actor that covers part of it, or ""
};

const std::vector<UnmodelledActor>& unmodelled_actors();

/// One validated thread body: which actor and its arguments, resolved.
struct ActorCall {
  std::string actor;
  unsigned value = 0;    ///< ksm_run_store: the value written; store: the data token written; get_user_pages: the DMA's token
  PageId page = kNoPage; ///< migrate_pages: the page to migrate
  int to_node = 0;       ///< migrate_pages: target NUMA node
  int passes = 1;        ///< migrate_pages: passes of the retry loop
  static constexpr std::uint32_t kNoMm = 0xffffffffu;
  std::uint32_t mm = kNoMm;       ///< madvise_unmergeable: the mm
  std::uint64_t start = 0, end = 0;  ///< madvise_unmergeable: the range
  std::uint32_t child = kNoMm;    ///< fork: the (empty, declared) child mm; `mm` is the parent
  std::uint64_t address = 0;      ///< swapin_fault: the faulting address (in `mm`)
  bool after_unmerge_store = false;  ///< swapin_fault: start only once ksm_run has KSM_RUN_UNMERGE
  bool choose_read = false;       ///< swapin_fault: the pending swap read's outcome is a value choice
  bool async_write = false;       ///< reclaim: pageout's write completes on the reclaimer's bio thread (SwapWrite::Async)
  int pages = 1;                  ///< ksmd: pages_to_scan
  int batches = 1;                ///< ksmd (v3.9): rounds of ksm_scan_thread's loop (a batch ends at a full scan's end)
  // 2.6.33 actors (offline_pages, mbind, fault, munmap, exit, page_referenced):
  std::size_t section = 0;        ///< offline_pages: index in Kernel::sections
  int rounds = 1;                 ///< offline_pages: rounds of the repeat loop before the timeout
  bool write = false;             ///< fault (2.6.33), handle_mm_fault (4.19), get_user_pages (FOLL_WRITE): a write access
  bool force = false;             ///< get_user_pages: FOLL_FORCE (ptrace, /proc/PID/mem)
  bool move_all = false;          ///< mbind: MPOL_MF_MOVE_ALL (shared pages too)
  /// admin: the sysfs writes and reclaims, in order: {"run"|"merge_across_nodes"|"reclaim", value or page}.
  struct AdminStep {
    std::string what;
    unsigned value = 0;
    PageId page = kNoPage;
  };
  std::vector<AdminStep> steps;
  std::uint32_t range = 0;        ///< hmm_vma_fault / hmm_vma_get_pfns: index in Kernel::hmm_ranges
  bool block = true;              ///< hmm_vma_fault: the block argument
  /// mremap: the whole vma at `address` (old_address) of `mm` moves to new_address;
  /// new_vma is the detached vma the scenario reserved for copy_vma (mremap_reserve).
  std::uint64_t new_address = 0;
  std::uint32_t new_vma = 0xffffffffu;
};

/// Validate `actor` with `args` (found at args_pointer) against the initial state.
/// Throws InputError naming the pointer of the offending argument.
ActorCall parse_actor(const std::string& actor, const nlohmann::json& args, const Kernel& initial,
                      const std::string& file, const std::string& actor_pointer,
                      const std::string& args_pointer);

/// The thread body: run the actor on `k` (inside a simulated thread).
void run_actor(Kernel& k, const ActorCall& call);

/// An asynchronous reclaimer's (`"writeback": "async"`) write completes on a thread of
/// its own, spawned after the declared ones and named after its reclaimer: "R.bio" for
/// R. No declared thread's name may end so.
inline constexpr const char* kBioThreadSuffix = ".bio";
inline std::string bio_thread_name(const std::string& reclaimer) { return reclaimer + kBioThreadSuffix; }

/// One address a call may read-fault, as read_faults() lists them.
struct ReadFault {
  std::uint32_t mm = 0;
  std::uint64_t address = 0;
  /// A read pin (get_user_pages, get_user_pages_fast without FOLL_WRITE in
  /// 4.19 with 17839856fd58 reverted: it faults as a read). The others are a
  /// handle_mm_fault read and an hmm_vma_fault entry asking VALID without WRITE.
  bool pin = false;
};

/// The addresses the calls may fault for read (handle_mm_fault's
/// do_anonymous_page or do_huge_pmd_anonymous_page read branches): what
/// scenario loading gives the zero pages for and what `mmcheck check` counts
/// the huge zero page's copies by. One list, so the two cannot disagree.
std::vector<ReadFault> read_faults(const Kernel& initial, const std::vector<ActorCall>& calls);

}  // namespace model
