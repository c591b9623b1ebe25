// scenario.cpp: loading and validating a scenario file, the Program that
// runs it, and the catalogues offered to the CLI.
//
// Invariant: a Scenario returned by load()/parse() is fully validated (every
// reference resolved, every count consistent, every fix of the named era);
// make_program() only copies validated data, so exploration never meets bad input.
#include "model/scenario.h"

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <cstdio>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <sstream>

#include "json_input.h"
#include "pmd_input.h"
#include "model/actors.h"
#include "model/initial_state.h"
#include "model/fork.h"
#include "model/input_limits.h"
#include "model/hmm.h"
#include "model/invariants.h"
#include "model/kernel.h"
#include "model/migrate_v4_19.h"
#include "model/mremap.h"
#include "model/path_stats.h"
#include "model/ksm.h"
#include "model/swapfile_v4_19.h"
#include "model/thread_events.h"

namespace model {

namespace {

/// The mm named `name`, or -1.
int mm_index(const Kernel& k, const nlohmann::json& name) {
  if (!name.is_string()) return -1;
  for (std::size_t i = 0; i < k.mms.size(); ++i)
    if (k.mms[i].name == name.get<std::string>()) return static_cast<int>(i);
  return -1;
}

/// 4.19: the state a thread acting on a fork's child meets. dup_mmap's copy_huge_pmd gives
/// the child each huge pmd (write-protected in both) and pmd migration entry (read) of the
/// parent over the child's declared none pmd, and such a thread starts after dup_mmap
/// (start_after, required of a child's tasks), so its arguments are judged against that
/// copy, not the none pmd the scenario declares for the child. Empty: no fork of a huge pmd.
std::optional<Kernel> forked_pmd_view(const Kernel& k, const JsonInput& threads) {
  std::optional<Kernel> view;
  if (k.config.era != Era::V4_19) return view;
  for (std::size_t i = 0; i < threads.size(); ++i) {
    const nlohmann::json& t = threads.at(i).json();
    if (!t.is_object() || t.value("actor", nlohmann::json()) != "fork" || !t.contains("args") ||
        !t.at("args").is_object())
      continue;
    const int mm = mm_index(k, t.at("args").value("mm", nlohmann::json()));
    const int child = mm_index(k, t.at("args").value("child", nlohmann::json()));
    if (mm < 0 || child < 0 || mm == child) continue;
    for (const auto& [addr, slot] : k.mms[static_cast<std::size_t>(mm)].pmds) {
      const std::optional<Pmd> copied =
          v4_19::forked_huge_pmd(k, static_cast<std::uint32_t>(mm), static_cast<std::uint32_t>(child), addr);
      if (!copied) continue;
      if (!view) view.emplace(k);
      view->mms[static_cast<std::size_t>(child)].pmds.at(addr).pmd = *copied;
      view->mms[static_cast<std::size_t>(mm)].pmds.at(addr).pmd.write = false;
    }
  }
  return view;
}

/// The mm a thread's arguments name ("mm", or an HMM range's mm), or -1.
int thread_mm(const Kernel& k, const nlohmann::json& t) {
  if (!t.is_object() || !t.contains("args") || !t.at("args").is_object()) return -1;
  const nlohmann::json& a = t.at("args");
  if (a.contains("mm")) return mm_index(k, a.at("mm"));
  if (a.contains("range") && a.at("range").is_string())
    for (const HmmRange& r : k.hmm_ranges)
      if (r.name == a.at("range").get<std::string>()) return static_cast<int>(r.mm);
  return -1;
}

/// A none pte slot at (mm, addr) when the address lies in a vma of mm under a page table
/// and no pte is declared there. The table: a table pmd declared (4.19) or, before 4.19,
/// the mm's one pmd unless it was declared none.
void add_none_pte(Kernel& k, std::uint32_t mm, std::uint64_t addr) {
  if (k.find_vma(mm, addr) < 0 || k.mms[mm].ptes.count(addr)) return;
  const PmdSlot* pmd = k.pmd_slot(mm, addr);
  if (pmd && !pmd->pmd.is_table()) return;
  if (!pmd && (k.config.era == Era::V4_19 || k.mms[mm].no_page_table)) return;
  if (!pmd && !pte_table_error(k, mm, addr).empty()) return;  // populates the mm's table pmd
  PteSlot slot;
  slot.address = addr;
  k.mms[mm].ptes.emplace(addr, slot);
}

/// A page of a vma that no pte names is pte_none, as an untouched page of an anonymous
/// mapping is: the (mm, address) a thread names, and a fork child's copy of each of its
/// parent's ptes, get a none slot when the scenario declares none there. Malformed
/// arguments are left to the actor's own parse, which names them.
void add_implicit_none_ptes(Kernel& k, const JsonInput& threads) {
  for (std::size_t i = 0; i < threads.size(); ++i) {
    const nlohmann::json& t = threads.at(i).json();
    if (!t.is_object() || !t.contains("args") || !t.at("args").is_object()) continue;
    const nlohmann::json& a = t.at("args");
    const int mm = mm_index(k, a.value("mm", nlohmann::json()));
    if (mm < 0) continue;
    if (a.contains("address")) {
      try {
        const std::uint64_t addr = threads.at(i).at("args").at("address").as_address();
        add_none_pte(k, static_cast<std::uint32_t>(mm), addr);
      } catch (const InputError&) {
      }
    }
    const int child = t.value("actor", nlohmann::json()) == "fork" ? mm_index(k, a.value("child", nlohmann::json())) : -1;
    if (child >= 0 && child != mm) {
      std::vector<std::uint64_t> addrs;
      for (const auto& [addr, slot] : k.mms[static_cast<std::size_t>(mm)].ptes) addrs.push_back(addr);
      for (std::uint64_t addr : addrs) add_none_pte(k, static_cast<std::uint32_t>(child), addr);
    }
  }
}

std::string fnv1a64(const std::string& s) {
  std::uint64_t h = 1469598103934665603ull;
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ull;
  }
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

/// What make_program() needs, validated once at load time.
struct Validated {
  Kernel initial;                     ///< the template every execution copies
  std::vector<ActorCall> calls;       ///< by thread
  std::vector<std::string> names;     ///< thread names
  std::vector<std::string> invariants;
  /// By thread: the (thread, event) it starts after ("start_after"), or none.
  struct StartAfter {
    checker::ThreadId thread = checker::kNoThread;
    ThreadEvents::Event event = ThreadEvents::Done;
  };
  std::vector<StartAfter> start_after;
  std::vector<std::uint32_t> wanted;  ///< by thread: the events some thread waits for
  bool any_start_after = false;

  /// Whether thread t starts after thread `waited`'s `done` (or, with dup_mmap_too, its
  /// `dup_mmap`), directly or through a chain of start_after waits: a thread starts after
  /// the one it waits on has started, so every hop keeps the order. (Cycles are refused
  /// before this is asked; the hop bound only keeps a bad table from looping.)
  bool starts_after(std::size_t t, std::size_t waited, bool dup_mmap_too) const {
    for (std::size_t hops = 0; hops <= start_after.size() && start_after[t].thread != checker::kNoThread; ++hops) {
      const StartAfter& after = start_after[t];
      if (after.thread == static_cast<checker::ThreadId>(waited) &&
          (after.event == ThreadEvents::Done || (dup_mmap_too && after.event == ThreadEvents::DupMmap)))
        return true;
      t = after.thread;
    }
    return false;
  }
};

/// Runs one scenario: each execution copies the initial Kernel, creates its
/// checker objects, switches on the invariants and spawns the actors.
class ScenarioProgram : public checker::Program {
 public:
  ScenarioProgram(std::shared_ptr<const Validated> v, std::shared_ptr<PathStats> paths)
      : v_(std::move(v)), paths_(std::move(paths)) {}

  void setup() override {
    // Assigned over the last execution's kernel: its vectors, maps and strings keep their storage.
    if (kernel_) *kernel_ = v_->initial;
    else kernel_ = std::make_unique<Kernel>(v_->initial);
    kernel_->create_objects();
    if (paths_) {
      kernel_->outcomes.bits.assign(v_->calls.size(), 0);
      kernel_->outcomes.finished.assign(v_->calls.size(), false);
    }
    for (const std::string& inv : v_->invariants) install_invariant(*kernel_, inv);
    if (v_->any_start_after) {
      // Created after every kernel object, so scenarios without start_after keep their ids.
      kernel_->events.obj = checker::new_object("thread_events");
      kernel_->events.wanted = v_->wanted;
      kernel_->events.emitted.assign(v_->wanted.size(), 0);
      kernel_->events.ended.assign(v_->wanted.size(), false);
    }
    for (std::size_t t = 0; t < v_->calls.size(); ++t) {
      const ActorCall* call = &v_->calls[t];
      const Validated::StartAfter* after = &v_->start_after[t];
      Kernel* k = kernel_.get();
      checker::spawn(v_->names[t], [k, call, after] {
        if (after->thread != checker::kNoThread && !k->events.wait_for(after->thread, after->event)) {
          // The awaited thread ended without the event on this schedule: this thread
          // does not start (and its own waiters, if any, do not either).
          k->outcomes.record(Outcome::NotStarted);
          k->outcomes.finish();
          k->events.finish();
          return;
        }
        run_actor(*k, *call);
        k->outcomes.finish();
        k->events.emit(ThreadEvents::Done);
        k->events.finish();
      });
    }
    // After every declared thread (their ids are their indices): an asynchronous
    // reclaimer's write completes on a CPU of its own (bio_thread_name).
    for (std::size_t t = 0; t < v_->calls.size(); ++t) {
      if (!v_->calls[t].async_write) continue;
      Kernel* k = kernel_.get();
      const PageId page = v_->calls[t].page;
      const auto reclaimer = static_cast<checker::ThreadId>(t);
      checker::spawn(bio_thread_name(v_->names[t]), [k, reclaimer, page] { swap_bio_completion(*k, reclaimer, page); });
    }
  }

  std::string state_fingerprint() override { return kernel_ ? kernel_->fingerprint() : std::string(); }

  void teardown() override {
    if (paths_ && kernel_) paths_->add(kernel_->outcomes);
  }

 private:
  std::shared_ptr<const Validated> v_;
  std::shared_ptr<PathStats> paths_;  ///< null: outcomes are not counted
  std::unique_ptr<Kernel> kernel_;  ///< this execution's machine (rebuilt by each setup())
};

}  // namespace

namespace {

/// Builds the document through nlohmann's DOM builder while it keeps the JSON
/// pointer of the value being read, so every limit and every syntax error is
/// reported where it happens: nesting deeper than kMaxJsonDepth, a key twice
/// in one object, a number that does not fit a double.
class BoundedSax {
 public:
  using json = nlohmann::json;
  BoundedSax(json& root, const std::string& file) : dom_(root), file_(file) {}

  bool null() { return value(), dom_.null(); }
  bool boolean(bool v) { return value(), dom_.boolean(v); }
  bool number_integer(json::number_integer_t v) { return value(), dom_.number_integer(v); }
  bool number_unsigned(json::number_unsigned_t v) { return value(), dom_.number_unsigned(v); }
  bool number_float(json::number_float_t v, const json::string_t& s) { return value(), dom_.number_float(v, s); }
  bool string(json::string_t& v) { return value(), dom_.string(v); }
  bool binary(json::binary_t& v) { return value(), dom_.binary(v); }
  bool start_object(std::size_t n) {
    open();
    levels_.push_back(Level{true, 0, {}, false, {}});
    return dom_.start_object(n);
  }
  bool key(json::string_t& k) {
    Level& l = levels_.back();
    l.key = k;
    l.key_pending = true;
    if (!l.keys.insert(k).second)
      fail(true, "duplicate key " + quote_input(k) + " (JSON allows each key once per object)");
    return dom_.key(k);
  }
  bool end_object() {
    levels_.pop_back();
    return dom_.end_object();
  }
  bool start_array(std::size_t n) {
    open();
    levels_.push_back(Level{false, 0, {}, false, {}});
    return dom_.start_array(n);
  }
  bool end_array() {
    levels_.pop_back();
    return dom_.end_array();
  }
  template <class Exception>
  bool parse_error(std::size_t position, const std::string& token, const Exception& ex) {
    if (ex.id == 406)  // out_of_range: a number beyond a double
      fail(true, "number " + quote_input(token) + " does not fit a double");
    // nlohmann's text: "[json.exception.parse_error.101] parse error at line 1,
    // column 5: syntax error while parsing value - invalid literal; last read: '...'"
    std::string what = ex.what();
    if (auto p = what.find("] "); what.rfind("[json.exception", 0) == 0 && p != std::string::npos)
      what.erase(0, p + 2);
    if (auto p = what.find("; last read: '"); p != std::string::npos) what.erase(p);
    if (what.size() > 200) what = excerpt(what, 200);
    fail(false, "malformed JSON: " + what + (token.empty() ? "" : "; last read: " + quote_input(token)) +
                    " (byte " + std::to_string(position) + ")");
  }

 private:
  struct Level {
    bool object;
    std::size_t index;           // arrays: elements started so far
    std::string key;             // objects: the last key read
    bool key_pending;            // objects: that key's value has not been read yet
    std::set<std::string> keys;  // objects: the keys read so far
  };

  /// The pointer of the innermost open value; with `at_value` (a value about
  /// to be read) an array's next element too.
  std::string pointer(bool at_value) const {
    std::string p;
    for (std::size_t i = 0; i < levels_.size(); ++i) {
      const Level& l = levels_[i];
      const bool last = i + 1 == levels_.size();
      if (l.object) {
        if (!last || l.key_pending) p += "/" + pointer_token(l.key);
      } else if (!last) {
        p += "/" + std::to_string(l.index - 1);
      } else if (at_value) {
        p += "/" + std::to_string(l.index);
      }
    }
    return p;
  }
  [[noreturn]] void fail(bool at_value, const std::string& what) const {
    throw InputError(file_, pointer(at_value), what);
  }

  /// A value starts in the innermost array or object.
  void value() {
    if (levels_.empty()) return;
    Level& l = levels_.back();
    if (l.object) l.key_pending = false;
    else ++l.index;
  }
  void open() {
    if (levels_.size() >= kMaxJsonDepth)
      fail(true, "nested deeper than " + std::to_string(kMaxJsonDepth) + " arrays and objects");
    value();
  }

  nlohmann::detail::json_sax_dom_parser<json> dom_;
  const std::string& file_;
  std::vector<Level> levels_;
};

}  // namespace

nlohmann::json load_json_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    int e = errno;
    throw InputError(path, "", std::string("cannot open file: ") + std::strerror(e));
  }
  // At most kMaxFileBytes: read one byte more to see a larger file.
  std::string text;
  text.resize(kMaxFileBytes + 1);
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  if (in.bad()) {
    int e = errno;
    throw InputError(path, "", std::string("cannot read file: ") + std::strerror(e));
  }
  text.resize(static_cast<std::size_t>(in.gcount()));
  if (text.size() > kMaxFileBytes)
    throw InputError(path, "", "file larger than " + std::to_string(kMaxFileBytes >> 20) +
                                   " MiB; scenario and trace files are at most that");
  return parse_json_text(text, path);
}

nlohmann::json parse_json_text(const std::string& text, const std::string& file) {
  nlohmann::json j;
  BoundedSax sax(j, file);
  nlohmann::json::sax_parse(text, &sax, nlohmann::json::input_format_t::json, true);
  return j;
}

Scenario Scenario::load(const std::string& path) {
  nlohmann::json j = load_json_file(path);
  return parse(j, path);
}

Scenario Scenario::parse(const nlohmann::json& j, const std::string& file) {
  JsonInput in(j, file, "");
  in.expect_object();
  Scenario s;
  s.file_ = file;
  s.json_ = j;
  s.hash_ = fnv1a64(j.dump());
  s.name_ = in.at("name").as_string();
  if (s.name_.empty()) in.at("name").error("empty scenario name");
  if (s.name_.size() > kMaxNameBytes) in.at("name").error("a name of more than " + std::to_string(kMaxNameBytes) + " bytes");
  s.summary_ = in.at("summary").as_string();
  if (in.has("seed")) {
    JsonInput seed = in.at("seed");
    s.seed_ = seed.as_string();
    if (s.seed_ != "000" && s.seed_ != "001" && s.seed_ != "002" && s.seed_ != "003" && s.seed_ != "004")
      seed.error("unknown seed \"" + s.seed_ + "\" (expected 000, 001, 002, 003 or 004: ../shared/seeds/README.md)");
  }

  // Era and reverted fixes.
  KernelConfig config;
  JsonInput kernel = in.at("kernel");
  s.era_ = kernel.as_string();
  if (!parse_era(s.era_, config.era)) kernel.error("unknown kernel era " + quote_input(s.era_) + " (expected 2.6.33, 3.9, 4.19)");
  if (in.has("reverted")) {
    JsonInput rev = in.at("reverted");
    rev.expect_array();
    for (std::size_t i = 0; i < rev.size(); ++i) {
      JsonInput r = rev.at(i);
      std::string id = r.as_string();
      const FixInfo* fix = find_fix(id);
      if (!fix) {
        std::string known;
        for (const FixInfo& f : fix_catalogue()) known += std::string(known.empty() ? "" : ", ") + f.id;
        r.error("unknown fix " + quote_input(id) + " (known: " + known + ")");
      }
      if (!(fix->eras & era_bit(config.era)))
        r.error("fix " + id + " (" + quote_input(fix->title) + ") belongs to kernel " + era_names(fix->eras) + ", not " +
                s.era_ + ": reverting it there is a kernel that never existed");
      for (Fix f : config.reverted)
        if (f == fix->fix) r.error("fix " + id + " is reverted twice");
      config.reverted.push_back(fix->fix);
      s.reverted_.push_back(id);
    }
  }

  // Era coherence beyond the fixes: each actor and invariant names the eras
  // whose model has it (parse_actor and the invariant loop below refuse the
  // others), so a scenario never runs another kernel's code.

  auto v = std::make_shared<Validated>();
  v->initial = parse_initial_state(in.at("initial").json(), file, "/initial", config);

  // Threads.
  JsonInput threads = in.at("threads");
  threads.expect_array();
  if (threads.size() == 0) threads.error("a scenario needs at least one thread");
  if (threads.size() > checker::kMaxThreads) threads.error("too many threads");
  add_implicit_none_ptes(v->initial, threads);
  std::set<std::string> names;
  std::vector<std::optional<JsonInput>> start_after(threads.size());
  // mremap threads first (model/mremap.h): one per mm; the template gets the vma
  // copy_vma fills and the none pte slots at the target, so other threads may name
  // addresses there (a fault at the new address: SIGSEGV before the move).
  std::map<std::size_t, ActorCall> mremaps;
  for (std::size_t i = 0; i < threads.size(); ++i) {
    JsonInput t = threads.at(i);
    t.expect_object();
    JsonInput actor = t.at("actor");
    if (actor.as_string() != "mremap") continue;
    ActorCall call = parse_actor("mremap", t.has("args") ? t.at("args").json() : nlohmann::json::object(), v->initial,
                                 file, actor.pointer(), t.pointer() + "/args");
    for (const auto& [j, other] : mremaps)
      if (other.mm == call.mm) {
        JsonInput first = threads.at(j);
        actor.error("a second mremap of mm " + v->initial.mms[call.mm].name + " (thread " +
                    quote_input(first.has("name") ? first.at("name").as_string() : std::string("mremap")) +
                    "): one mremap per mm is modelled");
      }
    // Not in an mm a fork copies or creates (dup_mmap copies the declared vmas one to one).
    for (std::size_t j = 0; j < threads.size(); ++j) {
      const nlohmann::json& tj = threads.at(j).json();
      if (!tj.is_object() || tj.value("actor", nlohmann::json()) != "fork" || !tj.contains("args")) continue;
      const nlohmann::json& a = tj.at("args");
      const std::string& mm_name = v->initial.mms[call.mm].name;
      const bool named = a.is_object() && (a.value("mm", nlohmann::json()) == mm_name ||
                                           a.value("child", nlohmann::json()) == mm_name);
      const std::string fork_name =
          tj.contains("name") && tj.at("name").is_string() ? tj.at("name").get<std::string>() : std::string("fork");
      if (named)
        actor.unsupported("mremap of mm " + mm_name + ", which thread " + quote_input(fork_name) +
                    " forks or creates: dup_mmap copies the declared vmas one to one, a moved vma is not modelled there");
    }
    call.new_vma = mremap_reserve(v->initial, call.mm, call.address, call.new_address);
    mremaps.emplace(i, std::move(call));
  }
  const std::optional<Kernel> forked = forked_pmd_view(v->initial, threads);
  for (std::size_t i = 0; i < threads.size(); ++i) {
    JsonInput t = threads.at(i);
    t.expect_object();
    ThreadSpec spec;
    JsonInput actor = t.at("actor");
    spec.actor = actor.as_string();
    spec.name = t.has("name") ? t.at("name").as_string() : spec.actor;
    if (t.has("name") && (spec.name.empty() || spec.name.size() > kMaxNameBytes))
      t.at("name").error("a thread name of 1 to " + std::to_string(kMaxNameBytes) + " bytes");
    if (!names.insert(spec.name).second)
      t.at("name").error("duplicate thread name " + quote_input(spec.name));
    if (spec.name.ends_with(kBioThreadSuffix))
      t.at("name").error("thread name " + quote_input(spec.name) + " ends with \"" + kBioThreadSuffix +
                         "\", which names an asynchronous reclaimer's bio completion thread");
    spec.args = t.has("args") ? t.at("args").json() : nlohmann::json::object();
    if (t.has("start_after")) start_after[i].emplace(t.at("start_after"));
    if (const auto m = mremaps.find(i); m != mremaps.end())
      v->calls.push_back(m->second);
    else {
      // A thread on a fork's child is judged against the child's state after dup_mmap.
      const int mm = forked && spec.actor != "fork" ? thread_mm(v->initial, t.json()) : -1;
      bool child = false;  // the fork changed a pmd of the thread's mm
      if (mm >= 0)
        for (const auto& [addr, slot] : forked->mms[static_cast<std::size_t>(mm)].pmds)
          child |= !(slot.pmd == v->initial.mms[static_cast<std::size_t>(mm)].pmds.at(addr).pmd);
      v->calls.push_back(parse_actor(spec.actor, spec.args, child ? *forked : v->initial, file, actor.pointer(),
                                     t.pointer() + "/args"));
    }
    v->names.push_back(spec.name);
    t.done();
    s.threads_.push_back(std::move(spec));
  }
  // A read fault on a none pte maps the zero page: a scenario with a read fault gets one, and so
  // does a forced write pin (with 19be0eaffa3a reverted it may retry as a read)
  // (swapin_fault is a read fault too: its pte may be none by the time it runs, after a
  // MADV_DONTNEED or an unmerge's zap).
  for (const ActorCall& c : v->calls)
    if (((c.actor == "fault" || c.actor == "get_user_pages" || c.actor == "get_user_pages_fast") && !c.write) ||
        c.actor == "swapin_fault" || c.force)
      add_zero_page(v->initial);
  // 4.19: a read fault (handle_mm_fault, or an hmm_vma_fault entry requested VALID without
  // WRITE) on a none pte maps the zero page too. Only madvise_dontneed leaves a pte none during
  // a 4.19 run (wp_page_copy's ptep_clear_flush_notify clears one for a step under the ptl, and
  // do_anonymous_page rechecks under the ptl before it maps the zero page; munmap removes the vma).
  {
    const Kernel& k = v->initial;
    std::function<bool(std::uint32_t, std::uint64_t)> none_at = [&k](std::uint32_t mm, std::uint64_t a) {
      const auto it = k.mms[mm].ptes.find(a);
      return it != k.mms[mm].ptes.end() && it->second.pte.is_none();
    };
    // ... and so does a read fault where a 4.19 madvise_dontneed may leave the pte none first.
    auto zapped = [&v](std::uint32_t mm, std::uint64_t a) {
      return std::any_of(v->calls.begin(), v->calls.end(), [&](const ActorCall& d) {
        return d.actor == "madvise_dontneed" && d.mm == mm && d.start <= a && a < d.end;
      });
    };
    if (config.era == Era::V4_19) none_at = [&k, zapped](std::uint32_t mm, std::uint64_t a) {
      const auto it = k.mms[mm].ptes.find(a);
      return it != k.mms[mm].ptes.end() && (it->second.pte.is_none() || zapped(mm, a));
    };
    // A read fault under a none pmd of a VM_HUGEPAGE vma covering the 2 MiB maps the huge zero
    // page (do_huge_pmd_anonymous_page). Any pmd there may be none when the fault reads it (declared
    // none, zapped by a MADV_DONTNEED, or for one step of do_huge_pmd_wp_page's
    // pmdp_huge_clear_flush_notify), so every read fault in such a range gets it.
    auto huge_zero_at = [&k](std::uint32_t mm, std::uint64_t a) {
      const PmdSlot* s = k.pmd_slot(mm, a);
      const int vi = k.find_vma(mm, a);
      return s && !s->pmd.is_table() && vi >= 0 && v4_19::thp_fault_suitable(k, static_cast<std::uint32_t>(vi), a);
    };
    bool zero = false, huge_zero = false;
    auto read_fault = [&](std::uint32_t mm, std::uint64_t a) {
      zero |= none_at(mm, a);
      huge_zero |= config.era == Era::V4_19 && huge_zero_at(mm, a);
    };
    // a read pin's zero page came with the loop above (every read pin gets one)
    for (const ReadFault& f : read_faults(k, v->calls)) {
      if (f.pin) huge_zero |= huge_zero_at(f.mm, f.address);
      else read_fault(f.mm, f.address);
    }
    if (zero) add_zero_page(v->initial);
    if (huge_zero) add_huge_zero_page(v->initial);
  }
  // v3.9 and v4.19 swap-out: a reclaim may set PG_writeback; its readers then take a step.
  // A page free at load that a reclaim or a migration names is watched: the step that puts
  // it on the LRU, once a thread allocates it, is one of its own (Kernel::lru_cache_add).
  auto watch = [&](PageId p) {
    if (p != kNoPage && v->initial.pages[p].in_free_pool) v->initial.pages[p].watched = true;
  };
  for (const ActorCall& c : v->calls) {
    if (c.actor == "reclaim") v->initial.track_writeback = true;
    if (c.actor == "reclaim" || c.actor == "migrate_pages") watch(c.page);
    if (c.actor == "admin")
      for (const ActorCall::AdminStep& st : c.steps)
        if (st.what == "reclaim") v->initial.track_writeback = true, watch(st.page);
  }
  const bool swapoff =
      std::any_of(v->calls.begin(), v->calls.end(), [](const ActorCall& c) { return c.actor == "swapoff"; });
  // 4.19: a swapoff frees the area's address space, which do_swap_page then reads.
  v->initial.swap.teardown_tracked = config.era == Era::V4_19 && swapoff;
  // A reclaim beside a swapoff: get_swap_page reads the SWP_WRITEOK that swapoff clears.
  v->initial.swap.writeok_tracked = v->initial.track_writeback && swapoff;
  // init_mm.mmlist (Kernel::mmlist): a fork's child is not on it at load (dup_mmap puts it
  // after its parent); every other mm is, in the declared order or, without one, in each
  // order the first swapoff walk chooses.
  {
    Kernel& k = v->initial;
    std::set<std::uint32_t> children;
    for (const ActorCall& c : v->calls)
      if (c.actor == "fork") k.mmlist_children.emplace_back(c.child, c.mm), children.insert(c.child);
    if (k.mmlist_declared) {
      JsonInput lj = in.at("initial").at("mmlist");
      for (std::size_t i = 0; i < k.mmlist.size(); ++i)
        if (children.count(k.mmlist[i]))
          lj.at(i).error("mm " + k.mms[k.mmlist[i]].name + " is a fork's child: dup_mmap puts it on the mmlist "
                         "right after its parent, list the mms that exist before the run");
      for (std::uint32_t mm = 0; mm < k.mms.size(); ++mm)
        if (!children.count(mm) && std::find(k.mmlist.begin(), k.mmlist.end(), mm) == k.mmlist.end())
          lj.error("mm " + k.mms[mm].name + " is missing: list every mm that is not a fork's child, in the order "
                   "try_to_unuse walks them");
    } else {
      std::erase_if(k.mmlist, [&](std::uint32_t mm) { return children.count(mm) != 0; });
      k.mmlist_searched = true;
      if (swapoff && k.mmlist.size() > 5)
        in.at("initial").refuse("a swapoff beside " + std::to_string(k.mmlist.size()) +
                                " mms would search every order of the mmlist (more than 120): declare "
                                "initial.mmlist, the order try_to_unuse walks them in");
    }
  }
  // An HMM range (struct hmm_range) is its walker's own: two threads walking one range would
  // share its pfns[] and its validity, which no driver does.
  for (std::size_t i = 0; i < v->calls.size(); ++i) {
    const ActorCall& a = v->calls[i];
    if (a.actor != "hmm_vma_fault" && a.actor != "hmm_vma_get_pfns") continue;
    for (std::size_t j = 0; j < i; ++j) {
      const ActorCall& b = v->calls[j];
      if ((b.actor == "hmm_vma_fault" || b.actor == "hmm_vma_get_pfns") && b.range == a.range)
        threads.at(i).at("args").at("range").error(
            "hmm range " + quote_input(v->initial.hmm_ranges[a.range].name) + " is already walked by thread " +
            quote_input(v->names[j]) + ": each walker needs its own range (declare another in initial.hmm_ranges)");
    }
  }
  // 4.19: a zap (munmap, madvise_dontneed, exit) beside a KSM thread raises mm_tlb_flush_pending,
  // which write_protect_page reads: the counter becomes an object (elsewhere no step is added).
  if (config.era == Era::V4_19 &&
      std::any_of(v->calls.begin(), v->calls.end(), [](const ActorCall& c) { return v4_19::is_ksm_actor(c.actor); }) &&
      std::any_of(v->calls.begin(), v->calls.end(), [](const ActorCall& c) {
        return c.actor == "munmap" || c.actor == "madvise_dontneed" || c.actor == "exit";
      }))
    v->initial.track_tlb_flush_pending = true;
  // v3.9 exit: mm_users becomes an object (ksm_test_exit reads it), and no other
  // thread may act as a task of the exiting mm: the last mmput cannot run while one does.
  // The same rule in 4.19, where a CPU fault or an HMM mirror's walk is a task of its mm too
  // (a driver walks holding mmget: its mmput would not be the last).
  for (std::size_t i = 0; i < v->calls.size(); ++i) {
    if (v->calls[i].actor != "exit") continue;
    // (4.19: only beside a KSM thread or a swapoff, its readers there: ksm_test_exit, mmget_not_zero)
    if (config.era != Era::V4_19 || std::any_of(v->calls.begin(), v->calls.end(), [](const ActorCall& c) {
          return v4_19::is_ksm_actor(c.actor) || c.actor == "swapoff";
        }))
      v->initial.track_mm_users = true;
    v->initial.mms[v->calls[i].mm].exit_thread = true;
  }
  // 4.19's munmap and exit free anon_vmas (unlink_anon_vmas): migration then holds
  // page_get_anon_vma's reference. A CPU fault after munmap removed its vma is SIGSEGV, an HMM
  // walk's driver finds no vma (-EFAULT).
  for (std::size_t i = 0; i < v->calls.size(); ++i) {
    const ActorCall& u = v->calls[i];
    if (config.era != Era::V4_19 || (u.actor != "munmap" && u.actor != "exit")) continue;
    v->initial.anon_vma_refs_v4_19 = true;
  }
  // 4.19 swapoff beside a THP: unuse_pmd_range reads each pmd (model/swapfile_v4_19.h).
  if (config.era == Era::V4_19 && swapoff)
    v->initial.swap.unuse_reads_pmds = std::any_of(v->initial.pages.begin(), v->initial.pages.end(),
                                                   [](const Page& p) { return p.PageTransHuge(); });
  // 4.19 KSM (model/ksm.h): plain stable nodes below max_page_sharing, no swap, THP, exit, fork,
  // zap or migration of a page ksmd may merge beside it.
  if (config.era == Era::V4_19) {
    std::size_t culprit = 0;
    if (std::string err = v4_19::ksm_model_error(v->initial, v->calls, culprit); !err.empty()) {
      if (culprit < v->calls.size())
        threads.at(culprit).at("actor").unsupported("thread " + quote_input(v->names[culprit]) + " (" +
                                                    v->calls[culprit].actor + "): " + err);
      in.at("initial").unsupported(err);
    }
  }
  // "start_after": {"thread": NAME, "event": EVENT}, resolved once every thread is named.
  v->start_after.assign(threads.size(), {});
  v->wanted.assign(threads.size(), 0);
  for (std::size_t i = 0; i < threads.size(); ++i) {
    if (!start_after[i]) continue;
    JsonInput& sa = *start_after[i];
    sa.expect_object();
    JsonInput tj = sa.at("thread");
    const std::string tname = tj.as_string();
    std::size_t target = threads.size();
    for (std::size_t j = 0; j < threads.size(); ++j)
      if (s.threads_[j].name == tname) target = j;
    if (target == threads.size()) tj.error("no thread named \"" + tname + "\"");
    if (target == i) tj.error("thread \"" + tname + "\" cannot start after its own event");
    JsonInput ej = sa.at("event");
    const std::string ename = ej.as_string();
    const auto event = find_event(ename);
    if (!event) ej.error("unknown event \"" + ename + "\" (known: " + event_catalogue() + ")");
    if (!actor_emits(s.threads_[target].actor, era_bit(config.era), *event)) {
      std::string emits;
      for (unsigned e = 0; e < ThreadEvents::kCount; ++e)
        if (actor_emits(s.threads_[target].actor, era_bit(config.era), static_cast<ThreadEvents::Event>(e)))
          emits += std::string(emits.empty() ? "" : ", ") + event_name(static_cast<ThreadEvents::Event>(e));
      ej.error("thread \"" + tname + "\" (actor " + s.threads_[target].actor + ", kernel " + s.era_ +
               ") never emits event \"" + ename + "\" (it emits: " + emits + ")");
    }
    // ksmd's "done" is the end of its modelled batches; with run not 1 it sleeps in
    // wait_event_freezable instead, for good (a normal end of the run): a thread waiting
    // for its done would then never start, and that run would read as a deadlock.
    if (s.threads_[target].actor == "ksmd" && *event == ThreadEvents::Done) {
      bool run_changes = v->initial.ksm.ksm_run != KSM_RUN_MERGE;
      for (const ActorCall& c : v->calls) {
        // Only a store of run other than KSM_RUN_MERGE can send ksmd to sleep:
        // ksmd_should_run() reads ksm_run and the mm list, not merge_across_nodes.
        run_changes |= c.actor == "ksm_run_store" && c.value != KSM_RUN_MERGE;
        if (c.actor == "admin")
          for (const ActorCall::AdminStep& st : c.steps) run_changes |= st.what == "run" && st.value != KSM_RUN_MERGE;
      }
      if (run_changes)
        ej.error("thread \"" + tname + "\" (ksmd) may sleep for good on some schedule (ksm run is not 1, or a " +
                 "thread writes it), so it may never be done: start after another thread's event");
    }
    sa.done();
    v->start_after[i] = {static_cast<checker::ThreadId>(target), *event};
    v->wanted[target] |= 1u << *event;
    v->any_start_after = true;
  }
  // A cycle of waits would be a deadlock of the scenario itself: refuse it.
  for (std::size_t i = 0; i < threads.size(); ++i) {
    std::size_t t = i;
    for (std::size_t hops = 0; hops <= threads.size() && v->start_after[t].thread != checker::kNoThread; ++hops) {
      t = v->start_after[t].thread;
      if (t == i) {
        std::string cycle = s.threads_[i].name;
        std::size_t u = i;
        do {
          u = v->start_after[u].thread;
          cycle += " -> " + s.threads_[u].name;
        } while (u != i);
        start_after[i]->error("a cycle of start_after waits: " + cycle);
      }
    }
  }

  // No other thread may act as a task of an exiting mm while the exit runs (the last mmput
  // cannot run while a task of the mm does), unless the exit starts after it (start_after,
  // directly or through a chain): after its "done", or, for the fork that creates the mm (a
  // child's exit), after its "dup_mmap".
  for (std::size_t i = 0; i < v->calls.size(); ++i) {
    if (v->calls[i].actor != "exit") continue;
    const std::uint32_t mm = v->calls[i].mm;
    for (std::size_t j = 0; j < v->calls.size(); ++j) {
      const ActorCall& c = v->calls[j];
      const bool hmm = c.actor == "hmm_vma_fault" || c.actor == "hmm_vma_get_pfns";
      const bool creates = c.actor == "fork" && c.child == mm;
      const bool task = c.actor == "fault" || c.actor == "munmap" || c.actor == "madvise_unmergeable" ||
                        c.actor == "madvise_dontneed" || c.actor == "handle_mm_fault" || hmm ||
                        c.actor == "swapin_fault" || c.actor == "exit" || c.actor == "fork" || c.actor == "mremap" ||
                        c.actor == "store" || c.actor == "get_user_pages" || c.actor == "get_user_pages_fast";
      const std::uint32_t cmm = hmm ? v->initial.hmm_ranges.at(c.range).mm : c.mm;
      if (j == i || !task || (cmm != mm && !creates)) continue;
      // the exit starts after j is done (or, j creating the mm, after its dup_mmap)
      const bool ordered = v->starts_after(i, j, creates);
      if (ordered && c.actor != "exit") continue;  // (a second exit of the mm is never a task before it)
      if (creates)  // (error() throws: one message or the other)
        threads.at(i).at("actor").error("thread " + quote_input(v->names[i]) + " (exit) exits mm " +
                                        v->initial.mms[mm].name + ", which thread " + quote_input(v->names[j]) +
                                        " (fork) creates: it needs \"start_after\": {\"thread\": " +
                                        quote_input(v->names[j]) + ", \"event\": \"dup_mmap\"}");
      threads.at(j).at("actor").error("thread " + quote_input(v->names[j]) + " (" + c.actor +
                                      ") acts as a task of mm " + v->initial.mms[mm].name + ", which thread " +
                                      quote_input(v->names[i]) +
                                      " exits: the last mmput cannot run while a task of the mm does (unless the "
                                      "exit starts after it: \"start_after\" its \"done\")");
    }
  }

  // A fork's child has no task before dup_mmap returns (the kernel's child runs
  // only after fork): a thread acting as a task of the child must start after it,
  // directly or through a chain of start_after waits.
  for (std::size_t p = 0; p < v->calls.size(); ++p) {
    if (v->calls[p].actor != "fork") continue;
    const std::uint32_t child = v->calls[p].child;
    for (std::size_t j = 0; j < v->calls.size(); ++j) {
      const ActorCall& c = v->calls[j];
      const bool task = c.actor == "fault" || c.actor == "munmap" || c.actor == "madvise_unmergeable" ||
                        c.actor == "madvise_dontneed" ||
                        c.actor == "swapin_fault" || c.actor == "exit" || c.actor == "mbind" ||
                        c.actor == "mremap" || c.actor == "store" || c.actor == "get_user_pages" ||
                        c.actor == "get_user_pages_fast" || c.actor == "handle_mm_fault" ||
                        (c.actor == "fork" && j != p);
      if (!task || c.mm != child || v->starts_after(j, p, true)) continue;
      threads.at(j).at("actor").error("thread " + quote_input(v->names[j]) + " (" + c.actor + ") acts as a task of mm " +
                                      v->initial.mms[child].name + ", the child that thread " + quote_input(v->names[p]) +
                                      " forks: it needs \"start_after\": {\"thread\": " + quote_input(v->names[p]) +
                                      ", \"event\": \"dup_mmap\"}, directly or through a chain (a child has no task before fork returns)");
    }
  }

  // Two writers of one address (stores, get_user_pages DMA writes): data tokens are per page,
  // and two writes of one address that land in different pages (one before a COW, one after)
  // would be independent steps, so the order no_lost_write reads as "last" would be explored
  // one way only. Such a scenario gets one data object for every page (UserData::one_object).
  {
    std::set<std::pair<std::uint32_t, std::uint64_t>> written;
    for (const ActorCall& c : v->calls) {
      const bool writer =
          c.actor == "store" || ((c.actor == "get_user_pages" || c.actor == "get_user_pages_fast") && c.write);
      if (writer && !written.insert({c.mm, c.address}).second) v->initial.user_data.one_object = true;
    }
  }

  // User stores and get_user_pages DMA writes (issue 13): the data steps ("K.data", TLB
  // flushes) are switched on. The TLB flush is modelled wherever a writable pte is write-protected, cleared or moved:
  // write_protect_page, try_to_unmap_one, fork's flush_tlb_mm, munmap's tlb_flush_mmu,
  // mremap's flush_tlb_range.
  for (const ActorCall& c : v->calls) {
    if (c.actor == "store" || ((c.actor == "get_user_pages" || c.actor == "get_user_pages_fast") && c.write))
      v->initial.user_data.track = true;
    // get_user_pages_fast (model/gup_fast.h): its mm's "irqs_off" object, and its flushes' waits.
    if (c.actor == "get_user_pages_fast") v->initial.mms[c.mm].gup_fast = true;
  }

  // Invariants.
  if (in.has("invariants")) {
    JsonInput invs = in.at("invariants");
    invs.expect_array();
    for (std::size_t i = 0; i < invs.size(); ++i) {
      JsonInput n = invs.at(i);
      std::string name = n.as_string();
      if (!find_invariant(name)) {
        std::string known;
        for (const InvariantInfo& info : invariant_catalogue())
          known += std::string(known.empty() ? "" : ", ") + info.name;
        n.error("unknown invariant " + quote_input(name) + " (known: " + known + ")");
      }
      const InvariantInfo* info = find_invariant(name);
      if (!(info->eras & era_bit(config.era)))
        n.error("invariant \"" + name + "\" is not checked in kernel " + s.era_ + " (it is checked in " +
                era_names(info->eras) + ")");
      for (const std::string& seen : s.invariants_)
        if (seen == name) n.error("invariant " + quote_input(name) + " listed twice");
      s.invariants_.push_back(name);
    }
  }
  v->invariants = s.invariants_;
  // 4.19: a THP's data is one token (its head page's: FIDELITY.md), so two writers at different
  // pages of one THP's 2 MiB would overwrite each other's token where the kernel keeps both, and
  // no_lost_write would report a write the kernel did not lose: refused.
  if (config.era == Era::V4_19 && std::find(s.invariants_.begin(), s.invariants_.end(), "no_lost_write") != s.invariants_.end()) {
    auto writer = [](const ActorCall& c) {
      return c.actor == "store" || ((c.actor == "get_user_pages" || c.actor == "get_user_pages_fast") && c.write);
    };
    for (std::size_t j = 0; j < v->calls.size(); ++j)
      for (std::size_t i = 0; i < j; ++i) {
        const ActorCall &a = v->calls[i], &b = v->calls[j];
        if (!writer(a) || !writer(b) || a.mm != b.mm || a.address == b.address || pmd_base(a.address) != pmd_base(b.address))
          continue;
        const PmdSlot* pmd = v->initial.pmd_slot(a.mm, a.address);
        if (!pmd || pmd->pmd.is_table()) continue;
        threads.at(j).at("actor").unsupported(
            "threads " + quote_input(v->names[i]) + " and " + quote_input(v->names[j]) + " write " +
            v->initial.where(a.mm, a.address) + " and " + v->initial.where(b.mm, b.address) +
            ", two pages of one 2 MiB a THP maps (or may map): the model keeps one data token per THP, so "
            "no_lost_write cannot tell their data apart (write one address, or leave no_lost_write out)");
      }
  }

  // Expectation.
  {
    JsonInput e = in.at("expect");
    e.expect_object();
    JsonInput result = e.at("result");
    std::string r = result.as_string();
    if (r == "violation") s.expect_.result = Expectation::Result::Violation;
    else if (r == "pass") s.expect_.result = Expectation::Result::Pass;
    else result.error("unknown result " + quote_input(r) + " (expected \"violation\" or \"pass\")");
    if (e.has("violation")) {
      JsonInput vj = e.at("violation");
      if (s.expect_.result != Expectation::Result::Violation) vj.error("\"violation\" only goes with result \"violation\"");
      s.expect_.violation = vj.as_string();
    }
    if (e.has("exhaustive")) s.expect_.exhaustive = e.at("exhaustive").as_bool();
    e.done();
  }

  // Exploration options. Counterexamples come with the fewest preemptions
  // possible unless the scenario says "fewest_preemptions": false; a scenario
  // that names no strategy gets DPOR (the engine's own default, plain DFS, is
  // the reference and grows with every interleaving).
  s.options_.fewest_preemptions = true;
  s.options_.strategy = checker::StrategyKind::Dpor;
  if (in.has("explore")) {
    JsonInput x = in.at("explore");
    x.expect_object();
    s.explore_json_ = x.json();
    if (x.has("strategy")) {
      JsonInput st = x.at("strategy");
      std::string name = st.as_string();
      if (name == "dfs") s.options_.strategy = checker::StrategyKind::Dfs;
      else if (name == "dpor") s.options_.strategy = checker::StrategyKind::Dpor;
      else if (name == "random") s.options_.strategy = checker::StrategyKind::Random;
      else if (name == "pct") s.options_.strategy = checker::StrategyKind::Pct;
      else st.error("unknown strategy " + quote_input(name) + " (expected dfs, dpor, random, pct)");
    }
    if (x.has("fewest_preemptions")) s.options_.fewest_preemptions = x.at("fewest_preemptions").as_bool();
    if (x.has("seed")) s.options_.seed = static_cast<std::uint64_t>(x.at("seed").as_int(0, INT64_MAX));
    if (x.has("pct_depth")) s.options_.pct_depth = static_cast<unsigned>(x.at("pct_depth").as_int(1, 100));
    if (x.has("time_budget_seconds"))
      s.options_.time_budget_seconds = static_cast<double>(x.at("time_budget_seconds").as_int(1, 86400));
    if (x.has("max_steps")) s.options_.max_steps = static_cast<std::uint64_t>(x.at("max_steps").as_int(1, static_cast<std::int64_t>(kMaxSteps)));
    if (x.has("preemption_bound"))
      s.options_.preemption_bound = static_cast<unsigned>(x.at("preemption_bound").as_int(0, 1000));
    if (x.has("max_executions"))
      s.options_.max_executions = static_cast<std::uint64_t>(x.at("max_executions").as_int(0, std::int64_t{1} << 40));
    if (x.has("bounded_first")) {
      s.bounded_first_ = static_cast<std::uint64_t>(x.at("bounded_first").as_int(0, std::int64_t{1} << 40));
      s.options_.bounded_first = *s.bounded_first_;
    }
    x.done();
    const bool randomized = s.options_.strategy == checker::StrategyKind::Random ||
                            s.options_.strategy == checker::StrategyKind::Pct;
    if (randomized && s.options_.max_executions == 0 && s.options_.time_budget_seconds == 0)
      x.error("strategies random and pct need \"max_executions\" or \"time_budget_seconds\"");
  } else {
    s.explore_json_ = nlohmann::json::object();
  }
  in.done();

  s.initial_ = v;
  return s;
}

std::vector<std::string> Scenario::thread_names() const {
  std::vector<std::string> out;
  for (const ThreadSpec& t : threads_) out.push_back(t.name);
  for (std::size_t t = 0; t < threads_.size() && t < calls().size(); ++t)
    if (calls()[t].async_write) out.push_back(bio_thread_name(threads_[t].name));
  return out;
}

const Kernel& Scenario::initial_kernel() const {
  if (!initial_) throw std::logic_error("internal error: initial_kernel() on a Scenario that was not loaded");
  return std::static_pointer_cast<const Validated>(initial_)->initial;
}

const std::vector<ActorCall>& Scenario::calls() const {
  if (!initial_) throw std::logic_error("internal error: calls() on a Scenario that was not loaded");
  return std::static_pointer_cast<const Validated>(initial_)->calls;
}

std::unique_ptr<checker::Program> Scenario::make_program() const {
  return make_program(nullptr);
}

std::unique_ptr<checker::Program> Scenario::make_program(std::shared_ptr<PathStats> paths) const {
  if (!initial_) throw std::logic_error("internal error: make_program() on a Scenario that was not loaded");
  return std::make_unique<ScenarioProgram>(std::static_pointer_cast<const Validated>(initial_), std::move(paths));
}

std::vector<CatalogueEntry> actors() {
  std::vector<CatalogueEntry> out;
  for (const ActorInfo& a : actor_catalogue())
    out.push_back({a.name, std::string(a.description) + " [kernel " + era_names(a.eras) + "]"});
  return out;
}

std::vector<CatalogueEntry> not_modelled() {
  std::vector<CatalogueEntry> out;
  for (const UnmodelledActor& u : unmodelled_actors()) {
    std::string where = u.eras ? "kernel " + era_names(u.eras) : std::string("no era's kernel");
    if (*u.since) where += std::string(u.eras ? "; since " : ": since ") + u.since;
    out.push_back({u.name, std::string(u.kernel_path) + " [" + where + "]" +
                               (*u.instead ? std::string("; partly: ") + u.instead : "")});
  }
  return out;
}

std::vector<CatalogueEntry> fixes() {
  std::vector<CatalogueEntry> out;
  for (const FixInfo& f : fix_catalogue())
    out.push_back({f.id, std::string(f.title) + " (" + f.release + "; era " + era_names(f.eras) + ")"});
  return out;
}

std::vector<CatalogueEntry> invariants() {
  std::vector<CatalogueEntry> out;
  for (const InvariantInfo& i : invariant_catalogue())
    out.push_back({i.name, std::string(i.description) + " [kernel " + era_names(i.eras) + "]"});
  return out;
}

std::vector<CatalogueEntry> eras() {
  return {
      {"2.6.33", "v2.6.33: KSM pages swappable and migratable (seeds 001, 002)"},
      {"3.9", "v3.9: KSM NUMA trees and page migration (seeds 000, 003)"},
      {"4.19", "v4.19 as the 4.19.y stable tree (4.19.304) reads: HMM and THP migration pmds (seed 004); the tree "
               "has stable backports of later fixes (9a63236f1ad8, 17839856fd58): check a fix after v4.19 there first"},
  };
}

}  // namespace model
