// cuda_emu.h: runs the project's CUDA kernels on the CPU, so that they build and are tested on
// machines without a GPU (g++ host mode, -x c++, with the toolkit headers on the include path).
//
// Execution model. Every CUDA thread of a block is a fiber with its own stack; the blocks of a
// grid run one after another on the launching OS thread. A fiber runs until it reaches a
// synchronisation point (__syncthreads*, __syncwarp, any warp intrinsic) or returns; the scheduler
// then resumes another runnable fiber, chosen by the launch's Schedule. Between two
// synchronisation points a CUDA thread may run arbitrarily far ahead of the others, so every
// order the scheduler picks is a legal CUDA schedule, and InOrder / Reversed / Random explore
// very different ones (warp 0 running ahead, the last warp running ahead, interleaved).
//
// Errors a GPU would hang on or silently survive are reported as emu::KernelError by the launch:
// a barrier that not every live thread reaches, threads at different barriers, a warp op whose
// mask names an exited lane or excludes the caller, mismatched masks or ops, deadlock,
// __trap(), a failed assert() in a kernel, an exception thrown by kernel code.
//
// Shared memory.
//  * Dynamic: one heap buffer per launch, filled with 0xFF (NaN for floats) at the start of every
//    block, so reads of unwritten shared memory show up; heap-allocated to its exact size so that
//    AddressSanitizer catches overruns. Kernels reach it through emu::dynamic_shared().
//  * Static: `__shared__` expands to `static`, so such arrays are ordinary static storage shared by
//    all blocks (blocks run one after another). They are NOT refilled between blocks.
//  * Because static storage is process-wide, launches are serialised by one process-wide mutex:
//    two OS threads never run kernels at the same time. Launching from inside a kernel is an error.
#pragma once

#include <cuda_fp16.h>  // also brings vector_types.h, vector_functions.h (float4, dim3, make_*)
#include <cuda_bf16.h>

#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <math.h>  // the unqualified isnan/isinf/... that device code uses
#include <memory>
#include <mutex>
#include <new>
#include <random>
#include <stdexcept>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include <dlfcn.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>

#if defined(__has_feature)
#define EMU_HAS_FEATURE(x) __has_feature(x)
#else
#define EMU_HAS_FEATURE(x) 0
#endif
#if defined(__SANITIZE_ADDRESS__) || EMU_HAS_FEATURE(address_sanitizer)
#define EMU_ASAN 1
#include <sanitizer/asan_interface.h>
#include <sanitizer/common_interface_defs.h>
#endif
#if defined(__SANITIZE_THREAD__) || EMU_HAS_FEATURE(thread_sanitizer)
#define EMU_TSAN 1
#include <sanitizer/tsan_interface.h>
#endif

#define CUDA_EMU 1  // lets a kernel source tell the emulator from nvcc (__CUDA_ARCH__ is not defined)

// host_defines.h already maps __global__, __device__, __host__, __forceinline__, __constant__ and
// __align__ for host compilers; these are the ones it leaves to the device compiler.
#undef __shared__
#define __shared__ static
#define __launch_bounds__(...)
// Empty rather than __attribute__((noinline)): libstdc++ itself writes __attribute__((__noinline__)).
#define __noinline__

#ifndef EMU_STACK_KB
#if defined(EMU_ASAN)
#define EMU_STACK_KB 256  // ASan's redzones make every frame several times larger
#else
#define EMU_STACK_KB 64
#endif
#endif

constexpr int warpSize = 32;

namespace emu {

enum class Schedule { InOrder, Reversed, Random };
inline const char* to_string(Schedule s) {
  return s == Schedule::InOrder ? "InOrder" : s == Schedule::Reversed ? "Reversed" : "Random";
}

struct LaunchConfig {
  dim3 grid, block;
  size_t dynamicSharedBytes = 0;
  Schedule schedule = Schedule::InOrder;
  uint64_t seed = 1;
  const char* name = nullptr;  // for messages; found with dladdr when null
};

struct KernelError : std::runtime_error {
  using runtime_error::runtime_error;
};

namespace detail {

// Where a synchronisation call stands in the kernel source: nested in a default argument, the
// builtins take the caller's position.
struct Site {
  const char* file;
  int line;
  static Site here(const char* f = __builtin_FILE(), int l = __builtin_LINE()) { return {f, l}; }
};

enum class Op : uint8_t {
  SyncThreads, SyncCount, SyncAnd, SyncOr,  // block barriers
  SyncWarp, ShflIdx, ShflUp, ShflDown, ShflXor, Ballot, Any, All,
  RedAdd, RedMinU, RedMaxU, RedMinI, RedMaxI, RedAnd, RedOr, RedXor, MatchAny, MatchAll
};
constexpr const char* kOpName[] = {
    "__syncthreads()", "__syncthreads_count()", "__syncthreads_and()", "__syncthreads_or()",
    "__syncwarp()", "__shfl_sync()", "__shfl_up_sync()", "__shfl_down_sync()", "__shfl_xor_sync()",
    "__ballot_sync()", "__any_sync()", "__all_sync()", "__reduce_add_sync()", "__reduce_min_sync()",
    "__reduce_max_sync()", "__reduce_min_sync()", "__reduce_max_sync()", "__reduce_and_sync()",
    "__reduce_or_sync()", "__reduce_xor_sync()", "__match_any_sync()", "__match_all_sync()"};
inline const char* name_of(Op op) { return kOpName[static_cast<int>(op)]; }

enum class State : uint8_t { Runnable, Barrier, Warp, Exited };

struct Cancel {};                   // unwinds a fiber's kernel frames after the launch has failed
struct Fault { std::string msg; };  // an error found by the fiber itself

inline std::string fmt(const char* f, ...) __attribute__((format(printf, 1, 2)));
inline std::string fmt(const char* f, ...) {
  char buf[512];
  va_list ap;
  va_start(ap, f);
  vsnprintf(buf, sizeof buf, f, ap);
  va_end(ap);
  return buf;
}

// ---- stack switching ----------------------------------------------------------------------------
// glibc's swapcontext makes two sigprocmask system calls per switch (microseconds on a VM) and
// kernels switch at every warp op, so x86-64 gets a plain register swap (about 50 times faster).
// The sanitizers need only the fiber annotations, not a particular switching mechanism.
void fiber_main();

#if defined(__x86_64__) && !defined(EMU_UCONTEXT)
struct Context { void* sp = nullptr; };
}  // namespace detail
}  // namespace emu
// emu_switch_stack(void** save_sp, void* next_sp): pushes the callee-saved registers, swaps stack
// pointers, pops. MXCSR and the x87 control word are not saved: no fiber changes them. Top-level
// asm, not a naked inline function, so that the compiler assumes the full call ABI at each call
// (with -fipa-ra it would trust the empty clobber list of a visible asm body); comdat + weak +
// hidden keep one copy per executable or shared library however many files include this header.
asm(R"(
  .pushsection .text.emu_switch_stack,"axG",@progbits,emu_switch_stack,comdat
  .weak emu_switch_stack
  .hidden emu_switch_stack
  .type emu_switch_stack, @function
emu_switch_stack:
  pushq %rbp; pushq %rbx; pushq %r12; pushq %r13; pushq %r14; pushq %r15
  movq %rsp, (%rdi)
  movq %rsi, %rsp
  popq %r15; popq %r14; popq %r13; popq %r12; popq %rbx; popq %rbp
  ret
  .size emu_switch_stack, .-emu_switch_stack
  .popsection
)");
extern "C" void emu_switch_stack(void** save_sp, void* next_sp);
namespace emu {
namespace detail {
inline void context_init(Context& c, char* stack, size_t size) {
  auto* top = reinterpret_cast<uintptr_t*>(stack + size);
  *--top = 0;  // fiber_main's return address: ends backtraces, keeps the entry rsp at 8 mod 16
  *--top = reinterpret_cast<uintptr_t>(&fiber_main);
  for (int i = 0; i < 6; ++i) *--top = 0;  // rbp rbx r12..r15
  c.sp = top;
}
inline void context_switch(Context& from, Context& to) { emu_switch_stack(&from.sp, to.sp); }
#else
struct Context { ucontext_t uc; };
inline void context_init(Context& c, char* stack, size_t size) {
  getcontext(&c.uc);
  c.uc.uc_stack.ss_sp = stack;
  c.uc.uc_stack.ss_size = size;
  c.uc.uc_link = nullptr;
  makecontext(&c.uc, fiber_main, 0);
#if defined(EMU_ASAN)
  // ASan's swapcontext interceptor unpoisons the whole target stack found here on every switch,
  // which would erase the redzones of the frames a fiber keeps across a barrier.
  c.uc.uc_stack = {};
#endif
}
inline void context_switch(Context& from, Context& to) { swapcontext(&from.uc, &to.uc); }
#endif

struct Fiber {
  Context ctx;
  char *mem = nullptr, *stack = nullptr;  // mem = guard page + stack
  size_t mem_size = 0, stack_size = 0;
  void *tsan = nullptr, *asan_fake = nullptr;
  // The CUDA thread it currently plays, and what that thread waits on.
  unsigned index = 0;
  uint3 tid{};
  State state = State::Exited;
  bool started = false, cancel = false;
  Op op = Op::SyncThreads;
  unsigned mask = 0, size = 0;
  int arg = 0, width = 32;
  uint64_t value = 0, result = 0;
  Site site{"", 0};
};

// Fibers are created on demand and reused by every later launch.
struct Pool {
  Context sched;
  void* sched_tsan = nullptr;
  const void* sched_stack = nullptr;
  size_t sched_stack_size = 0;
  std::vector<std::unique_ptr<Fiber>> fibers;

  void ensure(size_t n) {
    const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
    while (fibers.size() < n) {
      auto f = std::make_unique<Fiber>();
      f->stack_size = size_t{EMU_STACK_KB} * 1024;
      f->mem_size = f->stack_size + page;
      void* m = mmap(nullptr, f->mem_size, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
      if (m == MAP_FAILED) throw std::bad_alloc();
      mprotect(m, page, PROT_NONE);  // an overflowing kernel faults instead of corrupting a neighbour
      f->mem = static_cast<char*>(m);
      f->stack = f->mem + page;
      context_init(f->ctx, f->stack, f->stack_size);
#if defined(EMU_TSAN)
      f->tsan = __tsan_create_fiber(0);
#endif
      fibers.push_back(std::move(f));
    }
  }
  ~Pool() {
    for (auto& f : fibers) {
#if defined(EMU_TSAN)
      __tsan_destroy_fiber(f->tsan);
#endif
#if defined(EMU_ASAN)
      // Parked frames leave poisoned redzones; memory mapped here later must not inherit them.
      __asan_unpoison_memory_region(f->mem, f->mem_size);
#endif
      munmap(f->mem, f->mem_size);
    }
  }
};

struct Builtins {
  uint3 thread_idx{}, block_idx{};
  dim3 block_dim, grid_dim;
};

struct Launch {
  std::string name, error;
  Schedule schedule = Schedule::InOrder;
  std::mt19937_64 rng;
  void (*invoke)(const void*) = nullptr;
  const void* args = nullptr;
  unsigned nthreads = 0;
  unsigned char* shared = nullptr;
  size_t shared_bytes = 0;
  // The block being run.
  uint64_t runnable[1024 / 64] = {};
  unsigned n_runnable = 0, live = 0, at_barrier = 0;
  int barrier_first = -1, first_exited = -1;

  Fiber& fiber(unsigned i);
  void fail(std::string msg) {
    if (error.empty()) error = std::move(msg);
  }
};

// One launch runs at a time in the process, and all emulator state but tl_fiber is used only by
// it, under launch_mutex. Fibers may therefore serve launches from any OS thread (TSan fibers cost
// milliseconds each to create, so one pool is much cheaper than one per thread); the fiber loop
// reads no thread-local variable, and a kernel's frames never outlive its launch.
inline std::mutex launch_mutex;
inline Builtins builtins;
inline Launch* g_launch = nullptr;
inline Pool pool;
inline thread_local Fiber* tl_fiber = nullptr;  // the fiber running on this OS thread, if any

inline Fiber& Launch::fiber(unsigned i) { return *pool.fibers[i]; }

inline std::string thread_name(const Fiber& f) {
  return fmt("thread (%u,%u,%u)", f.tid.x, f.tid.y, f.tid.z);
}
inline std::string waits_at(const Fiber& f) {
  std::string s = fmt("%s at %s:%d", name_of(f.op), f.site.file, f.site.line);
  return f.state == State::Warp ? s + fmt(" (mask 0x%08x)", f.mask) : s;
}

// Scheduler -> fiber.
inline void switch_into(Fiber& f) {
  tl_fiber = &f;
  builtins.thread_idx = f.tid;
  f.started = true;
#if defined(EMU_ASAN)
  void* fake = nullptr;
  __sanitizer_start_switch_fiber(&fake, f.stack, f.stack_size);
#endif
#if defined(EMU_TSAN)
  __tsan_switch_to_fiber(f.tsan, 0);  // flag 0: the switch orders memory, as cooperative fibers do
#endif
  context_switch(pool.sched, f.ctx);
#if defined(EMU_ASAN)
  __sanitizer_finish_switch_fiber(fake, nullptr, nullptr);
#endif
  tl_fiber = nullptr;
}

// Fiber -> scheduler.
inline void switch_out(Fiber& f) {
#if defined(EMU_ASAN)
  __sanitizer_start_switch_fiber(&f.asan_fake, pool.sched_stack, pool.sched_stack_size);
#endif
#if defined(EMU_TSAN)
  __tsan_switch_to_fiber(pool.sched_tsan, 0);
#endif
  context_switch(f.ctx, pool.sched);
#if defined(EMU_ASAN)
  __sanitizer_finish_switch_fiber(f.asan_fake, &pool.sched_stack, &pool.sched_stack_size);
#endif
}

// Each fiber loops forever, playing one CUDA thread per turn, so its frames stay balanced for the
// sanitizers and it never needs a fresh context.
inline void fiber_main() {
  Fiber& f = *tl_fiber;
#if defined(EMU_ASAN)
  __sanitizer_finish_switch_fiber(nullptr, &pool.sched_stack, &pool.sched_stack_size);
#endif
  for (;;) {
    Launch& L = *g_launch;
    try {
      L.invoke(L.args);
    } catch (const Cancel&) {
    } catch (const Fault& e) {
      L.fail(thread_name(f) + ": " + e.msg);
    } catch (const std::exception& e) {
      L.fail(thread_name(f) + ": exception from kernel code: " + e.what());
    } catch (...) {
      L.fail(thread_name(f) + ": unknown exception from kernel code");
    }
    f.state = State::Exited;
    switch_out(f);
  }
}

[[noreturn]] inline void fault(std::string msg) {
  if (tl_fiber) throw Fault{std::move(msg)};
  fprintf(stderr, "cuda_emu: %s\n", msg.c_str());
  abort();
}

inline Fiber& self(const char* what) {
  if (!tl_fiber) throw std::logic_error(std::string(what) + " called outside a kernel");
  return *tl_fiber;
}

inline uint64_t wait(Fiber& f, State state, Op op, Site site) {
  f.state = state;
  f.op = op;
  f.site = site;
  switch_out(f);
  if (f.cancel) throw Cancel{};
  return f.result;
}

inline unsigned barrier(Op op, int pred, Site site) {
  Fiber& f = self(name_of(op));
  f.value = pred != 0;
  return static_cast<unsigned>(wait(f, State::Barrier, op, site));
}

inline uint64_t warp_op(Op op, unsigned mask, uint64_t value, int arg, int width, unsigned size,
                        Site site) {
  Fiber& f = self(name_of(op));
  if (!(mask >> (f.index % 32) & 1))
    fault(fmt("%s at %s:%d: mask 0x%08x does not include the calling lane %u", name_of(op),
              site.file, site.line, mask, f.index % 32));
  if (width < 1 || width > 32 || (width & (width - 1)))
    fault(fmt("%s at %s:%d: width %d is not a power of two in 1..32", name_of(op), site.file,
              site.line, width));
  f.mask = mask, f.value = value, f.arg = arg, f.width = width, f.size = size;
  return wait(f, State::Warp, op, site);
}

// ---- the scheduler ------------------------------------------------------------------------------
inline void make_runnable(Launch& L, Fiber& f) {
  f.state = State::Runnable;
  L.runnable[f.index / 64] |= uint64_t{1} << (f.index % 64);
  ++L.n_runnable;
}

inline unsigned pick(Launch& L) {
  unsigned w = 0, i = 0;
  if (L.schedule == Schedule::InOrder) {
    while (!L.runnable[w]) ++w;
    i = w * 64 + __builtin_ctzll(L.runnable[w]);
  } else if (L.schedule == Schedule::Reversed) {
    w = (L.nthreads + 63) / 64;
    while (!L.runnable[--w]) continue;
    i = w * 64 + 63 - __builtin_clzll(L.runnable[w]);
  } else {
    uint64_t r = L.rng() % L.n_runnable;
    while (r >= uint64_t(__builtin_popcountll(L.runnable[w]))) r -= __builtin_popcountll(L.runnable[w++]);
    uint64_t bits = L.runnable[w];
    while (r--) bits &= bits - 1;
    i = w * 64 + __builtin_ctzll(bits);
  }
  L.runnable[i / 64] &= ~(uint64_t{1} << (i % 64));
  --L.n_runnable;
  return i;
}

inline void on_exit(Launch& L, Fiber& f) {
  --L.live;
  if (L.first_exited < 0) L.first_exited = static_cast<int>(f.index);
  if (L.at_barrier)
    return L.fail(thread_name(f) + fmt(" exited while %u thread(s) wait at ", L.at_barrier) +
                  waits_at(L.fiber(static_cast<unsigned>(L.barrier_first))));
  const unsigned base = f.index & ~31u, lane = f.index % 32;
  for (unsigned i = base; i < std::min(base + 32, L.nthreads); ++i) {
    Fiber& g = L.fiber(i);
    if (g.state == State::Warp && (g.mask >> lane & 1))
      return L.fail(thread_name(f) + fmt(" (lane %u) exited while ", lane) + thread_name(g) +
                    " waits for it in " + waits_at(g));
  }
}

inline void on_barrier(Launch& L, Fiber& f) {
  if (L.first_exited >= 0)
    return L.fail(thread_name(f) + " waits at " + waits_at(f) + " but " +
                  thread_name(L.fiber(static_cast<unsigned>(L.first_exited))) + " has exited");
  if (L.at_barrier) {
    Fiber& b = L.fiber(static_cast<unsigned>(L.barrier_first));
    if (b.op != f.op || b.site.line != f.site.line || strcmp(b.site.file, f.site.file) != 0)
      return L.fail("divergent barrier: " + thread_name(f) + " waits at " + waits_at(f) +
                    " while " + thread_name(b) + " waits at " + waits_at(b));
  } else {
    L.barrier_first = static_cast<int>(f.index);
  }
  if (++L.at_barrier < L.live) return;
  unsigned count = 0;
  for (unsigned i = 0; i < L.nthreads; ++i)
    if (L.fiber(i).state == State::Barrier) count += static_cast<unsigned>(L.fiber(i).value);
  const uint64_t result = f.op == Op::SyncCount ? count
                          : f.op == Op::SyncAnd ? count == L.live
                          : f.op == Op::SyncOr  ? count > 0 : 0;
  for (unsigned i = 0; i < L.nthreads; ++i)
    if (L.fiber(i).state == State::Barrier) L.fiber(i).result = result, make_runnable(L, L.fiber(i));
  L.at_barrier = 0;
}

// The source lane of a shuffle, following the PTX definition of shfl.sync (segment and clamp).
inline unsigned shfl_source(Op op, unsigned lane, int b, int width) {
  const int seg = (32 - width) & 31;
  const int max_lane = (static_cast<int>(lane) & seg) | ((op == Op::ShflUp ? 0 : 31) & ~seg);
  const int64_t l = lane;
  int64_t j;
  switch (op) {
    case Op::ShflUp: j = l - static_cast<uint32_t>(b); return j >= max_lane ? unsigned(j) : lane;
    case Op::ShflDown: j = l + static_cast<uint32_t>(b); break;
    case Op::ShflXor: j = static_cast<uint32_t>(l ^ b); break;
    default: j = (l & seg) | (b & 31 & ~seg); break;
  }
  return j <= max_lane ? unsigned(j) : lane;
}

inline void complete_warp_op(Launch& L, Fiber& f) {
  const unsigned base = f.index & ~31u, M = f.mask;
  uint64_t vals[32] = {};
  unsigned ballot = 0;
  uint32_t fold = f.op == Op::RedAnd || f.op == Op::RedMinU ? 0xffffffffu
                  : f.op == Op::RedMinI ? 0x7fffffffu : f.op == Op::RedMaxI ? 0x80000000u : 0;
  bool all_equal = true;
  for (unsigned j = 0; j < 32; ++j) {
    if (!(M >> j & 1)) continue;
    const uint32_t v = static_cast<uint32_t>(vals[j] = L.fiber(base + j).value);
    ballot |= unsigned(vals[j] != 0) << j;
    all_equal = all_equal && vals[j] == f.value;
    switch (f.op) {
      case Op::RedAdd: fold += v; break;
      case Op::RedMinU: fold = std::min(fold, v); break;
      case Op::RedMaxU: fold = std::max(fold, v); break;
      case Op::RedMinI: fold = uint32_t(std::min(int32_t(fold), int32_t(v))); break;
      case Op::RedMaxI: fold = uint32_t(std::max(int32_t(fold), int32_t(v))); break;
      case Op::RedAnd: fold &= v; break;
      case Op::RedOr: fold |= v; break;
      case Op::RedXor: fold ^= v; break;
      default: break;
    }
  }
  for (unsigned j = 0; j < 32; ++j) {
    if (!(M >> j & 1)) continue;
    Fiber& g = L.fiber(base + j);
    unsigned src = j;
    switch (g.op) {
      case Op::ShflIdx: case Op::ShflUp: case Op::ShflDown: case Op::ShflXor:
        src = shfl_source(g.op, j, g.arg, g.width);
        g.result = (M >> src & 1) ? vals[src] : g.value;  // PTX: undefined; we keep the own value
        break;
      case Op::Ballot: g.result = ballot; break;
      case Op::Any: g.result = ballot != 0; break;
      case Op::All: g.result = ballot == M; break;
      case Op::MatchAny:
        g.result = 0;
        for (unsigned k = 0; k < 32; ++k) g.result |= uint64_t((M >> k & 1) && vals[k] == g.value) << k;
        break;
      case Op::MatchAll: g.result = all_equal ? M : 0; break;
      default: g.result = fold; break;
    }
    make_runnable(L, g);
  }
}

inline void on_warp(Launch& L, Fiber& f) {
  const unsigned base = f.index & ~31u, lane = f.index % 32;
  bool complete = true;
  for (unsigned j = 0; j < 32; ++j) {
    if (!(f.mask >> j & 1)) continue;
    if (base + j >= L.nthreads)
      return L.fail(thread_name(f) + " calls " + waits_at(f) +
                    fmt(" but lane %u does not exist (the block has %u threads)", j, L.nthreads));
    Fiber& g = L.fiber(base + j);
    if (g.state == State::Exited)
      return L.fail(thread_name(f) + " calls " + waits_at(f) + fmt(" but lane %u (", j) +
                    thread_name(g) + ") has exited");
    const bool same_mask = g.state == State::Warp && g.mask == f.mask;
    if (same_mask && (g.op != f.op || g.size != f.size))
      return L.fail("mismatched warp ops: " + thread_name(f) + " calls " + waits_at(f) +
                    " while " + thread_name(g) + " calls " + waits_at(g));
    // Both waiting, each in the other's mask, with different masks: neither can ever proceed.
    if (g.state == State::Warp && !same_mask && (g.mask >> lane & 1))
      return L.fail("mismatched warp masks: " + thread_name(f) + " calls " + waits_at(f) +
                    " while " + thread_name(g) + " calls " + waits_at(g));
    complete = complete && same_mask;
  }
  if (complete) complete_warp_op(L, f);
}

inline std::string describe_waits(Launch& L) {
  std::string out;
  for (unsigned i = 0, j; i < L.nthreads; i = j) {
    j = i + 1;
    if (L.fiber(i).state == State::Exited) continue;
    const std::string what = waits_at(L.fiber(i));
    while (j < L.nthreads && L.fiber(j).state != State::Exited && waits_at(L.fiber(j)) == what) ++j;
    out += (j - i > 1 ? fmt("; threads %u..%u wait at ", i, j - 1) : fmt("; thread %u waits at ", i)) + what;
  }
  return out;
}

inline void run_block(Launch& L) {
  if (L.shared_bytes) memset(L.shared, 0xFF, L.shared_bytes);
  const dim3 bd = builtins.block_dim;
  for (unsigned i = 0; i < L.nthreads; ++i) {
    Fiber& f = L.fiber(i);
    f.index = i;
    f.tid = make_uint3(i % bd.x, i / bd.x % bd.y, i / (bd.x * bd.y));
    f.started = f.cancel = false;
    make_runnable(L, f);
  }
  L.live = L.nthreads;
  L.at_barrier = 0;
  L.barrier_first = L.first_exited = -1;
  while (L.n_runnable && L.error.empty()) {
    Fiber& f = L.fiber(pick(L));
    switch_into(f);
    if (!L.error.empty()) break;
    if (f.state == State::Exited) on_exit(L, f);
    else if (f.state == State::Barrier) on_barrier(L, f);
    else on_warp(L, f);
  }
  if (L.error.empty() && L.live) L.fail("deadlock: no thread can proceed" + describe_waits(L));
}

// After a failure, unwinds every fiber that is inside the kernel so that the pool stays usable.
inline void cancel_block(Launch& L) {
  for (unsigned i = 0; i < L.nthreads; ++i) {
    Fiber& f = L.fiber(i);
    if (!f.started) f.state = State::Exited;
    f.cancel = true;
    while (f.state != State::Exited) switch_into(f);
  }
  L.n_runnable = 0;
  std::fill(std::begin(L.runnable), std::end(L.runnable), 0);
}

struct AlignedDelete {
  void operator()(unsigned char* p) const { ::operator delete[](p, std::align_val_t{128}); }
};

inline void run(const LaunchConfig& cfg, std::string name, void (*invoke)(const void*), const void* args) {
  const dim3 g = cfg.grid, b = cfg.block;
  const uint64_t threads = uint64_t{b.x} * b.y * b.z, blocks = uint64_t{g.x} * g.y * g.z;
  if (!threads || threads > 1024 || b.x > 1024 || b.y > 1024 || b.z > 64)
    throw KernelError(fmt("kernel '%s': invalid block (%u,%u,%u)", name.c_str(), b.x, b.y, b.z));
  if (!blocks || g.x > 0x7fffffffu || g.y > 65535 || g.z > 65535 || blocks > (1u << 24))
    throw KernelError(fmt("kernel '%s': invalid or too large grid (%u,%u,%u)", name.c_str(), g.x, g.y, g.z));
  if (cfg.dynamicSharedBytes > 227 * 1024)
    throw KernelError(fmt("kernel '%s': %zu bytes of dynamic shared memory exceed 227 KiB",
                          name.c_str(), cfg.dynamicSharedBytes));
  if (tl_fiber) throw KernelError("kernel '" + name + "' launched from inside a kernel (not supported)");

  std::lock_guard<std::mutex> lock(launch_mutex);
  pool.ensure(threads);
#if defined(EMU_TSAN)
  pool.sched_tsan = __tsan_get_current_fiber();
#endif
  std::unique_ptr<unsigned char[], AlignedDelete> shared(
      static_cast<unsigned char*>(::operator new[](cfg.dynamicSharedBytes, std::align_val_t{128})));
  Launch L;
  L.name = std::move(name);
  L.schedule = cfg.schedule;
  L.rng.seed(cfg.seed);
  L.invoke = invoke, L.args = args;
  L.nthreads = static_cast<unsigned>(threads);
  L.shared = shared.get(), L.shared_bytes = cfg.dynamicSharedBytes;
  builtins.block_dim = b, builtins.grid_dim = g;
  g_launch = &L;
  struct Reset {
    ~Reset() { g_launch = nullptr; }
  } reset;

  std::vector<uint32_t> order(blocks);
  for (uint32_t i = 0; i < blocks; ++i) order[i] = i;
  if (cfg.schedule == Schedule::Reversed) std::reverse(order.begin(), order.end());
  if (cfg.schedule == Schedule::Random) std::shuffle(order.begin(), order.end(), L.rng);
  for (uint32_t blk : order) {
    const uint3 bi = make_uint3(blk % g.x, blk / g.x % g.y, blk / (g.x * g.y));
    builtins.block_idx = bi;
    run_block(L);
    if (L.error.empty()) continue;
    cancel_block(L);
    std::string sched = to_string(cfg.schedule);
    if (cfg.schedule == Schedule::Random) sched += fmt(" seed %llu", (unsigned long long)cfg.seed);
    throw KernelError(fmt("kernel '%s' block (%u,%u,%u) [%s]: ", L.name.c_str(), bi.x, bi.y, bi.z,
                          sched.c_str()) + L.error);
  }
}

inline std::string kernel_name(const char* given, void* fn) {
  Dl_info info;
  if (given) return given;
  if (dladdr(fn, &info) && info.dli_sname && info.dli_saddr == fn) return info.dli_sname;
  return fmt("kernel@%p", fn);
}

template <class... P>
struct Bound {
  void (*kernel)(P...);
  std::tuple<std::decay_t<P>...> args;
  static void invoke(const void* self) {
    const Bound& b = *static_cast<const Bound*>(self);
    std::apply(b.kernel, b.args);  // each CUDA thread gets its own copy of the parameters
  }
};

template <class... P, size_t... I>
void launch_packed(void (*kernel)(P...), const LaunchConfig& cfg, void** params, std::index_sequence<I...>) {
  Bound<P...> b{kernel, {}};
  (std::memcpy(&std::get<I>(b.args), params[I], sizeof(P)), ...);
  run(cfg, kernel_name(cfg.name, reinterpret_cast<void*>(kernel)), &Bound<P...>::invoke, &b);
}

template <class T>
uint64_t bits_of(T v) {
  uint64_t bits = 0;
  std::memcpy(&bits, &v, sizeof v);
  return bits;
}
template <class T>
T shfl(Op op, unsigned mask, T v, int arg, int width, Site s) {
  const uint64_t bits = warp_op(op, mask, bits_of(v), arg, width, sizeof v, s);
  std::memcpy(static_cast<void*>(&v), &bits, sizeof v);  // half types: bitwise on purpose
  return v;
}

template <class T, class F>
T atomic_update(T* p, F f) {
  T old, next;
  __atomic_load(p, &old, __ATOMIC_RELAXED);
  do next = f(old);
  while (!__atomic_compare_exchange(p, &old, &next, false, __ATOMIC_RELAXED, __ATOMIC_RELAXED));
  return old;
}

// CUDA's float-to-integer conversions saturate and send NaN to 0; a host cast would be undefined.
template <class I>
I to_int(double d) {
  const double hi = std::ldexp(1.0, std::numeric_limits<I>::digits);
  if (d != d) return 0;
  if (d >= hi) return std::numeric_limits<I>::max();
  if (d <= (std::is_signed_v<I> ? -hi : 0.0)) return std::numeric_limits<I>::min();
  return static_cast<I>(d);
}

[[noreturn]] inline void assert_fail(const char* expr, const char* file, int line) {
  fault(fmt("assertion '%s' failed at %s:%d", expr, file, line));
}

}  // namespace detail

// The current block's dynamic shared memory (0xFF-filled at block start).
inline void* dynamic_shared() {
  if (!detail::tl_fiber) throw std::logic_error("emu::dynamic_shared() called outside a kernel");
  return detail::g_launch->shared;
}
inline size_t dynamic_shared_bytes() { return detail::tl_fiber ? detail::g_launch->shared_bytes : 0; }

template <class... P, class... A>
void launch(void (*kernel)(P...), const LaunchConfig& cfg, A&&... args) {
  static_assert(sizeof...(P) == sizeof...(A), "argument count differs from the kernel's parameters");
  detail::Bound<P...> b{kernel, std::tuple<std::decay_t<P>...>(std::forward<A>(args)...)};
  detail::run(cfg, detail::kernel_name(cfg.name, reinterpret_cast<void*>(kernel)),
              &detail::Bound<P...>::invoke, &b);
}

// params[i] points at the bytes of the i-th argument, as with cuLaunchKernel.
template <class... P>
void launch_packed(void (*kernel)(P...), const LaunchConfig& cfg, void** params) {
  static_assert((std::is_trivially_copyable_v<P> && ...), "kernel parameters must be trivially copyable");
  detail::launch_packed(kernel, cfg, params, std::index_sequence_for<P...>{});
}

template <class... P>
std::vector<size_t> param_sizes(void (*)(P...)) {
  return {sizeof(P)...};
}

}  // namespace emu

// ---- built-in variables (read-only) -------------------------------------------------------------
#define threadIdx (static_cast<const uint3&>(::emu::detail::builtins.thread_idx))
#define blockIdx (static_cast<const uint3&>(::emu::detail::builtins.block_idx))
#define blockDim (static_cast<const dim3&>(::emu::detail::builtins.block_dim))
#define gridDim (static_cast<const dim3&>(::emu::detail::builtins.grid_dim))

// A failed assert inside a kernel fails the launch instead of aborting the process. Including
// <assert.h> again after this header restores the C library's assert.
#ifndef NDEBUG
#undef assert
#define assert(e) (static_cast<bool>(e) ? void(0) : ::emu::detail::assert_fail(#e, __FILE__, __LINE__))
#endif

// ---- synchronisation and warp intrinsics --------------------------------------------------------
#define EMU_HERE ::emu::detail::Site s = ::emu::detail::Site::here()
#define EMU_OP(x) ::emu::detail::Op::x
#define EMU_WARP(op, mask, value, arg, width, size) ::emu::detail::warp_op(EMU_OP(op), mask, value, arg, width, size, s)

inline void __syncthreads(EMU_HERE) { ::emu::detail::barrier(EMU_OP(SyncThreads), 0, s); }
inline int __syncthreads_count(int p, EMU_HERE) { return int(::emu::detail::barrier(EMU_OP(SyncCount), p, s)); }
inline int __syncthreads_and(int p, EMU_HERE) { return int(::emu::detail::barrier(EMU_OP(SyncAnd), p, s)); }
inline int __syncthreads_or(int p, EMU_HERE) { return int(::emu::detail::barrier(EMU_OP(SyncOr), p, s)); }
inline void __syncwarp(unsigned mask = 0xffffffffu, EMU_HERE) { EMU_WARP(SyncWarp, mask, 0, 0, 32, 0); }
inline unsigned __ballot_sync(unsigned mask, int p, EMU_HERE) { return unsigned(EMU_WARP(Ballot, mask, p != 0, 0, 32, 0)); }
inline int __any_sync(unsigned mask, int p, EMU_HERE) { return int(EMU_WARP(Any, mask, p != 0, 0, 32, 0)); }
inline int __all_sync(unsigned mask, int p, EMU_HERE) { return int(EMU_WARP(All, mask, p != 0, 0, 32, 0)); }
// Fibers cannot tell which lanes a GPU would have converged; all lanes still running is the
// superset that full-warp code expects.
inline unsigned __activemask() {
  auto& f = ::emu::detail::self("__activemask()");
  auto& L = *::emu::detail::g_launch;
  unsigned mask = 0, base = f.index & ~31u;
  for (unsigned j = 0; j < 32 && base + j < L.nthreads; ++j)
    if (L.fiber(base + j).state != ::emu::detail::State::Exited) mask |= 1u << j;
  return mask;
}

// Non-template overloads, as CUDA declares them, so that argument promotions match nvcc's.
#define EMU_SHFL(T)                                                                                        \
  inline T __shfl_sync(unsigned m, T v, int src, int w = warpSize, EMU_HERE) {                              \
    return ::emu::detail::shfl(EMU_OP(ShflIdx), m, v, src, w, s);                                           \
  }                                                                                                         \
  inline T __shfl_up_sync(unsigned m, T v, unsigned d, int w = warpSize, EMU_HERE) {                        \
    return ::emu::detail::shfl(EMU_OP(ShflUp), m, v, int(d), w, s);                                         \
  }                                                                                                         \
  inline T __shfl_down_sync(unsigned m, T v, unsigned d, int w = warpSize, EMU_HERE) {                      \
    return ::emu::detail::shfl(EMU_OP(ShflDown), m, v, int(d), w, s);                                       \
  }                                                                                                         \
  inline T __shfl_xor_sync(unsigned m, T v, int lane_mask, int w = warpSize, EMU_HERE) {                    \
    return ::emu::detail::shfl(EMU_OP(ShflXor), m, v, lane_mask, w, s);                                     \
  }
EMU_SHFL(int) EMU_SHFL(unsigned) EMU_SHFL(long) EMU_SHFL(unsigned long) EMU_SHFL(long long)
EMU_SHFL(unsigned long long) EMU_SHFL(float) EMU_SHFL(double) EMU_SHFL(__half) EMU_SHFL(__half2)
EMU_SHFL(__nv_bfloat16) EMU_SHFL(__nv_bfloat162)

#define EMU_REDUCE(name, T, op) \
  inline T name(unsigned m, T v, EMU_HERE) { return T(EMU_WARP(op, m, uint32_t(v), 0, 32, 4)); }
EMU_REDUCE(__reduce_add_sync, unsigned, RedAdd) EMU_REDUCE(__reduce_add_sync, int, RedAdd)
EMU_REDUCE(__reduce_min_sync, unsigned, RedMinU) EMU_REDUCE(__reduce_min_sync, int, RedMinI)
EMU_REDUCE(__reduce_max_sync, unsigned, RedMaxU) EMU_REDUCE(__reduce_max_sync, int, RedMaxI)
EMU_REDUCE(__reduce_and_sync, unsigned, RedAnd) EMU_REDUCE(__reduce_or_sync, unsigned, RedOr)
EMU_REDUCE(__reduce_xor_sync, unsigned, RedXor)

#define EMU_MATCH(T)                                                                                        \
  inline unsigned __match_any_sync(unsigned m, T v, EMU_HERE) {                                             \
    return unsigned(EMU_WARP(MatchAny, m, ::emu::detail::bits_of(v), 0, 32, sizeof(T)));                    \
  }                                                                                                         \
  inline unsigned __match_all_sync(unsigned m, T v, int* pred, EMU_HERE) {                                  \
    const unsigned r = unsigned(EMU_WARP(MatchAll, m, ::emu::detail::bits_of(v), 0, 32, sizeof(T)));        \
    *pred = r != 0;                                                                                         \
    return r;                                                                                               \
  }
EMU_MATCH(int) EMU_MATCH(unsigned) EMU_MATCH(long) EMU_MATCH(unsigned long) EMU_MATCH(long long)
EMU_MATCH(unsigned long long) EMU_MATCH(float) EMU_MATCH(double)

[[noreturn]] inline void __trap() { ::emu::detail::fault("__trap()"); }
inline void __threadfence() {}
inline void __threadfence_block() {}
inline void __threadfence_system() {}
inline void __nanosleep(unsigned) {}

// ---- atomics: relaxed, like CUDA's, and real atomics so that they stay right under any threading --
#define EMU_ATOMIC(name, T, expr) \
  inline T name(T* p, T v) { return ::emu::detail::atomic_update(p, [v](T o) -> T { return expr; }); }
EMU_ATOMIC(atomicAdd, int, int(unsigned(o) + unsigned(v)))  // wraps, as the hardware does
EMU_ATOMIC(atomicAdd, unsigned, o + v) EMU_ATOMIC(atomicAdd, unsigned long long, o + v)
EMU_ATOMIC(atomicAdd, float, o + v) EMU_ATOMIC(atomicAdd, double, o + v)
EMU_ATOMIC(atomicSub, int, int(unsigned(o) - unsigned(v))) EMU_ATOMIC(atomicSub, unsigned, o - v)
EMU_ATOMIC(atomicExch, int, (void(o), v)) EMU_ATOMIC(atomicExch, unsigned, (void(o), v))
EMU_ATOMIC(atomicExch, unsigned long long, (void(o), v)) EMU_ATOMIC(atomicExch, float, (void(o), v))
EMU_ATOMIC(atomicMin, int, o < v ? o : v) EMU_ATOMIC(atomicMin, unsigned, o < v ? o : v)
EMU_ATOMIC(atomicMin, long long, o < v ? o : v) EMU_ATOMIC(atomicMin, unsigned long long, o < v ? o : v)
EMU_ATOMIC(atomicMax, int, o > v ? o : v) EMU_ATOMIC(atomicMax, unsigned, o > v ? o : v)
EMU_ATOMIC(atomicMax, long long, o > v ? o : v) EMU_ATOMIC(atomicMax, unsigned long long, o > v ? o : v)
EMU_ATOMIC(atomicAnd, int, o & v) EMU_ATOMIC(atomicAnd, unsigned, o & v) EMU_ATOMIC(atomicAnd, unsigned long long, o & v)
EMU_ATOMIC(atomicOr, int, o | v) EMU_ATOMIC(atomicOr, unsigned, o | v) EMU_ATOMIC(atomicOr, unsigned long long, o | v)
EMU_ATOMIC(atomicXor, int, o ^ v) EMU_ATOMIC(atomicXor, unsigned, o ^ v) EMU_ATOMIC(atomicXor, unsigned long long, o ^ v)
EMU_ATOMIC(atomicInc, unsigned, o >= v ? 0u : o + 1)
EMU_ATOMIC(atomicDec, unsigned, (o == 0 || o > v) ? v : o - 1)
#define EMU_CAS(T)                                                                                 \
  inline T atomicCAS(T* p, T compare, T v) { /* compare ends up holding the old value either way */ \
    __atomic_compare_exchange_n(p, &compare, v, false, __ATOMIC_RELAXED, __ATOMIC_RELAXED);         \
    return compare;                                                                                 \
  }
EMU_CAS(int) EMU_CAS(unsigned) EMU_CAS(unsigned long long) EMU_CAS(unsigned short)

// ---- loads and stores with cache hints ----------------------------------------------------------
#define EMU_LOAD(name) template <class T> inline T name(const T* p) { return *p; }
#define EMU_STORE(name) template <class T> inline void name(T* p, T v) { *p = v; }
EMU_LOAD(__ldg) EMU_LOAD(__ldcg) EMU_LOAD(__ldca) EMU_LOAD(__ldcs) EMU_LOAD(__ldlu) EMU_LOAD(__ldcv)
EMU_STORE(__stcg) EMU_STORE(__stcs) EMU_STORE(__stwb) EMU_STORE(__stwt)

// ---- integer and bit intrinsics -----------------------------------------------------------------
inline int __popc(unsigned x) { return __builtin_popcount(x); }
inline int __popcll(unsigned long long x) { return __builtin_popcountll(x); }
inline int __clz(int x) { return x ? __builtin_clz(unsigned(x)) : 32; }
inline int __clzll(long long x) { return x ? __builtin_clzll((unsigned long long)x) : 64; }
inline int __ffs(int x) { return __builtin_ffs(x); }
inline int __ffsll(long long x) { return __builtin_ffsll(x); }
inline unsigned __brev(unsigned x) {
  unsigned r = 0;
  for (int i = 0; i < 32; ++i) r |= (x >> i & 1u) << (31 - i);
  return r;
}
inline unsigned __byte_perm(unsigned x, unsigned y, unsigned s) {
  const uint64_t bytes = (uint64_t{y} << 32) | x;
  unsigned r = 0;
  for (int i = 0; i < 4; ++i) r |= unsigned(bytes >> (8 * ((s >> (4 * i)) & 7)) & 0xff) << (8 * i);
  return r;
}
inline unsigned __funnelshift_l(unsigned lo, unsigned hi, unsigned sh) {
  return unsigned((((uint64_t{hi} << 32) | lo) << (sh & 31)) >> 32);
}
inline unsigned __funnelshift_r(unsigned lo, unsigned hi, unsigned sh) {
  return unsigned(((uint64_t{hi} << 32) | lo) >> (sh & 31));
}
inline int __mulhi(int a, int b) { return int((int64_t{a} * b) >> 32); }
inline unsigned __umulhi(unsigned a, unsigned b) { return unsigned((uint64_t{a} * b) >> 32); }
inline long long __mul64hi(long long a, long long b) { return (long long)(((__int128)a * b) >> 64); }
inline unsigned long long __umul64hi(unsigned long long a, unsigned long long b) {
  return (unsigned long long)(((unsigned __int128)a * b) >> 64);
}
inline int __dp4a(int a, int b, int c) {
  int sum = 0;
  for (int i = 0; i < 4; ++i) sum += int(int8_t(a >> (8 * i))) * int(int8_t(b >> (8 * i)));
  return int(unsigned(c) + unsigned(sum));
}
inline unsigned __dp4a(unsigned a, unsigned b, unsigned c) {
  for (int i = 0; i < 4; ++i) c += (a >> (8 * i) & 0xff) * (b >> (8 * i) & 0xff);
  return c;
}
#define EMU_BITCAST(name, From, To) \
  inline To name(From x) { To r; std::memcpy(&r, &x, sizeof r); return r; }
EMU_BITCAST(__float_as_int, float, int) EMU_BITCAST(__float_as_uint, float, unsigned)
EMU_BITCAST(__int_as_float, int, float) EMU_BITCAST(__uint_as_float, unsigned, float)
EMU_BITCAST(__double_as_longlong, double, long long) EMU_BITCAST(__longlong_as_double, long long, double)

// ---- floating point: the fast intrinsics computed exactly (tolerances are the tests' business) --
inline float __fdividef(float a, float b) { return a / b; }
inline float fdividef(float a, float b) { return a / b; }
inline float __expf(float x) { return expf(x); }
inline float __exp10f(float x) { return exp10f(x); }
inline float __logf(float x) { return logf(x); }
inline float __log2f(float x) { return log2f(x); }
inline float __log10f(float x) { return log10f(x); }
inline float __sinf(float x) { return sinf(x); }
inline float __cosf(float x) { return cosf(x); }
inline float __tanf(float x) { return tanf(x); }
inline float __powf(float x, float y) { return powf(x, y); }
inline void __sincosf(float x, float* s, float* c) { *s = sinf(x), *c = cosf(x); }
inline float rsqrtf(float x) { return 1.0f / sqrtf(x); }
inline double rsqrt(double x) { return 1.0 / sqrt(x); }
inline float __frsqrt_rn(float x) { return 1.0f / sqrtf(x); }
inline float __fsqrt_rn(float x) { return sqrtf(x); }
inline float __frcp_rn(float x) { return 1.0f / x; }
inline float __fadd_rn(float a, float b) { return a + b; }
inline float __fsub_rn(float a, float b) { return a - b; }
inline float __fmul_rn(float a, float b) { return a * b; }
inline float __fdiv_rn(float a, float b) { return a / b; }
inline float __fmaf_rn(float a, float b, float c) { return fmaf(a, b, c); }
inline float __saturatef(float x) { return x > 0.0f ? (x < 1.0f ? x : 1.0f) : 0.0f; }  // NaN -> 0
inline int __float2int_rn(float x) { return ::emu::detail::to_int<int>(nearbyint(double(x))); }
inline int __float2int_rz(float x) { return ::emu::detail::to_int<int>(trunc(double(x))); }
inline int __float2int_rd(float x) { return ::emu::detail::to_int<int>(floor(double(x))); }
inline int __float2int_ru(float x) { return ::emu::detail::to_int<int>(ceil(double(x))); }
inline unsigned __float2uint_rn(float x) { return ::emu::detail::to_int<unsigned>(nearbyint(double(x))); }
inline unsigned __float2uint_rz(float x) { return ::emu::detail::to_int<unsigned>(trunc(double(x))); }
inline long long __float2ll_rn(float x) { return ::emu::detail::to_int<long long>(nearbyint(double(x))); }
inline long long __float2ll_rz(float x) { return ::emu::detail::to_int<long long>(trunc(double(x))); }
inline float __int2float_rn(int x) { return float(x); }
inline float __uint2float_rn(unsigned x) { return float(x); }

// ---- min / max, with CUDA's overloads ------------------------------------------------------------
#define EMU_MINMAX(T) \
  inline T min(T a, T b) { return a < b ? a : b; } \
  inline T max(T a, T b) { return a > b ? a : b; }
EMU_MINMAX(int) EMU_MINMAX(unsigned) EMU_MINMAX(long) EMU_MINMAX(unsigned long)
EMU_MINMAX(long long) EMU_MINMAX(unsigned long long)
inline float min(float a, float b) { return fminf(a, b); }
inline float max(float a, float b) { return fmaxf(a, b); }
inline double min(double a, double b) { return fmin(a, b); }
inline double max(double a, double b) { return fmax(a, b); }
inline unsigned min(int a, unsigned b) { return min(unsigned(a), b); }
inline unsigned min(unsigned a, int b) { return min(a, unsigned(b)); }
inline unsigned max(int a, unsigned b) { return max(unsigned(a), b); }
inline unsigned max(unsigned a, int b) { return max(a, unsigned(b)); }

#undef EMU_HERE
#undef EMU_OP
#undef EMU_WARP
#undef EMU_SHFL
#undef EMU_REDUCE
#undef EMU_MATCH
#undef EMU_ATOMIC
#undef EMU_CAS
#undef EMU_LOAD
#undef EMU_STORE
#undef EMU_BITCAST
#undef EMU_MINMAX
