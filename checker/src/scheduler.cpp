// scheduler.cpp: Boost.Context fibers for simulated threads. See scheduler.h.
//
// Stacks come from a per-OS-thread cache of guard-paged stacks, so an
// execution costs no mmap once the cache is warm.
//
// Under AddressSanitizer every switch is announced to it
// (__sanitizer_start_switch_fiber before, __sanitizer_finish_switch_fiber
// after, on both sides), as Boost.Context's own ucontext build would do
// (BOOST_USE_ASAN): Debian's libboost-context is fcontext only, so the engine
// does it itself. Every switch goes through resume(), yield(), a fiber's exit
// or teardown(); without ASan the annotations compile to nothing.
#include "scheduler.h"

#include <boost/context/fiber.hpp>
#include <boost/context/protected_fixedsize_stack.hpp>

#include <cstdlib>
#include <cstdio>

#if defined(__SANITIZE_ADDRESS__)
#define MMCHECK_ASAN_FIBERS 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define MMCHECK_ASAN_FIBERS 1
#endif
#endif
#ifdef MMCHECK_ASAN_FIBERS
#include <sanitizer/common_interface_defs.h>
#endif

namespace checker::detail {

namespace ctx = boost::context;

namespace {

constexpr std::size_t kStackSize = 256 * 1024;

/// The sanitizer's view of one side of a switch (no-ops without ASan).
struct FiberSwitch {
  void* fake_stack = nullptr;  ///< ASan's fake stack of the context switched away from
  /// About to leave the current context for the stack [bottom, bottom + size);
  /// `leaving_for_good`: the current context never runs again (a fiber's exit).
  void start(const void* bottom, std::size_t size, bool leaving_for_good = false) {
#ifdef MMCHECK_ASAN_FIBERS
    __sanitizer_start_switch_fiber(leaving_for_good ? nullptr : &fake_stack, bottom, size);
#else
    (void)bottom, (void)size, (void)leaving_for_good;
#endif
  }
  /// Back in this context; *from_bottom/*from_size get the stack we came from.
  void finish(const void** from_bottom = nullptr, std::size_t* from_size = nullptr) {
#ifdef MMCHECK_ASAN_FIBERS
    __sanitizer_finish_switch_fiber(fake_stack, from_bottom, from_size);
#else
    (void)from_bottom, (void)from_size;
#endif
  }
};

/// The stack the last CachedStack::allocate() handed out on this OS thread
/// (Boost.Context allocates it inside the fiber's constructor).
thread_local ctx::stack_context last_stack;

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
      last_stack = stack_cache.free.back();
      stack_cache.free.pop_back();
      return last_stack;
    }
    last_stack = ctx::protected_fixedsize_stack(kStackSize).allocate();
    return last_stack;
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
    bool started = false;    ///< the body's context has run
    bool cancelled = false;  ///< teardown before it ran: the body is skipped
    std::exception_ptr error;
    // For the sanitizer: this fiber's stack, the engine's, and each side's state.
    const void* stack_bottom = nullptr;
    std::size_t stack_size = 0;
    const void* engine_bottom = nullptr;
    std::size_t engine_size = 0;
    FiberSwitch engine_side, fiber_side;
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
    tp->fiber_side.finish(&tp->engine_bottom, &tp->engine_size);  // first entry
    tp->started = true;
    tp->sink = std::move(sink);
    try {
      if (!tp->cancelled) tp->body();
    } catch (const ctx::detail::forced_unwind&) {
      // teardown of an unfinished fiber: let Boost.Context unwind it; it
      // switches back to the engine for good.
      tp->fiber_side.start(tp->engine_bottom, tp->engine_size, true);
      throw;
    } catch (...) {
      tp->error = std::current_exception();
    }
    tp->finished = true;
    tp->fiber_side.start(tp->engine_bottom, tp->engine_size, true);
    return std::move(tp->sink);
  });
  tp->stack_bottom = static_cast<const char*>(last_stack.sp) - last_stack.size;
  tp->stack_size = last_stack.size;
  impl_->threads.push_back(std::move(t));
}

void Scheduler::resume(ThreadId id) {
  Impl::Thread& t = *impl_->threads[id];
  t.engine_side.start(t.stack_bottom, t.stack_size);
  t.fiber = std::move(t.fiber).resume();
  t.engine_side.finish();
}

void Scheduler::yield(ThreadId id) {
  Impl::Thread& t = *impl_->threads[id];
  t.fiber_side.start(t.engine_bottom, t.engine_size);
  try {
    t.sink = std::move(t.sink).resume();
  } catch (const ctx::detail::forced_unwind&) {
    t.fiber_side.finish(&t.engine_bottom, &t.engine_size);  // resumed by teardown()
    throw;
  }
  t.fiber_side.finish(&t.engine_bottom, &t.engine_size);
}

bool Scheduler::finished(ThreadId id) const { return impl_->threads[id]->finished; }

std::exception_ptr Scheduler::error(ThreadId id) const { return impl_->threads[id]->error; }

void Scheduler::teardown() {
  // Destroying a suspended fiber resumes it with forced_unwind: its stack
  // unwinds (destructors run) and the fiber returns to us. Newest first.
  while (!impl_->threads.empty()) {
    Impl::Thread& t = *impl_->threads.back();
    if (t.fiber && !t.started) {
      // Never ran: run it once, so that both sides of every switch are
      // announced; it returns at once without running the body.
      t.cancelled = true;
      resume(static_cast<ThreadId>(impl_->threads.size() - 1));
    } else if (t.fiber) {
      // Suspended in yield(): its destructor switches to it with forced_unwind.
      t.engine_side.start(t.stack_bottom, t.stack_size);
      t.fiber = ctx::fiber();
      t.engine_side.finish();
    }
    impl_->threads.pop_back();
  }
}

std::size_t Scheduler::size() const { return impl_->threads.size(); }

}  // namespace checker::detail
