// scheduler.cpp: Boost.Context fibers for simulated threads. See scheduler.h.
//
// Stacks come from a per-OS-thread cache of guard-paged stacks, so an
// execution costs no mmap once the cache is warm.
#include "scheduler.h"

#include <boost/context/fiber.hpp>
#include <boost/context/protected_fixedsize_stack.hpp>

#include <cstdlib>
#include <cstdio>

namespace checker::detail {

namespace ctx = boost::context;

namespace {

constexpr std::size_t kStackSize = 256 * 1024;

/// A free list of stacks, one per OS thread (parallel workers each have one).
struct StackCache {
  std::vector<ctx::stack_context> free;
  ~StackCache() {
    ctx::protected_fixedsize_stack alloc(kStackSize);
    for (auto& sc : free) alloc.deallocate(sc);
  }
};
thread_local StackCache stack_cache;

/// The StackAllocator concept over the cache.
struct CachedStack {
  ctx::stack_context allocate() {
    if (!stack_cache.free.empty()) {
      ctx::stack_context sc = stack_cache.free.back();
      stack_cache.free.pop_back();
      return sc;
    }
    return ctx::protected_fixedsize_stack(kStackSize).allocate();
  }
  void deallocate(ctx::stack_context& sc) noexcept { stack_cache.free.push_back(sc); }
};

}  // namespace

struct Scheduler::Impl {
  struct Thread {
    std::function<void()> body;
    ctx::fiber fiber;  ///< the thread's own context, while suspended
    ctx::fiber sink;   ///< the engine's context, while the thread runs
    bool finished = false;
    std::exception_ptr error;
  };
  std::vector<std::unique_ptr<Thread>> threads;
};

Scheduler::Scheduler() : impl_(std::make_unique<Impl>()) {}
Scheduler::~Scheduler() { teardown(); }

void Scheduler::create(ThreadId id, std::function<void()> body) {
  if (id != impl_->threads.size()) {
    std::fprintf(stderr, "internal error: scheduler thread ids must be dense\n");
    std::abort();
  }
  auto t = std::make_unique<Impl::Thread>();
  Impl::Thread* tp = t.get();
  tp->body = std::move(body);
  tp->fiber = ctx::fiber(std::allocator_arg, CachedStack{}, [tp](ctx::fiber&& sink) {
    tp->sink = std::move(sink);
    try {
      tp->body();
    } catch (const ctx::detail::forced_unwind&) {
      throw;  // teardown of an unfinished fiber: let Boost.Context unwind it
    } catch (...) {
      tp->error = std::current_exception();
    }
    tp->finished = true;
    return std::move(tp->sink);
  });
  impl_->threads.push_back(std::move(t));
}

void Scheduler::resume(ThreadId id) {
  Impl::Thread& t = *impl_->threads[id];
  t.fiber = std::move(t.fiber).resume();
}

void Scheduler::yield(ThreadId id) {
  Impl::Thread& t = *impl_->threads[id];
  t.sink = std::move(t.sink).resume();
}

bool Scheduler::finished(ThreadId id) const { return impl_->threads[id]->finished; }

std::exception_ptr Scheduler::error(ThreadId id) const { return impl_->threads[id]->error; }

void Scheduler::teardown() {
  // Destroying a suspended fiber resumes it with forced_unwind: its stack
  // unwinds (destructors run) and the fiber returns to us. Newest first.
  while (!impl_->threads.empty()) impl_->threads.pop_back();
}

std::size_t Scheduler::size() const { return impl_->threads.size(); }

}  // namespace checker::detail
