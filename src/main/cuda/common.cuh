// Definitions shared by every kernel file. The build concatenates all .cu files of this
// directory into one translation unit, and the CPU emulator compiles each of them as C++, so
// everything here is header-safe (#pragma once, inline helpers only) and sticks to the subset
// of CUDA the emulator implements (no inline PTX, no WMMA, no cooperative groups).
#if !defined(__CUDACC__)
#include <cuda_emu.h>
#endif
#include <cuda_fp16.h>
#include <cuda_bf16.h>
#include <stdint.h>
#include <math.h>

#pragma once

#if defined(__CUDACC__)
#define EXTERN_SHARED(T, name) extern __shared__ __align__(16) T name[]
#else
#define EXTERN_SHARED(T, name) T* name = reinterpret_cast<T*>(emu::dynamic_shared())
#endif

constexpr int WARP_SIZE = 32;
constexpr unsigned FULL_MASK = 0xffffffffu;

// Decode steps (mmv_*) serve at most this many tokens per launch: one register accumulator per
// token, so the weights are streamed once for the whole step.
constexpr int MMV_MAX_TOKENS = 8;
constexpr int MMV_THREADS = 128;  // 4 warps, one row each
// Decode is memory-bound: 8 blocks of 4 warps per SM keep loads in flight, at <= 64 registers
// (__launch_bounds__(MMV_THREADS, MMV_MIN_BLOCKS); launching wider than MMV_THREADS then fails).
constexpr int MMV_MIN_BLOCKS = 8;

// Batch tiles (mm_*): a 256-thread block computes MM_TILE_ROWS x MM_TILE_TOKENS outputs, 4x4 per
// thread, stepping through the columns MM_TILE_K at a time (one 32-value quant block per row, or
// one 32-value slice of a K-quant super-block).
constexpr int MM_TILE_ROWS = 64;
constexpr int MM_TILE_TOKENS = 64;
constexpr int MM_TILE_K = 32;
constexpr int MM_THREADS = 256;
constexpr int MM_MIN_BLOCKS = 3;  // 48 KiB of tiles per SM, <= 80 registers
constexpr int MM_THREAD_ROWS = 4;
constexpr int MM_THREAD_TOKENS = 4;

// Loading a tile, each thread moves one "part": 8 values of one row, as two runs of 4
// consecutive columns (where the runs lie inside the 32-column step is the type's business).
constexpr int MM_PART_VALUES = 8;
constexpr int MM_PARTS_PER_ROW = MM_TILE_K / MM_PART_VALUES;

static_assert(MM_TILE_ROWS * MM_PARTS_PER_ROW == MM_THREADS, "one weight part per thread");
static_assert(MM_TILE_TOKENS * MM_PARTS_PER_ROW == MM_THREADS, "one activation part per thread");
static_assert((MM_TILE_ROWS / MM_THREAD_ROWS) * (MM_TILE_TOKENS / MM_THREAD_TOKENS) == MM_THREADS,
              "4x4 outputs per thread cover the tile");

__device__ __forceinline__ bool is_aligned16(const void* p) {
    return (reinterpret_cast<uintptr_t>(p) & 15u) == 0;
}

__device__ __forceinline__ float warp_sum(float v) {
#pragma unroll
    for (int offset = WARP_SIZE / 2; offset > 0; offset >>= 1) {
        v += __shfl_xor_sync(FULL_MASK, v, offset);
    }
    return v;
}

__device__ __forceinline__ float warp_max(float v) {
#pragma unroll
    for (int offset = WARP_SIZE / 2; offset > 0; offset >>= 1) {
        v = fmaxf(v, __shfl_xor_sync(FULL_MASK, v, offset));
    }
    return v;
}

// Bit patterns of 16-bit floats to float. Going through the fp16/bf16 API keeps the emulator and
// nvcc on the same, exact conversion (bf16 -> f32 is a shift; f16 -> f32 is exact too).
__device__ __forceinline__ float f16_bits_to_float(unsigned short bits) {
    return __half2float(__ushort_as_half(bits));
}

__device__ __forceinline__ float bf16_bits_to_float(unsigned short bits) {
    return __bfloat162float(__ushort_as_bfloat16(bits));
}

// Quant blocks are 18 or 34 bytes, so only 2-byte alignment is guaranteed: 32-bit quant words are
// assembled from two aligned 16-bit loads instead of one (possibly misaligned) 32-bit load.
__device__ __forceinline__ uint32_t load_u32_align2(const void* p) {
    const unsigned short* h = static_cast<const unsigned short*>(p);
    return static_cast<uint32_t>(__ldg(h)) | (static_cast<uint32_t>(__ldg(h + 1)) << 16);
}

// Four activations starting at p; the vector load only where the caller proved 16-byte alignment.
__device__ __forceinline__ float4 load_float4(const float* p, bool aligned) {
    if (aligned) {
        return __ldg(reinterpret_cast<const float4*>(p));
    }
    return make_float4(__ldg(p), __ldg(p + 1), __ldg(p + 2), __ldg(p + 3));
}

__device__ __forceinline__ float dot4(float4 a, float4 b, float acc) {
    acc = fmaf(a.x, b.x, acc);
    acc = fmaf(a.y, b.y, acc);
    acc = fmaf(a.z, b.z, acc);
    acc = fmaf(a.w, b.w, acc);
    return acc;
}
