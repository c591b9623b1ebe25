// checkpoint.cpp: the engine's serialized forms (checkpoint.h): the checkpoint
// document with the save/load of the two strategies that support it
// (DporStrategy, DfsStrategy), and the hand-out messages of a distributed
// search (a task, a task's outcome), which share their JSON pieces.
#include "checkpoint.h"

#include <bit>
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "dfs.h"
#include "dpor.h"
#include "execution.h"

namespace checker::detail {

namespace {

using json = nlohmann::json;

constexpr const char* kFormat = "mmcheck-engine-checkpoint";
// 2: an access says whether it may refine; 3: the first unmodelled path kept
// (Options::past_unsupported) and counted.
constexpr std::uint64_t kVersion = 3;
/// Wakeup trees nest one level per event of a reversal; a live search on the
/// scenarios this engine serves nests a few hundred. The loader recurses once
/// per level, so deeper documents are refused rather than risk the stack.
constexpr std::size_t kMaxNesting = 10000;

bool has(ThreadMask m, ThreadId t) { return t < 64 && (m >> t) & 1; }

/// A JSON value being read, with its JSON pointer for errors.
class In {
 public:
  In(const json& j, std::string ptr) : j_(j), ptr_(std::move(ptr)) {}

  [[noreturn]] void fail(const std::string& what) const {
    throw CheckpointError("at " + (ptr_.empty() ? std::string("/") : ptr_) + ": " + what);
  }
  In at(const char* key) const {
    if (!j_.is_object()) fail("expected an object");
    auto it = j_.find(key);
    if (it == j_.end()) fail(std::string("missing \"") + key + "\"");
    return In(*it, ptr_ + "/" + key);
  }
  bool has_key(const char* key) const { return j_.is_object() && j_.contains(key); }
  In at(std::size_t i) const { return In(j_.at(i), ptr_ + "/" + std::to_string(i)); }
  std::size_t size() const {
    if (!j_.is_array()) fail("expected an array");
    return j_.size();
  }
  /// An array of exactly n elements.
  void tuple(std::size_t n) const {
    if (size() != n) fail("expected an array of " + std::to_string(n) + " elements");
  }
  std::uint64_t u64(std::uint64_t max = UINT64_MAX) const {
    if (!j_.is_number_unsigned()) fail("expected a non-negative integer");
    std::uint64_t v = j_.get<std::uint64_t>();
    if (v > max) fail("out of range (at most " + std::to_string(max) + ")");
    return v;
  }
  std::uint32_t u32() const { return static_cast<std::uint32_t>(u64(UINT32_MAX)); }
  bool boolean() const {
    if (!j_.is_boolean()) fail("expected true or false");
    return j_.get<bool>();
  }
  std::string string() const {
    if (!j_.is_string()) fail("expected a string");
    return j_.get<std::string>();
  }
  bool is_null() const { return j_.is_null(); }
  const json& value() const { return j_; }
  const std::string& ptr() const { return ptr_; }

 private:
  const json& j_;
  std::string ptr_;
};

// ---- shared pieces -----------------------------------------------------------

json access_json(const Access& a) {
  return json::array({a.object, static_cast<unsigned>(a.kind), a.parent, a.groups, a.may_refine});
}

Access access_from(const In& in) {
  in.tuple(5);
  Access a;
  a.object = in.at(std::size_t{0}).u32();
  std::uint64_t kind = in.at(1).u64(std::size(kAllAccessKinds) - 1);
  a.kind = kAllAccessKinds[kind];
  a.parent = in.at(2).u32();
  a.groups = static_cast<std::uint8_t>(in.at(3).u64(255));
  a.may_refine = in.at(4).boolean();
  a.label = "";
  return a;
}

std::vector<std::uint32_t> vals_from(const In& in) {
  std::vector<std::uint32_t> v;
  const std::size_t n = in.size();
  v.reserve(n);
  for (std::size_t i = 0; i < n; ++i) v.push_back(in.at(i).u32());
  return v;
}

ThreadId thread_from(const In& in, bool none_allowed) {
  std::uint64_t t = in.u64(UINT32_MAX);
  if (none_allowed && t == kNoThread) return kNoThread;
  if (t >= kMaxThreads) in.fail("not a thread id (0.." + std::to_string(kMaxThreads - 1) + ")");
  return static_cast<ThreadId>(t);
}

/// Values chosen below their ranges (a step's or the setup's choices).
void check_chosen(const In& in, const std::vector<std::uint32_t>& vals,
                  const std::vector<std::uint32_t>& ranges, bool zero_range_ok) {
  if (vals.size() != ranges.size()) in.fail("values and ranges of different lengths");
  for (std::size_t i = 0; i < vals.size(); ++i) {
    if (ranges[i] == 0 && zero_range_ok) continue;
    if (vals[i] >= ranges[i]) in.fail("value " + std::to_string(i) + " not below its range");
  }
}

json stats_json(const Stats& s) {
  return {{"executions", s.executions},       {"sleep_blocked", s.sleep_blocked},
          {"post_failure_runs", s.post_failure_runs}, {"total_steps", s.total_steps},
          {"max_depth", s.max_depth},         {"commutation_checks", s.commutation_checks},
          {"unsupported_executions", s.unsupported_executions},
          {"reach_label_seen", s.reach_label_seen},   {"reach_after_seen", s.reach_after_seen}};
}

Stats stats_from(const In& in) {
  Stats s;
  s.executions = in.at("executions").u64();
  s.sleep_blocked = in.at("sleep_blocked").u64();
  s.post_failure_runs = in.at("post_failure_runs").u64();
  s.total_steps = in.at("total_steps").u64();
  s.max_depth = in.at("max_depth").u64();
  s.commutation_checks = in.at("commutation_checks").u64();
  s.unsupported_executions = in.at("unsupported_executions").u64();
  // (Options::reach's name sightings: a task's, or another process's; absent before they were kept)
  if (in.has_key("reach_label_seen")) s.reach_label_seen = in.at("reach_label_seen").boolean();
  if (in.has_key("reach_after_seen")) s.reach_after_seen = in.at("reach_after_seen").u32();
  return s;
}

const char* strategy_name(const Options& o) {
  if (o.strategy == StrategyKind::Dpor && !o.preemption_bound) return "dpor";
  if (o.strategy == StrategyKind::Dfs || o.strategy == StrategyKind::Dpor) return "dfs";
  return nullptr;
}

// ---- DPOR --------------------------------------------------------------------

using Dp = DporStrategy;

json forest_json(const Dp::Forest& f);

json variant_json(const Dp::Variant& v) { return json::array({v.vals, forest_json(v.sub), v.ranges}); }

json forest_json(const Dp::Forest& f) {
  json out = json::array();
  for (const Dp::Group& g : f) {
    json vs = json::array();
    for (const Dp::Variant& v : g.variants) vs.push_back(variant_json(v));
    out.push_back(json::array({g.thread, access_json(g.access), std::move(vs), g.every}));
  }
  return out;
}

Dp::Forest forest_from(const In& in, std::size_t nesting);

Dp::Variant variant_from(const In& in, std::size_t nesting) {
  in.tuple(3);
  Dp::Variant v;
  v.vals = vals_from(in.at(std::size_t{0}));
  v.sub = forest_from(in.at(1), nesting + 1);
  v.ranges = vals_from(in.at(2));
  return v;
}

Dp::Forest forest_from(const In& in, std::size_t nesting) {
  if (nesting > kMaxNesting)
    in.fail("wakeup tree nested deeper than " + std::to_string(kMaxNesting) + " levels");
  Dp::Forest f;
  const std::size_t n = in.size();
  for (std::size_t i = 0; i < n; ++i) {
    In g = in.at(i);
    g.tuple(4);
    Dp::Group group;
    group.thread = thread_from(g.at(std::size_t{0}), false);
    group.access = access_from(g.at(1));
    In vs = g.at(2);
    for (std::size_t k = 0, m = vs.size(); k < m; ++k)
      group.variants.push_back(variant_from(vs.at(k), nesting));
    group.every = g.at(3).boolean();
    f.push_back(std::move(group));
  }
  return f;
}

json schedule_json(const Schedule& sched) {
  json schedule = json::array();
  for (const Choice& c : sched)
    schedule.push_back(json::array({static_cast<unsigned>(c.kind), c.value, c.range}));
  return schedule;
}

Schedule schedule_from(const In& sched) {
  Schedule schedule;
  for (std::size_t i = 0, n = sched.size(); i < n; ++i) {
    In c = sched.at(i);
    c.tuple(3);
    Choice choice;
    choice.kind = c.at(std::size_t{0}).u64(1) == 0 ? Choice::Kind::Thread : Choice::Kind::Value;
    choice.value = c.at(1).u32();
    choice.range = c.at(2).u32();
    schedule.push_back(choice);
  }
  return schedule;
}

json psleep_json(const Dp::PSleep& ps) {
  json out = json::array();
  for (const Dp::Slept& e : ps) out.push_back(json::array({e.thread, e.vals, e.ranges}));
  return out;
}

Dp::PSleep psleep_from(const In& in, std::size_t threads) {
  Dp::PSleep ps;
  for (std::size_t i = 0, n = in.size(); i < n; ++i) {
    In e = in.at(i);
    e.tuple(3);
    Dp::Slept s;
    s.thread = thread_from(e.at(std::size_t{0}), false);
    if (s.thread >= threads) e.at(std::size_t{0}).fail("a thread this point does not have");
    s.vals = vals_from(e.at(1));
    s.ranges = vals_from(e.at(2));
    if (s.ranges.size() != s.vals.size()) e.fail("values and ranges of different lengths");
    ps.push_back(std::move(s));
  }
  return ps;
}

/// A point of a DPOR path as its strategy replays it (a checkpoint's path, a
/// task's prefix); a checkpoint adds the point's unexplored branches.
json node_json(const Dp::Node& n) {
  json pending = json::array();
  for (const Access& a : n.pending) pending.push_back(access_json(a));
  return {{"enabled", n.enabled}, {"sleep", n.sleep},   {"psleep", psleep_json(n.psleep)},
          {"previous", n.previous}, {"pending", std::move(pending)}, {"thread", n.thread},
          {"ran", access_json(n.ran)}, {"vals", n.vals}, {"ranges", n.ranges},
          {"all_values", n.all_values}, {"preemptions", n.preemptions}};
}

/// node_json() read back; every thread it names is one the point has, and
/// the thread it runs is enabled there.
Dp::Node node_from(const In& p) {
  Dp::Node n;
  In pend = p.at("pending");
  if (pend.size() > kMaxThreads) pend.fail("more threads than the engine runs");
  for (std::size_t t = 0; t < pend.size(); ++t) n.pending.push_back(access_from(pend.at(t)));
  const std::size_t threads = n.pending.size();
  const ThreadMask all = threads >= 64 ? ~ThreadMask{0} : (ThreadMask{1} << threads) - 1;
  n.enabled = p.at("enabled").u64();
  if (n.enabled & ~all) p.at("enabled").fail("a thread this point does not have");
  n.sleep = p.at("sleep").u64();
  if (n.sleep & ~all) p.at("sleep").fail("a thread this point does not have");
  n.psleep = psleep_from(p.at("psleep"), threads);
  n.previous = thread_from(p.at("previous"), true);
  n.thread = thread_from(p.at("thread"), false);
  if (!has(n.enabled, n.thread)) p.at("thread").fail("a thread not enabled at this point");
  n.ran = access_from(p.at("ran"));
  n.vals = vals_from(p.at("vals"));
  n.ranges = vals_from(p.at("ranges"));
  n.all_values = p.at("all_values").boolean();
  n.preemptions = static_cast<unsigned>(p.at("preemptions").u32());
  return n;
}

}  // namespace

void Strategy::load(const nlohmann::json&) {
  throw CheckpointError("this search strategy keeps no checkpoints");
}

bool DporStrategy::save(nlohmann::json& out) const {
  if (floor_ != npos_) return false;  // a task's strategy: its branch only
  json path = json::array();
  for (const Node& n : path_) {
    json node = node_json(n);
    json variants = json::array();
    for (const Variant& v : n.variants) variants.push_back(variant_json(v));
    node["variant"] = n.variant;
    node["variants"] = std::move(variants);
    node["later"] = forest_json(n.later);
    node["done"] = n.done;
    path.push_back(std::move(node));
  }
  out = {{"root_vals", root_vals_},   {"root_ranges", root_ranges_}, {"fresh_from", fresh_from_},
         {"infeasible", infeasible_}, {"lost", lost_},               {"path", std::move(path)}};
  return true;
}

void DporStrategy::load(const nlohmann::json& j) {
  In in(j, "/state");
  root_vals_ = vals_from(in.at("root_vals"));
  root_ranges_ = vals_from(in.at("root_ranges"));
  check_chosen(in.at("root_vals"), root_vals_, root_ranges_, false);
  infeasible_ = in.at("infeasible").u64();
  lost_ = in.at("lost").u64();
  In path = in.at("path");
  path_.clear();
  for (std::size_t k = 0, size = path.size(); k < size; ++k) {
    In p = path.at(k);
    Node n = node_from(p);
    In variants = p.at("variants");
    for (std::size_t i = 0, m = variants.size(); i < m; ++i)
      n.variants.push_back(variant_from(variants.at(i), 1));
    n.variant = p.at("variant").u64(UINT32_MAX);
    if (n.all_values) {
      check_chosen(p.at("vals"), n.vals, n.ranges, false);
    } else {
      check_chosen(p.at("vals"), n.vals, n.ranges, true);
      if (n.variant >= n.variants.size()) p.at("variant").fail("no such variant");
      if (n.variants[n.variant].vals != n.vals) p.at("vals").fail("not the values of its variant");
    }
    n.later = forest_from(p.at("later"), 1);
    n.preemptions = static_cast<unsigned>(p.at("preemptions").u32());
    n.done = p.at("done").u32();
    path_.push_back(std::move(n));
  }
  fresh_from_ = in.at("fresh_from").u64(path_.size());
  depth_ = 0;
  scratch_ = Scratch{};
  floor_ = npos_;
  resuming_ = true;
}

bool DporStrategy::refresh_loaded(Node& n, const SchedulingPoint& sp) {
  bool same = n.enabled == sp.enabled && n.pending.size() == sp.pending.size();
  for (std::size_t t = 0; same && t < n.pending.size(); ++t) {
    if (!has(sp.enabled | sp.waiting, static_cast<ThreadId>(t))) continue;
    const Access& a = n.pending[t];
    const Access& b = sp.pending[t];
    same = a.object == b.object && a.kind == b.kind && a.parent == b.parent && a.groups == b.groups &&
           a.may_refine == b.may_refine;
  }
  if (!same) {
    abort_ = "scheduling point " + std::to_string(depth_) +
             " of the checkpoint's path is not the program's (other threads enabled or other "
             "operations pending)";
    return false;
  }
  n.pending.assign(sp.pending.begin(), sp.pending.end());
  return true;
}

// ---- DFS ---------------------------------------------------------------------

bool DfsStrategy::save(nlohmann::json& out) const {
  json path = json::array();
  for (const Node& n : path_)
    path.push_back(json::array({n.is_value, n.chosen, n.allowed, n.range, n.preemptions, n.previous}));
  out = {{"bound_hit", bound_hit_}, {"path", std::move(path)}};
  return true;
}

void DfsStrategy::load(const nlohmann::json& j) {
  In in(j, "/state");
  bound_hit_ = in.at("bound_hit").boolean();
  In path = in.at("path");
  path_.clear();
  for (std::size_t k = 0, size = path.size(); k < size; ++k) {
    In p = path.at(k);
    p.tuple(6);
    Node n;
    n.is_value = p.at(std::size_t{0}).boolean();
    n.chosen = p.at(1).u32();
    n.allowed = p.at(2).u64();
    n.range = p.at(3).u32();
    n.preemptions = static_cast<unsigned>(p.at(4).u32());
    n.previous = thread_from(p.at(5), true);
    if (n.is_value ? n.chosen >= n.range : !has(n.allowed, n.chosen))
      p.at(1).fail(n.is_value ? "value not below its range" : "a thread not allowed at this point");
    path_.push_back(n);
  }
  depth_ = 0;
}

// ---- the document ------------------------------------------------------------

std::string write_checkpoint(const Strategy& s, const Options& options, const Report& report) {
  const char* name = strategy_name(options);
  json state;
  if (!name || !s.save(state))
    throw CheckpointError("checkpoints are kept for dpor and dfs searches only");
  json failure = nullptr;
  if (report.counterexample)
    failure = {{"verdict", static_cast<unsigned>(report.verdict)},
               {"schedule", schedule_json(report.counterexample->schedule)}};
  json doc = {{"format", kFormat},
              {"version", kVersion},
              {"strategy", name},
              {"preemption_bound", options.preemption_bound ? json(*options.preemption_bound) : json(nullptr)},
              {"past_unsupported", options.past_unsupported},
              {"stats", stats_json(report.stats)},
              {"failure", std::move(failure)},
              {"unsupported", report.unsupported ? schedule_json(report.unsupported->schedule) : json(nullptr)},
              {"state", std::move(state)}};
  return doc.dump();
}

Resumed read_checkpoint(const std::string& text, const Options& options, Strategy& s) {
  json doc = json::parse(text, nullptr, false);
  if (doc.is_discarded()) throw CheckpointError("not JSON");
  In in(doc, "");
  if (in.at("format").string() != kFormat) in.at("format").fail("not an engine checkpoint");
  if (in.at("version").u64() != kVersion)
    in.at("version").fail("version " + std::to_string(in.at("version").u64()) + ", this engine reads " +
                          std::to_string(kVersion));
  const char* name = strategy_name(options);
  if (!name) throw CheckpointError("checkpoints are kept for dpor and dfs searches only");
  std::string saved = in.at("strategy").string();
  if (saved != name)
    in.at("strategy").fail("a " + saved + " search's checkpoint, this search is " + name);
  In bound = in.at("preemption_bound");
  std::optional<unsigned> b;
  if (!bound.is_null()) b = bound.u32();
  if (b != options.preemption_bound) bound.fail("taken under another preemption bound");
  if (in.at("past_unsupported").boolean() != options.past_unsupported)
    in.at("past_unsupported").fail(options.past_unsupported
                                       ? "taken by a search that stops at an unmodelled path, this one goes past it"
                                       : "taken by a search that goes past an unmodelled path, this one stops at it");
  Resumed r;
  r.stats = stats_from(in.at("stats"));
  In failure = in.at("failure");
  if (!failure.is_null()) {
    std::uint64_t v = failure.at("verdict").u64(static_cast<unsigned>(Verdict::Unsupported));
    r.verdict = static_cast<Verdict>(v);
    if (r.verdict == Verdict::Pass) failure.at("verdict").fail("a failure cannot pass");
    r.failure = schedule_from(failure.at("schedule"));
  }
  if (!in.at("unsupported").is_null()) r.unsupported = schedule_from(in.at("unsupported"));
  In state = in.at("state");
  if (!state.value().is_object()) state.fail("expected an object");
  s.load(state.value());
  return r;
}

// ---- hand-out messages -------------------------------------------------------

namespace {

json event_json(const Dp::Event& e) {
  return json::array({e.thread, access_json(e.access), e.vals, e.open});
}

Dp::Event event_from(const In& in) {
  in.tuple(4);
  Dp::Event e;
  e.thread = thread_from(in.at(std::size_t{0}), true);  // kNoThread: a race's guard (dpor.cpp)
  e.access = access_from(in.at(1));
  e.vals = vals_from(in.at(2));
  e.open = in.at(3).boolean();
  return e;
}

json parse_message(const std::string& text) {
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded()) throw CheckpointError("a hand-out message that is not JSON");
  return j;
}

}  // namespace

std::string task_to_text(const Dp::Task& t) {
  json key = json::array();
  for (const auto& [thread, vals] : t.key) key.push_back(json::array({thread, vals}));
  Dp::Forest one{t.group};
  json prefix = json::array();
  for (const Dp::Node& n : t.prefix) prefix.push_back(node_json(n));
  json j = {{"key", std::move(key)},     {"depth", t.depth},
            {"group", forest_json(one)}, {"sleep", t.sleep},
            {"psleep", psleep_json(t.psleep)}, {"prefix", std::move(prefix)}};
  return j.dump();
}

Dp::Task task_from_text(const std::string& text) {
  json j = parse_message(text);
  In in(j, "");
  Dp::Task t;
  In key = in.at("key");
  for (std::size_t i = 0; i < key.size(); ++i) {
    In k = key.at(i);
    k.tuple(2);
    t.key.emplace_back(thread_from(k.at(std::size_t{0}), true), vals_from(k.at(1)));
  }
  t.depth = in.at("depth").u64();
  Dp::Forest one = forest_from(in.at("group"), 1);
  if (one.size() != 1) in.at("group").fail("expected one group");
  t.group = std::move(one.front());
  t.sleep = in.at("sleep").u64();
  t.psleep = psleep_from(in.at("psleep"), kMaxThreads);
  In prefix = in.at("prefix");
  for (std::size_t i = 0; i < prefix.size(); ++i) t.prefix.push_back(node_from(prefix.at(i)));
  if (t.key.empty() || t.prefix.size() != t.depth + 1) in.fail("a task whose key, depth and prefix disagree");
  return t;
}

std::string outcome_to_text(const TaskOutcome& o) {
  json exports = json::array();
  for (const auto& [k, events] : o.result.exports) {
    json ev = json::array();
    for (const Dp::Event& e : events) ev.push_back(event_json(e));
    exports.push_back(json::array({k, std::move(ev)}));
  }
  const Stats& s = o.stats;
  json j = {{"stats", stats_json(s)},
            {"tasks_taken", s.tasks_taken},
            {"tasks_redone", s.tasks_redone},
            {"interrupted", s.interrupted},
            {"complete", s.complete},
            {"verdict", static_cast<unsigned>(o.verdict)},
            {"failure", o.failure ? schedule_json(*o.failure) : json(nullptr)},
            {"unsupported", o.unsupported ? schedule_json(*o.unsupported) : json(nullptr)},
            {"exports", std::move(exports)},
            {"sleep_add", o.result.sleep_add},
            {"psleep_add", psleep_json(o.result.psleep_add)},
            {"infeasible", o.result.infeasible},
            {"lost", o.result.lost},
            {"error", o.error}};
  return j.dump();
}

TaskOutcome outcome_from_text(const std::string& text) {
  json j = parse_message(text);
  In in(j, "");
  TaskOutcome o;
  o.stats = stats_from(in.at("stats"));
  o.stats.tasks_taken = in.at("tasks_taken").u64();
  o.stats.tasks_redone = in.at("tasks_redone").u64();
  o.stats.interrupted = in.at("interrupted").boolean();
  o.stats.complete = in.at("complete").boolean();
  o.verdict = static_cast<Verdict>(in.at("verdict").u64(static_cast<unsigned>(Verdict::Unsupported)));
  if (!in.at("failure").is_null()) o.failure = schedule_from(in.at("failure"));
  if (!in.at("unsupported").is_null()) o.unsupported = schedule_from(in.at("unsupported"));
  In exports = in.at("exports");
  for (std::size_t i = 0; i < exports.size(); ++i) {
    In x = exports.at(i);
    x.tuple(2);
    std::vector<Dp::Event> events;
    In ev = x.at(1);
    for (std::size_t e = 0; e < ev.size(); ++e) events.push_back(event_from(ev.at(e)));
    o.result.exports.emplace_back(x.at(std::size_t{0}).u64(), std::move(events));
  }
  o.result.sleep_add = in.at("sleep_add").u64();
  o.result.psleep_add = psleep_from(in.at("psleep_add"), kMaxThreads);
  o.result.infeasible = in.at("infeasible").u64();
  o.result.lost = in.at("lost").u64();
  o.error = in.at("error").string();
  return o;
}

std::uint64_t begin_piece(Program& program, Strategy& s, const Options& options, Report& report) {
  if (!options.resume) return 0;
  Resumed r = read_checkpoint(*options.resume, options, s);
  Stats& st = report.stats;
  st.executions = r.stats.executions;
  st.sleep_blocked = r.stats.sleep_blocked;
  st.post_failure_runs = r.stats.post_failure_runs;
  st.total_steps = r.stats.total_steps;
  st.max_depth = r.stats.max_depth;
  st.commutation_checks = r.stats.commutation_checks;
  st.unsupported_executions = r.stats.unsupported_executions;
  st.resumed_executions = r.stats.executions;
  auto again = [&](const Schedule& s, Verdict want, const char* where) {
    std::optional<Counterexample> c =
        replay_failure(program, s, want, options.max_steps, options.reach ? &*options.reach : nullptr);
    if (!c) throw CheckpointError(std::string("at ") + where + ": the failure it records does not happen on this program");
    return std::move(*c);
  };
  if (r.failure) {
    report.verdict = r.verdict;
    report.counterexample = again(*r.failure, r.verdict, "/failure");
  }
  if (r.unsupported) report.unsupported = again(*r.unsupported, Verdict::Unsupported, "/unsupported");
  return st.executions;
}

void check_replayed(const Execution& ex, const Strategy& s) {
  if (ex.aborted() && !s.last_was_redundant())
    throw CheckpointError("at /state/path: the path it continues from does not replay on this "
                          "program: " + s.abort_reason());
}

}  // namespace checker::detail
