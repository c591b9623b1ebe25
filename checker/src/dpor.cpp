// dpor.cpp: DporStrategy. See dpor.h.
#include "dpor.h"

#include <algorithm>
#include <bit>
#include <iterator>

namespace checker::detail {

namespace {
constexpr std::size_t npos = static_cast<std::size_t>(-1);

ThreadId lowest(ThreadMask m) { return static_cast<ThreadId>(std::countr_zero(m)); }
bool has(ThreadMask m, ThreadId t) { return t < 64 && (m >> t) & 1; }
ThreadMask bit(ThreadId t) { return ThreadMask{1} << t; }

/// Operations that wait for a lock or condition before they may run.
bool blocking(AccessKind k) {
  return k == AccessKind::LockAcquire || k == AccessKind::LockAcquireShared ||
         k == AccessKind::Wait;
}
bool release(AccessKind k) {
  return k == AccessKind::LockRelease || k == AccessKind::LockReleaseShared;
}
/// Operations that may take a lock (the match of a later release).
bool acquire_like(AccessKind k) {
  return k == AccessKind::LockAcquire || k == AccessKind::LockAcquireShared ||
         k == AccessKind::ReadModifyWrite;
}

using Event = DporStrategy::Event;
using Forest = DporStrategy::Forest;
using Group = DporStrategy::Group;
using Variant = DporStrategy::Variant;

/// True when a branch named for these vectors explores every vector of its
/// step: none named (all of them), or only the empty one (no choice made).
bool no_choices(const std::vector<Variant>& variants) {
  for (const Variant& var : variants)
    if (!var.vals.empty()) return false;
  return true;
}

/// The wakeup-tree chain for the sequence v[from..].
Forest chain(std::vector<Event>& v, std::size_t from) {
  Forest f;
  Forest* at = &f;
  for (std::size_t i = from; i < v.size(); ++i) {
    at->push_back(Group{v[i].thread, v[i].access, {}, false});
    if (v[i].open) break;  // a pending operation is always last
    at->back().variants.push_back(Variant{std::move(v[i].vals), {}, {}});
    at = &at->back().variants.back().sub;
  }
  return f;
}
}  // namespace

void DporStrategy::begin() {
  depth_ = 0;
  val_pos_ = 0;
  in_step_ = false;
  root_pos_ = 0;
  preemptions_ = 0;
  blocked_ = false;
  blocked_enabled_ = ~ThreadMask{0};
}

std::optional<ThreadId> DporStrategy::pick_thread(const SchedulingPoint& sp) {
  ThreadId t;
  if (depth_ < path_.size()) {
    t = path_[depth_].thread;
    if (!has(sp.enabled, t)) {
      abort_ = "nondeterministic program: scheduling point " + std::to_string(depth_) +
               " differs from an earlier execution with the same prefix";
      return std::nullopt;
    }
    if (resuming_ && !refresh_loaded(path_[depth_], sp)) return std::nullopt;
  } else {
    Node n;
    n.enabled = sp.enabled;
    n.previous = sp.previous;
    n.pending.assign(sp.pending.begin(), sp.pending.end());
    n.preemptions = preemptions_;
    Forest wut;
    if (depth_ > 0) {
      Node& p = path_[depth_ - 1];
      // Sleep sets follow the announced kinds on both sides: a sleeper stays
      // asleep only past a step whose announced access is independent of its
      // own (with the kind the step ran with, the soak of 3000 random programs
      // with failing compare-and-swaps loses traces).
      const Access& ran = p.pending[p.thread];
      for (ThreadMask s = p.sleep; s; s &= s - 1) {
        ThreadId q = lowest(s);
        if (!dependent(p.pending[q], ran)) n.sleep |= bit(q);
      }
      for (const Slept& e : p.psleep)
        if (e.thread != p.thread && !dependent(p.pending[e.thread], ran)) n.psleep.push_back(e);
      if (!n.psleep.empty()) promote(&n.sleep, n.psleep);
      for (Variant& var : p.variants) {
        if (var.vals == p.vals) {
          wut = std::move(var.sub);
          var.sub.clear();
          break;
        }
      }
    }
    for (std::size_t i = 0; i < wut.size() && n.thread == kNoThread; ++i) {
      Group& g = wut[i];
      if (has(sp.enabled, g.thread) && !has(n.sleep, g.thread)) {
        const bool named = !g.variants.empty();
        std::erase_if(g.variants, [&](const Variant& var) { return asleep(n, g.thread, var.vals); });
        if (!named || !g.variants.empty()) {
          start_group(n, std::move(g));
          n.later.assign(std::make_move_iterator(wut.begin() + static_cast<long>(i) + 1),
                         std::make_move_iterator(wut.end()));
          break;
        }
      }
      ++infeasible_;
    }
    if (n.thread == kNoThread) {
      ThreadMask free = sp.enabled & ~n.sleep;
      if (!free) {
        blocked_ = true;
        blocked_enabled_ = sp.enabled;
        abort_ = "sleep-set blocked";
        return std::nullopt;
      }
      n.thread = lowest(free);
      n.all_values = true;
    }
    t = n.thread;
    path_.push_back(std::move(n));
  }
  path_[depth_].ran = sp.pending[t];  // until the step refines it
  if (sp.previous != kNoThread && has(sp.enabled, sp.previous) && t != sp.previous)
    ++preemptions_;
  ++depth_;
  in_step_ = true;
  val_pos_ = 0;
  return t;
}

std::optional<std::uint32_t> DporStrategy::pick_value(std::uint32_t n, ThreadId) {
  Node* node = in_step_ ? &path_[depth_ - 1] : nullptr;
  Vals& vals = node ? node->vals : root_vals_;
  std::vector<std::uint32_t>& ranges = node ? node->ranges : root_ranges_;
  std::size_t& pos = node ? val_pos_ : root_pos_;
  if (pos < vals.size() && ranges[pos] != 0 && ranges[pos] != n) {
    abort_ = "nondeterministic program: value choice " + std::to_string(pos) + " of step " +
             std::to_string(depth_) + " differs from an earlier execution with the same prefix";
    return std::nullopt;
  }
  if (pos >= vals.size()) {
    vals.push_back(0);
    ranges.push_back(n);
  }
  ranges[pos] = n;  // a vector named by a wakeup tree comes without ranges
  if (node && node->all_values && !node->psleep.empty()) {
    // Skip the vectors this thread already sleeps for (the step is
    // deterministic, so a vector that ended a step there ends it here).
    Vals probe(vals.begin(), vals.begin() + static_cast<long>(pos) + 1);
    while (probe[pos] < n && asleep(*node, node->thread, probe)) ++probe[pos];
    if (probe[pos] >= n) {
      blocked_ = true;
      abort_ = "sleep-set blocked";
      return std::nullopt;
    }
    if (probe[pos] != vals[pos]) {
      vals.resize(pos + 1);
      ranges.resize(pos + 1);
      vals[pos] = probe[pos];
    }
  }
  return vals[pos++];
}

bool DporStrategy::asleep(const Node& n, ThreadId t, const Vals& v) const {
  for (const Slept& e : n.psleep)
    if (e.thread == t && e.vals == v) return true;
  return false;
}

bool DporStrategy::covers(const PSleep& ps, ThreadId t, Vals& prefix) {
  std::uint32_t range = 0;
  for (const Slept& e : ps) {
    if (e.thread != t || e.vals.size() < prefix.size() ||
        !std::equal(prefix.begin(), prefix.end(), e.vals.begin()))
      continue;
    if (e.vals.size() == prefix.size()) return true;
    range = std::max(range, e.ranges[prefix.size()]);
  }
  if (range == 0) return false;
  for (std::uint32_t x = 0; x < range; ++x) {
    prefix.push_back(x);
    bool c = covers(ps, t, prefix);
    prefix.pop_back();
    if (!c) return false;
  }
  return true;
}

void DporStrategy::promote(ThreadMask* sleep, const PSleep& ps) {
  for (const Slept& e : ps) {
    if (has(*sleep, e.thread)) continue;
    Vals prefix;
    if (covers(ps, e.thread, prefix)) *sleep |= bit(e.thread);
  }
}

void DporStrategy::start_group(Node& n, Group&& g) {
  n.thread = g.thread;
  n.vals.clear();
  n.ranges.clear();
  n.variants = std::move(g.variants);
  n.all_values = g.every || n.variants.empty();
  n.variant = 0;
  if (!n.all_values) {
    n.vals = n.variants[0].vals;
    n.ranges.assign(n.vals.size(), 0);  // filled in as the step runs
  }
}

bool DporStrategy::end(const ExecutionEnd& end) {
  resuming_ = false;
  if (stop_ && stop_->load(std::memory_order_relaxed)) return false;
  if (path_.size() > depth_) path_.resize(depth_);
  if (abort_.empty() || blocked_) detect_races(end);
  else scratch_.valid = 0;  // the path diverged: nothing cached holds
  abort_.clear();
  return backtrack();
}

// Race detection over the events of this execution (path_) plus the pending
// operations left at its end. Vector clocks: vc[j][t] = number of events of
// thread t that happen before or are event j.
void DporStrategy::detect_races(const ExecutionEnd& end) {
  const std::size_t n = path_.size();
  Scratch& x = scratch_;
  std::vector<Event>& ev = x.ev;
  // The events before fresh_from_ are those of the last execution: their
  // events, clocks and object lists are kept, and the work starts there.
  ev.resize(std::min({x.valid, fresh_from_, n}));
  for (std::size_t j = ev.size(); j < n; ++j)
    ev.push_back(Event{path_[j].thread, path_[j].ran, path_[j].vals, false});
  // A sleep-set-blocked run adds the operations left disabled where it was
  // blocked (a wait a reversal moved to where its guard is false): the step
  // that made the guard false is then a race of its own, which no feasible
  // execution may show (the wait never runs after it). The enabled ones sleep.
  const ThreadMask phantoms = blocked_ ? end.pending & ~blocked_enabled_ : end.pending;
  {
    for (ThreadMask m = phantoms; m; m &= m - 1) {
      ThreadId t = lowest(m);
      if (t < end.accesses.size()) ev.push_back(Event{t, end.accesses[t], {}, true});
    }
  }
  const std::size_t m = ev.size();
  if (m == 0) return;
  std::size_t threads = 0;
  for (const Event& e : ev) threads = std::max<std::size_t>(threads, e.thread + 1);
  if (threads > x.stride) {
    x.stride = threads;
    x.valid = 0;
  }
  threads = x.stride;
  const std::size_t start = std::min({x.valid, fresh_from_, n});
  x.vc.resize(m * threads);
  x.idx.resize(m);              // position of event j in its thread
  x.last.assign(threads, -1);   // last real event of each thread
  x.count.assign(threads, 0);
  for (std::size_t j = 0; j < start; ++j) {
    x.last[ev[j].thread] = static_cast<long>(j);
    ++x.count[ev[j].thread];
  }
  // Real events by object, in order: only events on the same object can be
  // dependent, so each event scans its object's list instead of all of them.
  for (std::vector<std::size_t>& l : x.by_object)
    while (!l.empty() && l.back() >= start) l.pop_back();
  for (std::vector<std::size_t>& l : x.by_parent)
    while (!l.empty() && l.back() >= start) l.pop_back();
  x.valid = n;
  std::vector<std::uint32_t>& vc = x.vc;
  std::vector<std::uint32_t>& idx = x.idx;
  std::vector<long>& last = x.last;
  std::vector<std::uint32_t>& count = x.count;
  auto clock = [&](std::size_t j) { return &vc[j * threads]; };
  auto hb = [&](std::size_t a, std::size_t b) {  // event a happens before event b
    return clock(b)[ev[a].thread] > idx[a];
  };

  std::vector<std::size_t>& deps = x.deps;
  std::vector<std::size_t>& cands = x.cands;
  for (std::size_t j = start; j < m; ++j) {
    const Event& e = ev[j];
    const ThreadId t = e.thread;
    const long pp = last[t];
    idx[j] = count[t];
    std::uint32_t* c = clock(j);
    if (pp >= 0) std::copy_n(clock(static_cast<std::size_t>(pp)), threads, c);
    else std::fill_n(c, threads, 0);
    deps.clear();
    const ObjectId obj = e.access.object;
    const bool tracked = obj != kNoObject && e.access.kind != AccessKind::Yield;
    if (tracked) {
      const ObjectId parent = e.access.parent;
      const std::size_t top = std::max(obj, parent == kNoObject ? obj : parent) + 1;
      if (top > x.by_object.size()) x.by_object.resize(top);
      if (top > x.by_parent.size()) x.by_parent.resize(top);
      // Phantoms (j >= n) depend on real events only; the lists hold only those.
      auto scan = [&](const std::vector<std::size_t>& list) {
        for (std::size_t i : list) {
          if (ev[i].thread == t || !dependent(ev[i].access, e.access)) continue;
          deps.push_back(i);
          const std::uint32_t* ci = clock(i);
          for (std::size_t q = 0; q < threads; ++q) c[q] = std::max(c[q], ci[q]);
        }
      };
      scan(x.by_object[obj]);
      if (parent != kNoObject) scan(x.by_object[parent]);  // the whole struct
      else scan(x.by_parent[obj]);                          // its fields
      if (j < n) {
        x.by_object[obj].push_back(j);
        if (parent != kNoObject) x.by_parent[parent].push_back(j);
      }
    }
    c[t] = idx[j] + 1;
    if (!e.open) {
      last[t] = static_cast<long>(j);
      ++count[t];
    }

    // Events of the replayed prefix had their races handled when they ran.
    if (j < fresh_from_) continue;
    // Race candidates: dependent predecessors, a release replaced by the
    // acquire it ends when e waits for the lock.
    cands.clear();
    for (std::size_t i : deps) {
      std::size_t cand = i;
      bool disabled_at_i = false;  // cand replaces i: the step that disabled e
      // (Only a wait on the lock itself: a wait on the lock's parent, whose guard reads
      // what the lock's critical sections change, is not enabled by the release; it is
      // the step that disabled it, found below, that races with it.)
      if (blocking(e.access.kind) && release(ev[i].access.kind) && ev[i].access.object == e.access.object) {
        cand = npos;
        for (std::size_t q = i; q-- > 0;) {
          if (ev[q].thread == ev[i].thread && ev[q].access.object == ev[i].access.object &&
              acquire_like(ev[q].access.kind)) {
            cand = q;
            break;
          }
        }
        if (cand == npos || !dependent(ev[cand].access, e.access)) continue;
      } else if (pp < static_cast<long>(i) && i < n && !has(path_[i].enabled, t)) {
        // e (announced blocking: a wait, or a read of any kind) was pending and
        // disabled at point i: it cannot move before i. The
        // step that disabled it (the last point before i where it was enabled:
        // a write of its guard's object, as an acquire is for a lock) is the
        // race to reverse, so that e runs before the guard turned false.
        cand = npos;
        for (std::size_t q = i; q-- > static_cast<std::size_t>(pp + 1);) {
          if (has(path_[q].enabled, t)) {
            cand = q;
            break;
          }
        }
        // Disabled all along since its announcement: the guard was last made
        // false before that, by the latest dependent step of another thread
        // before i not already ordered before t's previous step.
        if (cand == npos)
          for (std::size_t k : deps)
            if (k < i && (cand == npos || k > cand) && (pp < 0 || !hb(k, static_cast<std::size_t>(pp)))) cand = k;
        if (cand == npos || ev[cand].thread == t || !dependent(ev[cand].access, e.access)) continue;
        disabled_at_i = true;
      }
      // The race is immediate when no other dependent predecessor of e follows
      // it in happens-before. For a step that disabled e, that is asked of i:
      // the steps between it and i that kept e disabled (a second clear) follow
      // it, and no reversal of theirs can run e (it is disabled there).
      bool immediate = true;
      const std::size_t probe = disabled_at_i ? i : cand;
      for (std::size_t k : deps) {
        if (k == i || k == cand) continue;
        if (hb(probe, k)) { immediate = false; break; }
      }
      if (immediate && pp >= 0 && hb(cand, static_cast<std::size_t>(pp))) immediate = false;
      if (!immediate) continue;
      bool dup = false;
      for (std::size_t x : cands) dup |= x == cand;
      if (!dup) cands.push_back(cand);
    }

    for (std::size_t i : cands) {
      std::vector<Event> v;
      const std::size_t stop = e.open ? n : j;
      bool touched = false;  // an event of v changes what e's guard reads
      for (std::size_t q = i + 1; q < stop; ++q) {
        if (hb(i, q)) continue;
        v.push_back(ev[q]);
        touched |= dependent(ev[q].access, e.access);
      }
      // An operation announced blocking (a lock, a wait, a blocking read of
      // any kind) that was pending and disabled at point i: its guard reads
      // only its object, which nothing in v changes, so it is disabled where
      // v would run it too: the race cannot be reversed.
      if (pp < static_cast<long>(i) && !has(path_[i].enabled, t) && !touched) continue;
      // A wait for a change: when, in the reversal, nobody wrote its object
      // since its thread last saw it, its guard is false there: not reversed.
      if (e.access.until_change && seen_unchanged(t, e.access.object, e.access.parent, i, v))
        continue;
      // The moved event runs in another state: its announced kind.
      v.push_back(Event{e.thread, j < n ? path_[j].pending[t] : e.access, {}, true});
      const Node& at = path_[i];
      // The race's first event, when it may refine: a thread whose step
      // depends on it may change what it turns out to be (a get_page before a
      // put_page that would free the page), and with it whether the race
      // exists at all; such a thread's subtree does not cover v (insert_forest
      // gives it v all the same, and v a branch of its own).
      const Access& first = at.pending[ev[i].thread];
      const Access* guard = first.may_refine ? &first : nullptr;
      bool covered = false;
      for (ThreadMask s = at.sleep; s && !covered; s &= s - 1) {
        ThreadId p = lowest(s);
        std::size_t where;
        covered = weak_initial(p, at.pending[p], v, &where) &&
                  (where != npos || !guarded(at.pending[p], guard));
      }
      for (const Slept& sl : at.psleep) {
        std::size_t where;
        if (covered) break;
        covered = weak_initial(sl.thread, at.pending[sl.thread], v, &where) && where != npos &&
                  !v[where].open && v[where].vals == sl.vals;
      }
      if (covered) continue;
      if (guard) v.insert(v.begin(), Event{kNoThread, *guard, {}, false});
      insert(i, std::move(v));
    }
  }
}

bool DporStrategy::seen_unchanged(ThreadId t, ObjectId o, ObjectId parent, std::size_t i,
                                  const std::vector<Event>& v) const {
  const std::vector<Event>& ev = scratch_.ev;
  // Walk the reversal's execution (points [0, i), then v) backwards from
  // its end: t's own step on o ends the walk well, another thread's write
  // (an access a read of o conflicts with) before it ends it badly.
  auto at = [&](const Event& x, bool* verdict) {
    const Access& a = x.access;
    const bool related = a.object == o || a.parent == o || (parent != kNoObject && a.object == parent);
    if (!related || a.kind == AccessKind::Yield) return false;
    if (x.thread == t) { *verdict = true; return true; }
    if (kinds_conflict(AccessKind::Read, a.kind)) { *verdict = false; return true; }
    return false;
  };
  bool verdict = false;
  for (std::size_t q = v.size(); q-- > 0;)
    if (at(v[q], &verdict)) return verdict;
  for (std::size_t q = i; q-- > 0;)
    if (at(ev[q], &verdict)) return verdict;
  return false;  // t never saw o
}

bool DporStrategy::weak_initial(ThreadId p, const Access& next, const std::vector<Event>& v,
                                std::size_t* index) {
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (v[i].thread != p) continue;
    for (std::size_t h = 0; h < i; ++h)
      if (dependent(v[h].access, v[i].access)) return false;
    *index = i;
    return true;
  }
  for (const Event& e : v)
    if (dependent(e.access, next)) return false;
  *index = npos;
  return true;
}

bool DporStrategy::guarded(const Access& a, const Access* guard) {
  return guard != nullptr && dependent(a, *guard);
}

void DporStrategy::insert(std::size_t k, std::vector<Event> v) {
  // A task changes nothing above its branch: such insertions go to the master.
  std::vector<Event> original;
  if (floor_ != npos_ && k <= floor_) original = v;
  // A leading event of no thread is the race's guard (see detect_races).
  std::optional<Access> guard_copy;
  if (!v.empty() && v.front().thread == kNoThread) {
    guard_copy = v.front().access;
    v.erase(v.begin());
  }
  const Access* guard = guard_copy ? &*guard_copy : nullptr;
  auto exported = [&](std::size_t m, bool variants) {
    if (floor_ == npos_ || m > floor_ || (variants && m == floor_)) return false;
    result_.exports.emplace_back(k, std::move(original));
    return true;
  };
  for (std::size_t m = k; m < path_.size(); ++m) {
    Node& node = path_[m];
    std::size_t at;
    const bool named = !node.all_values && !no_choices(node.variants);
    // A branch named for some value vectors covers v only for those: when v
    // is independent of it, or ends with its event with open values, v goes
    // beside it (the thread then sleeps for the vectors already explored).
    // (At m == k the branch is the race's first event itself, never a weak
    // initial of v, so the guard matters only in the forests.)
    if (!weak_initial(node.thread, node.ran, v, &at) || (at == npos && named)) {
      if (exported(m, false)) return;
      insert_forest(node.later, v, guard);
      return;
    }
    if (at != npos && v[at].open && named) {
      if (exported(m, false)) return;
      Group g{node.thread, node.pending[node.thread], {}, true};
      for (Group& x : node.later)
        if (x.thread == g.thread) {
          x.every = true;
          return;
        }
      node.later.push_back(std::move(g));
      return;
    }
    if (at == npos) continue;  // independent of all of v: follow the current branch
    if (!v[at].open && v[at].vals != node.vals) {
      if (exported(m, true)) return;
      // Another value vector of the branch under exploration.
      Event x = std::move(v[at]);
      v.erase(v.begin() + static_cast<long>(at));
      for (std::size_t i = 0; i < node.variants.size(); ++i) {
        Variant& var = node.variants[i];
        if (var.vals != x.vals) continue;
        if (!node.all_values && i < node.variant) ++lost_;  // explored already
        else if (!v.empty() && !var.sub.empty()) insert_forest(var.sub, v, guard);
        return;
      }
      node.variants.push_back(Variant{std::move(x.vals), chain(v, 0), {}});
      return;
    }
    v.erase(v.begin() + static_cast<long>(at));
    if (v.empty()) return;
  }
  // Past the end of this execution: nothing can run there.
}

void DporStrategy::insert_forest(Forest& f, std::vector<Event>& v, const Access* guard) {
  for (Group& g : f) {
    std::size_t at;
    if (!weak_initial(g.thread, g.access, v, &at)) continue;
    if (at == npos && guarded(g.access, guard)) {
      // g runs before v and depends on the race's first event: its subtree
      // gets v as it would without the guard, and v needs a branch of its own.
      std::vector<Event> copy = v;
      if (!no_choices(g.variants)) g.every = true;
      if (!g.variants.empty() && !g.variants.front().sub.empty())
        insert_forest(g.variants.front().sub, copy, guard);
      continue;
    }
    if (at == npos) {
      // Independent of all of v: the branch covers v once it explores every
      // value vector (v may be followed by any of them).
      if (!no_choices(g.variants)) g.every = true;
      if (g.variants.empty() || g.variants.front().sub.empty()) return;  // a leaf covers v
      insert_forest(g.variants.front().sub, v, guard);
      return;
    }
    Event x = std::move(v[at]);
    v.erase(v.begin() + static_cast<long>(at));
    if (x.open && !no_choices(g.variants)) g.every = true;
    if (x.open || g.variants.empty()) return;  // a leaf covers v
    for (Variant& var : g.variants) {
      if (var.vals != x.vals) continue;
      if (v.empty() || var.sub.empty()) return;
      insert_forest(var.sub, v, guard);
      return;
    }
    g.variants.push_back(Variant{std::move(x.vals), chain(v, 0), {}});
    return;
  }
  Forest c = chain(v, 0);
  f.push_back(std::move(c.front()));
}

void DporStrategy::group_contribution(const Group& g, ThreadMask* sleep, PSleep* psleep) {
  if (g.every) {
    *sleep |= bit(g.thread);
    return;
  }
  // A step that made no value choice has one vector only: all covered.
  bool all = true;
  for (const Variant& var : g.variants) all &= var.vals.empty();
  if (all) {
    *sleep |= bit(g.thread);
    return;
  }
  for (const Variant& var : g.variants) {
    Vals ranges = var.ranges;
    ranges.resize(var.vals.size(), 0);
    psleep->push_back(Slept{g.thread, var.vals, std::move(ranges)});
  }
  promote(sleep, *psleep);
}

void DporStrategy::contribution(const Node& n, ThreadMask* sleep, PSleep* psleep) const {
  if (n.all_values) {
    *sleep |= bit(n.thread);
    return;
  }
  Group g{n.thread, {}, {}, false};
  for (const Variant& var : n.variants) g.variants.push_back(Variant{var.vals, {}, var.ranges});
  group_contribution(g, sleep, psleep);
}

bool DporStrategy::backtrack() {
  while (!path_.empty()) {
    Node& n = path_.back();
    const std::size_t k = path_.size() - 1;
    if (n.all_values) {
      for (std::size_t i = n.vals.size(); i-- > 0;) {
        if (n.vals[i] + 1 < n.ranges[i]) {
          ++n.vals[i];
          n.vals.resize(i + 1);
          n.ranges.resize(i + 1);
          fresh_from_ = k;
          return true;
        }
      }
    } else if (n.variants[n.variant].ranges = n.ranges; n.variant + 1 < n.variants.size()) {
      ++n.variant;
      n.vals = n.variants[n.variant].vals;
      n.ranges.assign(n.vals.size(), 0);
      fresh_from_ = k;
      return true;
    }
    if (k == floor_) {  // a task's branch is done
      contribution(n, &result_.sleep_add, &result_.psleep_add);
      return false;
    }
    contribution(n, &n.sleep, &n.psleep);
    ++n.done;
    n.variants.clear();
    while (!n.later.empty()) {
      Group g = std::move(n.later.front());
      n.later.erase(n.later.begin());
      if (has(n.enabled, g.thread) && !has(n.sleep, g.thread)) {
        const bool named = !g.variants.empty();
        std::erase_if(g.variants, [&](const Variant& var) { return asleep(n, g.thread, var.vals); });
        if (!named || !g.variants.empty()) {
          if (hook_ && k <= hook_depth_) {
            if (std::optional<TaskResult> r = hook_(k, g, n.sleep, n.psleep)) {
              absorb(n, *r);
              ++n.done;
              continue;
            }
          }
          start_group(n, std::move(g));
          fresh_from_ = k;
          return true;
        }
      }
      ++infeasible_;
    }
    path_.pop_back();
  }
  if (floor_ != npos_) return false;
  for (std::size_t i = root_vals_.size(); i-- > 0;) {
    if (root_vals_[i] + 1 < root_ranges_[i]) {
      ++root_vals_[i];
      root_vals_.resize(i + 1);
      root_ranges_.resize(i + 1);
      fresh_from_ = 0;
      return true;
    }
  }
  return false;
}

void DporStrategy::absorb(Node& n, TaskResult& r) {
  for (auto& [k, v] : r.exports) insert(k, std::move(v));
  n.sleep |= r.sleep_add;
  for (auto& e : r.psleep_add) n.psleep.push_back(std::move(e));
  infeasible_ += r.infeasible;
  lost_ += r.lost;
}

DporStrategy::Key DporStrategy::key_at(std::size_t depth, ThreadId thread) const {
  Key key;
  if (depth >= path_.size()) return key;
  key.reserve(depth + 2);
  key.emplace_back(kNoThread, root_vals_);
  for (std::size_t m = 0; m < depth; ++m) key.emplace_back(path_[m].thread, path_[m].vals);
  key.emplace_back(thread, Vals{});
  return key;
}

bool DporStrategy::on_path(const Key& key) const {
  if (key.size() < 2) return false;
  const std::size_t depth = key.size() - 2;
  if (depth >= path_.size() || key.front().second != root_vals_) return false;
  for (std::size_t m = 0; m < depth; ++m)
    if (path_[m].thread != key[m + 1].first || path_[m].vals != key[m + 1].second) return false;
  return true;
}

std::vector<DporStrategy::Task> DporStrategy::candidates(
    std::size_t max_depth, std::size_t max_count,
    const std::function<bool(const Task&)>& taken) const {
  std::vector<Task> out;
  Task probe;
  for (std::size_t k = 0; k < path_.size() && k <= max_depth && out.size() < max_count; ++k) {
    const Node& n = path_[k];
    if (n.later.empty()) continue;
    ThreadMask sleep = n.sleep;
    PSleep psleep = n.psleep;
    contribution(n, &sleep, &psleep);
    for (std::size_t p = 0; p < n.later.size() && out.size() < max_count; ++p) {
      const Group& g = n.later[p];
      if (!has(n.enabled, g.thread) || has(sleep, g.thread)) continue;
      auto is_asleep = [&](const Variant& var) {
        for (const Slept& e : psleep)
          if (e.thread == g.thread && e.vals == var.vals) return true;
        return false;
      };
      Group light{g.thread, g.access, {}, g.every};  // the awake vectors, without subtrees
      for (const Variant& var : g.variants)
        if (!is_asleep(var)) light.variants.push_back(Variant{var.vals, {}, var.ranges});
      if (!g.variants.empty() && light.variants.empty()) continue;
      probe.key = key_at(k, g.thread);
      if (taken(probe)) {
        group_contribution(light, &sleep, &psleep);
        continue;
      }
      Task t;
      t.key = std::move(probe.key);
      t.depth = k;
      t.sleep = sleep;
      t.psleep = psleep;
      t.group = g;
      std::erase_if(t.group.variants, is_asleep);
      group_contribution(t.group, &sleep, &psleep);
      t.prefix.reserve(k + 1);
      for (std::size_t m = 0; m <= k; ++m) {
        const Node& src = path_[m];
        Node c;
        c.enabled = src.enabled;
        c.sleep = src.sleep;
        c.psleep = src.psleep;
        c.previous = src.previous;
        c.pending = src.pending;
        c.thread = src.thread;
        c.ran = src.ran;
        c.vals = src.vals;
        c.ranges = src.ranges;
        c.all_values = src.all_values;
        c.preemptions = src.preemptions;
        t.prefix.push_back(std::move(c));
      }
      out.push_back(std::move(t));
    }
  }
  return out;
}

std::unique_ptr<DporStrategy> DporStrategy::for_task(Task task, const std::atomic<bool>* stop) {
  auto w = std::make_unique<DporStrategy>();
  w->path_ = std::move(task.prefix);
  w->root_vals_ = task.key.front().second;
  w->root_ranges_.assign(w->root_vals_.size(), 0);
  Node& n = w->path_.back();
  n.sleep = task.sleep;
  n.psleep = task.psleep;
  n.done = 0;
  w->start_group(n, std::move(task.group));
  w->floor_ = task.depth;
  w->fresh_from_ = task.depth;
  w->stop_ = stop;
  return w;
}

DporStrategy::TaskResult DporStrategy::take_result() {
  result_.infeasible = infeasible_;
  result_.lost = lost_;
  return std::move(result_);
}

double DporStrategy::progress() const {
  double done = 0, weight = 1;
  for (const Node& n : path_) {
    double total = n.done + 1.0 + static_cast<double>(n.later.size());
    done += weight * n.done / total;
    weight /= total;
  }
  return done;
}

}  // namespace checker::detail
