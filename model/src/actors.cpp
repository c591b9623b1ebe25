// actors.cpp: ksm_run_store and migrate_pages, with their argument checks.
// Invariant: argument errors name the JSON pointer of the argument.
#include "model/actors.h"

#include "json_input.h"
#include "model/ksm.h"
#include "model/migrate.h"

namespace model {

const std::vector<ActorInfo>& actor_catalogue() {
  static const std::vector<ActorInfo> all = {
      {"ksm_run_store",
       "write /sys/kernel/mm/ksm/run (run_store); args {\"value\": 0|1|2}; 2 unmerges every KSM page"},
      {"madvise_unmergeable",
       "madvise(MADV_UNMERGEABLE) on one vma's range (ksm_madvise -> unmerge_ksm_pages, mmap_sem for write); "
       "args {\"mm\": NAME, \"start\": ADDR, \"end\": ADDR}"},
      {"migrate_pages",
       "migrate one page (isolate_lru_page, migrate_pages) to a free page of a node, compaction-style "
       "(no mmap_sem); args {\"page\": NAME, \"to_node\": N, \"passes\": 1..10 (default 1)}"},
  };
  return all;
}

ActorCall parse_actor(const std::string& actor, const nlohmann::json& args, const Kernel& initial,
                      const std::string& file, const std::string& actor_pointer,
                      const std::string& args_pointer) {
  ActorCall call;
  call.actor = actor;
  JsonInput in(args, file, args_pointer);
  in.expect_object();
  if (actor == "ksm_run_store") {
    call.value = static_cast<unsigned>(in.at("value").as_int(0, 2));
  } else if (actor == "madvise_unmergeable") {
    JsonInput mm = in.at("mm");
    std::string name = mm.as_string();
    for (std::size_t i = 0; i < initial.mms.size(); ++i)
      if (initial.mms[i].name == name) call.mm = static_cast<std::uint32_t>(i);
    if (call.mm == ActorCall::kNoMm) mm.error("no mm named \"" + name + "\"");
    JsonInput start = in.at("start");
    call.start = start.as_address();
    JsonInput end = in.at("end");
    call.end = end.as_address();
    if (call.end <= call.start) end.error("end must be above start");
    int v = initial.find_vma(call.mm, call.start);
    if (v < 0) start.error("no vma of mm " + name + " contains this address");
    if (initial.vmas[static_cast<std::size_t>(v)].end < call.end)
      end.error("the range must lie in one vma (the vma containing start ends below end)");
  } else if (actor == "migrate_pages") {
    JsonInput page = in.at("page");
    std::string name = page.as_string();
    for (std::size_t i = 0; i < initial.pages.size(); ++i)
      if (initial.pages[i].name == name) call.page = static_cast<PageId>(i);
    if (call.page == kNoPage) page.error("no page named \"" + name + "\"");
    if (initial.pages[call.page].in_free_pool) page.error("page " + name + " is free: nothing to migrate");
    call.to_node = static_cast<int>(in.at("to_node").as_int(0, initial.ksm.nr_node_ids - 1));
    if (in.has("passes")) call.passes = static_cast<int>(in.at("passes").as_int(1, 10));
  } else {
    std::string known;
    for (const ActorInfo& a : actor_catalogue()) known += std::string(known.empty() ? "" : ", ") + a.name;
    throw InputError(file, actor_pointer, "unknown actor \"" + actor + "\" (known: " + known + ")");
  }
  in.done();
  return call;
}

void run_actor(Kernel& k, const ActorCall& call) {
  if (call.actor == "ksm_run_store") {
    run_store(k, call.value);
  } else if (call.actor == "madvise_unmergeable") {
    madvise_unmergeable(k, call.mm, call.start, call.end);
  } else if (call.actor == "migrate_pages") {
    migrate_one_page(k, call.page, call.to_node, call.passes);
  } else {
    throw std::logic_error("internal error: actor \"" + call.actor + "\" has no body");
  }
}

}  // namespace model
