// memory_section.h: a memory section of the 2.6.33 era (include/linux/memory.h,
// mm/memory_hotplug.c): a pfn range that memory hot-remove isolates and offlines,
// and its memory-notifier state.
//
// States and transitions (offline_pages): Online -> Isolated
// (start_isolate_page_range) -> GoingOffline (MEM_GOING_OFFLINE sent) ->
// Offline (offline_isolated_pages, then MEM_OFFLINE) or back to Online
// (MEM_CANCEL_OFFLINE, undo_isolate_page_range).
// Invariants: sections do not overlap; free pages of a section that is not
// Online are never allocated; every struct page of an Offline section is
// poisoned (Page::offlined) and any later access through the model is a
// KASAN-style use-after-free failure.
#pragma once

#include <cstdint>
#include <string>

#include <checker/checker.h>

#include "model/pte.h"

namespace model {

struct MemorySection {
  enum class State : std::uint8_t { Online, Isolated, GoingOffline, Offline };
  std::string name;            ///< "X"
  PageId start_pfn = 0;        ///< first pfn (a PageId: pages are listed in pfn order)
  PageId end_pfn = 0;          ///< one past the last pfn
  State state = State::Online;
  checker::ObjectId obj = checker::kNoObject;  ///< the section's state ("section X")

  bool contains(PageId pfn) const { return start_pfn <= pfn && pfn < end_pfn; }
};

/// "online", "isolated", "going_offline", "offline".
inline const char* section_state_name(MemorySection::State s) {
  switch (s) {
    case MemorySection::State::Online: return "online";
    case MemorySection::State::Isolated: return "isolated";
    case MemorySection::State::GoingOffline: return "going_offline";
    case MemorySection::State::Offline: return "offline";
  }
  return "?";
}

}  // namespace model
