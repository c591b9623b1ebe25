// kernel_config.cpp: the fix catalogue and era names.
// Invariant: fix_catalogue() lists each Fix once, with the era it belongs to.
#include "model/kernel_config.h"

#include <algorithm>

namespace model {

const std::vector<FixInfo>& fix_catalogue() {
  static const std::vector<FixInfo> fixes = {
      {Fix::FollMigration, "5117b3b835f2", "mm,ksm: FOLL_MIGRATION do migration_entry_wait",
       Era::V3_9, "v3.9"},
      {Fix::RemoveOldStableNodes, "cbf86cfe04a6", "ksm: remove old stable nodes more thoroughly",
       Era::V3_9, "v3.9"},
      {Fix::RmapWalkMigrationPtes, "e9995ef978a7", "ksm: rmap_walk to remove_migation_ptes",
       Era::V2_6_33, "v2.6.33"},
      {Fix::HotremoveMigrationOnly, "62b61f611eb5", "ksm: memory hotremove migration only",
       Era::V2_6_33, "v2.6.33"},
      {Fix::HmmMigrationPmd, "d08faca018c4", "mm/hmm: properly handle migration pmd", Era::V4_19,
       "v4.20"},
  };
  return fixes;
}

const char* era_name(Era era) {
  switch (era) {
    case Era::V2_6_33: return "2.6.33";
    case Era::V3_9: return "3.9";
    case Era::V4_19: return "4.19";
  }
  return "?";
}

bool parse_era(const std::string& name, Era& out) {
  for (Era e : {Era::V2_6_33, Era::V3_9, Era::V4_19}) {
    if (name == era_name(e)) {
      out = e;
      return true;
    }
  }
  return false;
}

const FixInfo* find_fix(const std::string& id) {
  for (const FixInfo& f : fix_catalogue())
    if (id == f.id) return &f;
  return nullptr;
}

bool KernelConfig::applied(Fix fix) const {
  for (const FixInfo& f : fix_catalogue())
    if (f.fix == fix && f.era != era) return false;
  return std::find(reverted.begin(), reverted.end(), fix) == reverted.end();
}

}  // namespace model
