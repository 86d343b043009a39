// Self-tests of the CUDA emulator (emu/cuda_emu.h): correct kernels must give the reference result
// under every schedule, and planted bugs must be caught. One line per case; exit status 1 on any
// failure.
#include <cuda_emu.h>

#include <cstdio>
#include <cstring>
#include <functional>
#include <string>
#include <thread>
#include <vector>

// As common.cuh declares dynamic shared memory under the emulator.
#define DYNAMIC_SHARED(T, name) T* name = reinterpret_cast<T*>(emu::dynamic_shared())

// ---- kernels ------------------------------------------------------------------------------------

extern "C" __global__ void block_sum(const int* in, int* out, int n) {
  __shared__ int s[256];
  const unsigned t = threadIdx.x, i = blockIdx.x * blockDim.x + t;
  s[t] = i < unsigned(n) ? in[i] : 0;
  __syncthreads();
  for (unsigned stride = blockDim.x / 2; stride > 0; stride >>= 1) {
    if (t < stride) s[t] += s[t + stride];
    __syncthreads();
  }
  if (t == 0) out[blockIdx.x] = s[0];
}

// PLANTED BUG 1: the barrier inside the loop is missing.
extern "C" __global__ void block_sum_no_loop_barrier(const int* in, int* out, int n) {
  __shared__ int s[256];
  const unsigned t = threadIdx.x, i = blockIdx.x * blockDim.x + t;
  s[t] = i < unsigned(n) ? in[i] : 0;
  __syncthreads();
  for (unsigned stride = blockDim.x / 2; stride > 0; stride >>= 1)
    if (t < stride) s[t] += s[t + stride];
  if (t == 0) out[blockIdx.x] = s[0];
}

// Blocks of (32, 4): one warp per row. Values are small integers, so float sums are exact.
extern "C" __global__ void warp_ops(const float* in, float* xor_sum, float* down_sum, float* scan,
                                   float* bcast, float* seg8, long long* wide) {
  const unsigned lane = threadIdx.x;
  const unsigned i = (blockIdx.x * blockDim.y + threadIdx.y) * 32 + lane;
  const float v = in[i];
  float a = v;
  for (int o = 16; o > 0; o >>= 1) a += __shfl_xor_sync(0xffffffffu, a, o);
  float b = v;
  for (int o = 16; o > 0; o >>= 1) b += __shfl_down_sync(0xffffffffu, b, o);
  float c = v;
  for (int o = 1; o < 32; o <<= 1) {
    const float up = __shfl_up_sync(0xffffffffu, c, o);
    if (lane >= unsigned(o)) c += up;
  }
  float e = v;
  for (int o = 4; o > 0; o >>= 1) e += __shfl_xor_sync(0xffffffffu, e, o, 8);
  long long w = (long long)v << 33;
  for (int o = 16; o > 0; o >>= 1) w += __shfl_down_sync(0xffffffffu, w, o);
  xor_sum[i] = a;
  if (lane == 0) down_sum[i / 32] = b, wide[i / 32] = w;
  scan[i] = c;
  bcast[i] = __shfl_sync(0xffffffffu, v, 7);
  seg8[i] = e;
}

// Segments (width < 32) and sources outside the mask, per the PTX definition of shfl.sync.
extern "C" __global__ void shuffle_rules(int* out) {
  const int lane = int(threadIdx.x);
  int* o = out + 5 * lane;
  o[0] = __shfl_up_sync(0xffffffffu, lane, 1, 16);
  o[1] = __shfl_down_sync(0xffffffffu, lane, 1, 16);
  o[2] = __shfl_sync(0xffffffffu, lane, 11, 8);
  o[3] = __shfl_xor_sync(0xffffffffu, lane, 16, 16);
  const unsigned half = lane < 16 ? 0x0000ffffu : 0xffff0000u;
  o[4] = __shfl_down_sync(half, lane, 8);  // lanes 8..15 name lanes 16..23, outside their mask
}

extern "C" __global__ void votes(const int* in, unsigned* ballot, int* any, int* all,
                                 unsigned* half_ballot, unsigned* red_add, unsigned* match) {
  const unsigned lane = threadIdx.x % 32, i = blockIdx.x * blockDim.x + threadIdx.x;
  const int p = in[i];
  const unsigned b = __ballot_sync(0xffffffffu, p > 0);
  const int an = __any_sync(0xffffffffu, p > 5);
  const int al = __all_sync(0xffffffffu, p >= 0);
  const unsigned half = lane < 16 ? 0x0000ffffu : 0xffff0000u;  // two independent half warps
  half_ballot[i] = __ballot_sync(half, p > 0);
  red_add[i] = __reduce_add_sync(0xffffffffu, unsigned(p));
  match[i] = __match_any_sync(0xffffffffu, p % 3);
  __syncwarp();
  if (lane == 0) ballot[i / 32] = b, any[i / 32] = an, all[i / 32] = al;
}

struct Counters {
  int sum;
  unsigned max;
  int min;
  unsigned long long big;
  float fsum;
  int cas;
  unsigned exch;
  unsigned inc;
};

extern "C" __global__ void atomics(Counters* c) {
  const unsigned tid = threadIdx.x + blockDim.x * (threadIdx.y + blockDim.y * threadIdx.z);
  const unsigned bid = blockIdx.x + gridDim.x * (blockIdx.y + gridDim.y * blockIdx.z);
  const unsigned g = bid * blockDim.x * blockDim.y * blockDim.z + tid;
  atomicAdd(&c->sum, 1);
  atomicMax(&c->max, g);
  atomicMin(&c->min, -int(g));
  atomicAdd(&c->big, 1ull << 33);
  atomicAdd(&c->fsum, 0.5f);
  int old = c->cas, assumed;
  do {
    assumed = old;
    old = atomicCAS(&c->cas, assumed, assumed + 2);
  } while (old != assumed);
  atomicExch(&c->exch, g);
  atomicInc(&c->inc, 99u);  // wraps to 0 after 99
}

extern "C" __global__ void reverse_dynamic(const float* in, float* out, int* unwritten) {
  DYNAMIC_SHARED(float, buf);
  const unsigned t = threadIdx.x, n = blockDim.x, base = blockIdx.x * n;
  if (std::isnan(buf[t])) atomicAdd(unwritten, 1);  // every block starts with 0xFF bytes
  buf[t] = in[base + t];
  __syncthreads();
  out[base + t] = buf[n - 1 - t];
}

extern "C" __global__ void packed_params(int a, float b, float* out, long long c, const int* in,
                                         unsigned char d) {
  const unsigned i = threadIdx.x;
  out[i] = float(a * in[i]) + b + float(c >> 32) + float(d);
}

extern "C" __global__ void barrier_reductions(int* out) {
  const unsigned t = threadIdx.x + blockDim.x * threadIdx.y;
  const int count = __syncthreads_count(t % 3 == 0);
  const int all = __syncthreads_and(t < 1000);
  const int any = __syncthreads_or(t == 77);
  const int none = __syncthreads_or(0);
  if (t == 0) out[0] = count, out[1] = all, out[2] = any, out[3] = none;
}

// PLANTED BUG 2: a barrier that half of the block never reaches.
extern "C" __global__ void divergent_barrier(int* out) {
  if (threadIdx.x < 16) __syncthreads();
  out[threadIdx.x] = 1;
}

// PLANTED BUG 3: a full-warp shuffle after half of the warp has returned.
extern "C" __global__ void shuffle_after_exit(const int* in, int* out) {
  const unsigned lane = threadIdx.x;
  if (lane >= 16) return;
  int v = in[lane];
  v += __shfl_xor_sync(0xffffffffu, v, 1);
  out[lane] = v;
}

extern "C" __global__ void barriers_at_two_sites(int* out) {
  if (threadIdx.x % 2) {
    __syncthreads();
  } else {
    __syncthreads();
  }
  out[threadIdx.x] = 1;
}

extern "C" __global__ void mismatched_warp_ops(int* out) {
  int v = int(threadIdx.x);
  if (threadIdx.x < 16) __syncwarp();
  else v = __shfl_xor_sync(0xffffffffu, v, 1);
  out[threadIdx.x] = v;
}

extern "C" __global__ void deadlock(int* out) {
  if (threadIdx.x == 0) __syncwarp(0x3u);  // lane 1 never comes: it waits at the block barrier
  else __syncthreads();
  out[threadIdx.x] = 1;
}

extern "C" __global__ void full_mask_in_partial_warp(int* out) {
  out[threadIdx.x] = __shfl_xor_sync(0xffffffffu, int(threadIdx.x), 1);
}

extern "C" __global__ void mask_without_self(int* out) {
  out[threadIdx.x] = int(__ballot_sync(0x1u, 1));
}

extern "C" __global__ void traps(int* out) {
  if (threadIdx.x == 5) __trap();
  __syncthreads();
  out[threadIdx.x] = 1;
}

extern "C" __global__ void asserts(int* out) {
  assert(threadIdx.x != 3);
  out[threadIdx.x] = 1;
}

// ---- harness ------------------------------------------------------------------------------------

static int failures = 0;

static void report(bool ok, const std::string& name, const std::string& detail = "") {
  if (!ok) ++failures;
  std::printf("%s %-46s %s\n", ok ? "PASS" : "FAIL", name.c_str(), detail.c_str());
  std::fflush(stdout);
}

static const emu::Schedule kSchedules[] = {emu::Schedule::InOrder, emu::Schedule::Reversed,
                                           emu::Schedule::Random};

static emu::LaunchConfig config(dim3 grid, dim3 block, emu::Schedule s, size_t shared = 0) {
  emu::LaunchConfig c;
  c.grid = grid;
  c.block = block;
  c.dynamicSharedBytes = shared;
  c.schedule = s;
  c.seed = 12345;
  return c;
}

// Runs a case and reports an unexpected KernelError as a failure instead of ending the run.
static void run_case(const std::string& name, const std::function<std::string()>& body) {
  try {
    const std::string problem = body();
    report(problem.empty(), name, problem);
  } catch (const std::exception& e) {
    report(false, name, std::string("unexpected error: ") + e.what());
  }
}

static void expect_error(const std::string& name, const std::function<void()>& body,
                         const char* expected) {
  try {
    body();
    report(false, name, "no KernelError");
  } catch (const emu::KernelError& e) {
    report(std::strstr(e.what(), expected) != nullptr, name, e.what());
  }
}

static std::vector<int> block_sums(void (*kernel)(const int*, int*, int), emu::Schedule s,
                                   const std::vector<int>& in, int blocks) {
  std::vector<int> out(blocks, -1);
  emu::launch(kernel, config(dim3(blocks), dim3(256), s), in.data(), out.data(), int(in.size()));
  return out;
}

static std::vector<int> reference_sums(const std::vector<int>& in, int blocks) {
  std::vector<int> ref(blocks, 0);
  for (size_t i = 0; i < in.size(); ++i) ref[i / 256] += in[i];
  return ref;
}

static std::string test_block_sum(emu::Schedule s) {
  std::vector<int> in(1000);
  for (size_t i = 0; i < in.size(); ++i) in[i] = int(i * 7 % 13) - 6;
  return block_sums(block_sum, s, in, 4) == reference_sums(in, 4) ? "" : "wrong sums";
}

static std::string test_warp_ops(emu::Schedule s) {
  const int blocks = 3, n = blocks * 128;
  std::vector<float> in(n), xs(n), ds(n / 32), scan(n), bc(n), seg(n);
  std::vector<long long> wide(n / 32);
  for (int i = 0; i < n; ++i) in[i] = float(i * 5 % 11);
  emu::launch(warp_ops, config(dim3(blocks), dim3(32, 4), s), in.data(), xs.data(), ds.data(),
              scan.data(), bc.data(), seg.data(), wide.data());
  for (int w = 0; w < n / 32; ++w) {
    float total = 0, run = 0;
    for (int l = 0; l < 32; ++l) total += in[w * 32 + l];
    if (ds[w] != total || wide[w] != (long long)total << 33) return "shfl_down sum of warp " + std::to_string(w);
    for (int l = 0; l < 32; ++l) {
      const int i = w * 32 + l;
      float segment = 0;
      for (int k = l / 8 * 8; k < l / 8 * 8 + 8; ++k) segment += in[w * 32 + k];
      run += in[i];
      if (xs[i] != total) return "shfl_xor sum at " + std::to_string(i);
      if (scan[i] != run) return "shfl_up scan at " + std::to_string(i);
      if (bc[i] != in[w * 32 + 7]) return "shfl broadcast at " + std::to_string(i);
      if (seg[i] != segment) return "width-8 shfl_xor at " + std::to_string(i);
    }
  }
  return "";
}

static std::string test_shuffle_rules(emu::Schedule s) {
  std::vector<int> out(32 * 5, -1);
  emu::launch(shuffle_rules, config(dim3(1), dim3(32), s), out.data());
  for (int l = 0; l < 32; ++l) {
    const int expect[5] = {l % 16 == 0 ? l : l - 1, l % 16 == 15 ? l : l + 1, l / 8 * 8 + 3,
                           l < 16 ? l : l - 16, (l < 8 || (l >= 16 && l < 24)) ? l + 8 : l};
    for (int k = 0; k < 5; ++k)
      if (out[5 * l + k] != expect[k]) return "case " + std::to_string(k) + " at lane " + std::to_string(l);
  }
  return "";
}

static std::string test_votes(emu::Schedule s) {
  const int n = 128;
  std::vector<int> in(n);
  for (int i = 0; i < n; ++i) in[i] = (i % 3 == 0) ? 0 : i % 7;
  in[40] = -1;  // warp 1 is not all >= 0
  std::vector<unsigned> ballot(4), half(n), red(n), match(n);
  std::vector<int> any(4), all(4);
  emu::launch(votes, config(dim3(2), dim3(64), s), in.data(), ballot.data(), any.data(), all.data(),
              half.data(), red.data(), match.data());
  for (int w = 0; w < 4; ++w) {
    unsigned b = 0, sum = 0;
    int an = 0, al = 1;
    for (int l = 0; l < 32; ++l) {
      const int p = in[w * 32 + l];
      b |= unsigned(p > 0) << l, an |= p > 5, al &= p >= 0, sum += unsigned(p);
    }
    if (ballot[w] != b || any[w] != an || all[w] != al) return "ballot/any/all of warp " + std::to_string(w);
    for (int l = 0; l < 32; ++l) {
      const int i = w * 32 + l;
      unsigned m = 0;
      for (int k = 0; k < 32; ++k) m |= unsigned(in[w * 32 + k] % 3 == in[i] % 3) << k;
      if (half[i] != (b & (l < 16 ? 0x0000ffffu : 0xffff0000u))) return "half-warp ballot at " + std::to_string(i);
      if (red[i] != sum) return "__reduce_add_sync at " + std::to_string(i);
      if (match[i] != m) return "__match_any_sync at " + std::to_string(i);
    }
  }
  return "";
}

static std::string test_atomics(emu::Schedule s) {
  const dim3 grid(4, 3, 2), block(8, 4, 2);
  const unsigned total = 4 * 3 * 2 * 8 * 4 * 2;
  Counters c{0, 0, 0, 0, 0.0f, 0, 0, 0};
  emu::launch(atomics, config(grid, block, s), &c);
  if (c.sum != int(total) || c.max != total - 1 || c.min != -int(total - 1)) return "add/max/min";
  if (c.big != (unsigned long long)total << 33 || c.fsum != 0.5f * total) return "64-bit/float add";
  if (c.cas != 2 * int(total) || c.exch >= total || c.inc != total % 100) return "cas/exch/inc";
  return "";
}

static std::string test_dynamic_shared(emu::Schedule s) {
  const int blocks = 3, n = 96;
  std::vector<float> in(blocks * n), out(blocks * n);
  for (int i = 0; i < blocks * n; ++i) in[i] = float(i);
  int unwritten = 0;
  emu::launch(reverse_dynamic, config(dim3(blocks), dim3(n), s, n * sizeof(float)), in.data(),
              out.data(), &unwritten);
  if (unwritten != blocks * n) return "shared memory was not NaN-filled at every block start";
  for (int b = 0; b < blocks; ++b)
    for (int t = 0; t < n; ++t)
      if (out[b * n + t] != in[b * n + n - 1 - t]) return "reversal";
  return "";
}

[[maybe_unused]] static std::string test_barrier_reductions(emu::Schedule s) {
  const dim3 block(32, 32);  // 1024 threads: the largest block
  std::vector<int> out(4, -1);
  emu::launch(barrier_reductions, config(dim3(2), block, s), out.data());
  return out == std::vector<int>{342, 0, 1, 0} ? "" : "wrong count/and/or";
}

static std::string test_packed(emu::Schedule s) {
  const std::vector<size_t> sizes = emu::param_sizes(packed_params);
  if (sizes != std::vector<size_t>{4, 4, 8, 8, 8, 1}) return "param_sizes";
  int a = 3;
  float b = 0.25f;
  std::vector<float> out(64);
  float* out_ptr = out.data();
  long long c = 5ll << 32;
  std::vector<int> in(64);
  for (int i = 0; i < 64; ++i) in[i] = i;
  const int* in_ptr = in.data();
  unsigned char d = 200;
  void* params[] = {&a, &b, &out_ptr, &c, &in_ptr, &d};
  emu::launch_packed(packed_params, config(dim3(1), dim3(64), s), params);
  for (int i = 0; i < 64; ++i)
    if (out[i] != float(3 * i) + 0.25f + 5.0f + 200.0f) return "value at " + std::to_string(i);
  return "";
}

static std::string test_two_os_threads() {
  std::vector<int> in(2048);
  for (size_t i = 0; i < in.size(); ++i) in[i] = int(i % 17);
  const std::vector<int> ref = reference_sums(in, 8);
  bool ok[2] = {true, true};
  auto worker = [&](int id) {
    for (int k = 0; k < 10; ++k) {
      std::vector<int> out(8, -1);
      emu::LaunchConfig c = config(dim3(8), dim3(256), kSchedules[(id + k) % 3]);
      c.seed = uint64_t(100 * id + k);
      emu::launch(block_sum, c, in.data(), out.data(), int(in.size()));
      ok[id] = ok[id] && out == ref;
    }
  };
  std::thread t0(worker, 0), t1(worker, 1);
  t0.join();
  t1.join();
  return ok[0] && ok[1] ? "" : "wrong sums";
}

int main() {
  for (emu::Schedule s : kSchedules) {
    const std::string tag = std::string(" [") + emu::to_string(s) + "]";
    run_case("block reduction" + tag, [&] { return test_block_sum(s); });
    run_case("warp shuffles" + tag, [&] { return test_warp_ops(s); });
    run_case("shuffle segments and clamping" + tag, [&] { return test_shuffle_rules(s); });
    run_case("ballot/any/all/reduce/match" + tag, [&] { return test_votes(s); });
    run_case("atomics from 24 blocks" + tag, [&] { return test_atomics(s); });
    run_case("dynamic shared memory" + tag, [&] { return test_dynamic_shared(s); });
    run_case("packed launch" + tag, [&] { return test_packed(s); });
#if !defined(EMU_TSAN)  // 1024 TSan fibers take seconds to create
    run_case("__syncthreads_count/and/or, 1024 threads" + tag, [&] { return test_barrier_reductions(s); });
#endif
  }
  run_case("launches from two OS threads", test_two_os_threads);

  // Planted bug 1: must differ from the reference under the Random schedule (and is reported
  // for the others).
  {
    std::vector<int> in(1024);
    for (size_t i = 0; i < in.size(); ++i) in[i] = int(i % 5) + 1;
    const std::vector<int> ref = reference_sums(in, 4);
    std::string seen;
    bool random_caught = false;
    for (emu::Schedule s : kSchedules) {
      const bool wrong = block_sums(block_sum_no_loop_barrier, s, in, 4) != ref;
      seen += std::string(emu::to_string(s)) + (wrong ? ": wrong  " : ": right  ");
      random_caught = random_caught || (s == emu::Schedule::Random && wrong);
    }
    report(random_caught, "planted: missing __syncthreads()", seen);
  }
  for (emu::Schedule s : kSchedules) {
    const std::string tag = std::string(" [") + emu::to_string(s) + "]";
    std::vector<int> out(64);
    std::vector<int> in(32, 1);
    expect_error("planted: divergent barrier" + tag,
                 [&] { emu::launch(divergent_barrier, config(dim3(2), dim3(64), s), out.data()); },
                 "__syncthreads()");
    expect_error("planted: shuffle after exit" + tag,
                 [&] { emu::launch(shuffle_after_exit, config(dim3(1), dim3(32), s), in.data(), out.data()); },
                 "exited");
  }
  std::vector<int> out(64);
  expect_error("barriers at two sites",
               [&] { emu::launch(barriers_at_two_sites, config(dim3(1), dim3(64), emu::Schedule::InOrder), out.data()); },
               "divergent barrier");
  expect_error("mismatched warp ops",
               [&] { emu::launch(mismatched_warp_ops, config(dim3(1), dim3(32), emu::Schedule::Random), out.data()); },
               "mismatched");
  expect_error("deadlock",
               [&] { emu::launch(deadlock, config(dim3(1), dim3(32), emu::Schedule::Reversed), out.data()); },
               "deadlock");
  expect_error("full mask in a partial warp",
               [&] { emu::launch(full_mask_in_partial_warp, config(dim3(1), dim3(48), emu::Schedule::InOrder), out.data()); },
               "does not exist");
  expect_error("mask without the calling lane",
               [&] { emu::launch(mask_without_self, config(dim3(1), dim3(32), emu::Schedule::InOrder), out.data()); },
               "does not include the calling lane");
  expect_error("__trap()",
               [&] { emu::launch(traps, config(dim3(2), dim3(64), emu::Schedule::Reversed), out.data()); },
               "__trap()");
  expect_error("assert in a kernel",
               [&] { emu::launch(asserts, config(dim3(1), dim3(32), emu::Schedule::InOrder), out.data()); },
               "assertion");
  expect_error("block of 2048 threads",
               [&] { emu::launch(asserts, config(dim3(1), dim3(2048), emu::Schedule::InOrder), out.data()); },
               "invalid block");
  // The pool of fibers must be usable after all those failures.
  run_case("launch after failures", [] { return test_block_sum(emu::Schedule::Random); });

  std::printf("%s\n", failures ? "emu self-test FAILED" : "emu self-test passed");
  return failures ? 1 : 0;
}
