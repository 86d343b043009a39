// The shapes of the matrix products, written once; each weight type's file supplies its layout
// and decode step as a small traits struct and wraps these bodies in its extern "C" kernels.
//
//   W: [rows x cols] in the type's row layout     x: [numTokens x cols] float
//   y: [numTokens x rows] float, y[t*rows + r] = (accumulate ? y[t*rows + r] : 0) + W[r] . x[t]
#pragma once
#include "common.cuh"

// ---------------------------------------------------------------------------------------------
// Decode step (mmv_*): one warp per weight row, MMV_MAX_TOKENS register accumulators, the warp
// walks its row once. Blocks carry blockDim.x / 32 rows; a warp past the last row leaves as a
// whole (no barrier in these kernels, so that early exit is safe).

// Adds each token's finished row sum into y. Every lane runs the reductions (full-mask shuffles);
// lane t then owns token t's store, spreading the writes over lanes.
__device__ __forceinline__ void mmv_store(const float (&acc)[MMV_MAX_TOKENS], float* y, int row, int rows,
                                          int numTokens, int accumulate, int lane) {
#pragma unroll
    for (int t = 0; t < MMV_MAX_TOKENS; ++t) {
        if (t < numTokens) {
            const float sum = warp_sum(acc[t]);
            if (lane == t) {
                float* out = y + static_cast<size_t>(t) * rows + row;
                *out = (accumulate ? *out : 0.0f) + sum;
            }
        }
    }
}

// Dense rows (F32/F16/BF16). D supplies:
//   ELEM_BYTES, Vec (the 16-byte load type), VEC_ELEMS (elements per Vec, 4 or 8),
//   decode(Vec, float (&)[VEC_ELEMS]) and load1(const void* row, int c) -> float.
// The vector path needs 16-byte aligned rows and activations (base aligned, cols % VEC_ELEMS == 0);
// anything else takes the scalar path, which only odd shapes (F16 rows of 172...) ever see.
//
// Each lane holds MMV_DENSE_VALUES decoded weights per step (4 F32 or 2 F16/BF16 16-byte loads in
// flight), then runs the token loop over them: one branch per token per step.
constexpr int MMV_DENSE_VALUES = 16;

template <class D>
__device__ __forceinline__ void mmv_dense(const void* w, const float* x, float* y, int rows, int cols,
                                          int numTokens, int accumulate) {
    constexpr int U = MMV_DENSE_VALUES / D::VEC_ELEMS;  // vectors per lane per step
    const int lane = threadIdx.x % WARP_SIZE;
    const int row = blockIdx.x * (blockDim.x / WARP_SIZE) + threadIdx.x / WARP_SIZE;
    if (row >= rows) {
        return;
    }
    const char* wrow = static_cast<const char*>(w) + static_cast<size_t>(row) * cols * D::ELEM_BYTES;
    float acc[MMV_MAX_TOKENS];
#pragma unroll
    for (int t = 0; t < MMV_MAX_TOKENS; ++t) {
        acc[t] = 0.0f;
    }

    const bool vectorized = cols % D::VEC_ELEMS == 0 && is_aligned16(wrow) && is_aligned16(x);
    if (vectorized) {
        const typename D::Vec* wvec = reinterpret_cast<const typename D::Vec*>(wrow);
        const int nvec = cols / D::VEC_ELEMS;
        int v = lane;
        for (; v + WARP_SIZE * (U - 1) < nvec; v += WARP_SIZE * U) {
            typename D::Vec raw[U];
#pragma unroll
            for (int u = 0; u < U; ++u) {
                raw[u] = __ldg(wvec + v + WARP_SIZE * u);
            }
            float wv[U][D::VEC_ELEMS];
#pragma unroll
            for (int u = 0; u < U; ++u) {
                D::decode(raw[u], wv[u]);
            }
#pragma unroll
            for (int t = 0; t < MMV_MAX_TOKENS; ++t) {
                if (t < numTokens) {
                    const float* xt = x + static_cast<size_t>(t) * cols;
                    float a = acc[t];
#pragma unroll
                    for (int u = 0; u < U; ++u) {
                        const float4* xv = reinterpret_cast<const float4*>(xt + (v + WARP_SIZE * u) * D::VEC_ELEMS);
#pragma unroll
                        for (int i = 0; i < D::VEC_ELEMS / 4; ++i) {
                            const float4 wq =
                                make_float4(wv[u][4 * i], wv[u][4 * i + 1], wv[u][4 * i + 2], wv[u][4 * i + 3]);
                            a = dot4(wq, __ldg(xv + i), a);
                        }
                    }
                    acc[t] = a;
                }
            }
        }
        for (; v < nvec; v += WARP_SIZE) {
            float wv[D::VEC_ELEMS];
            D::decode(__ldg(wvec + v), wv);
#pragma unroll
            for (int t = 0; t < MMV_MAX_TOKENS; ++t) {
                if (t < numTokens) {
                    const float4* xv =
                        reinterpret_cast<const float4*>(x + static_cast<size_t>(t) * cols + v * D::VEC_ELEMS);
                    float a = acc[t];
#pragma unroll
                    for (int i = 0; i < D::VEC_ELEMS / 4; ++i) {
                        a = dot4(make_float4(wv[4 * i], wv[4 * i + 1], wv[4 * i + 2], wv[4 * i + 3]), __ldg(xv + i),
                                 a);
                    }
                    acc[t] = a;
                }
            }
        }
    } else {
#pragma unroll 1
        for (int c = lane; c < cols; c += WARP_SIZE) {
            const float wc = D::load1(wrow, c);
#pragma unroll
            for (int t = 0; t < MMV_MAX_TOKENS; ++t) {
                if (t < numTokens) {
                    acc[t] = fmaf(wc, __ldg(x + static_cast<size_t>(t) * cols + c), acc[t]);
                }
            }
        }
    }
    mmv_store(acc, y, row, rows, numTokens, accumulate, lane);
}

// Quantized rows (every quant type). A row is cols / Q::QK blocks: QK4_0 / QK8_0 = 32 values, or
// QK_K = 256 for the K-quants, whose super-blocks carry per-sub-block scales (and mins). A block is
// read in "parts" of MM_PART_VALUES values. Part p lies in the block's 32-column slice
// p / QUANT_PARTS_PER_SLICE, as two runs of 4 columns at Q::run0(p % QUANT_PARTS_PER_SLICE) and
// Q::run1(...) inside that slice, with one scale (and min) for all 8 values; so a slice's parts are
// exactly one k-step of the tiled product, and a 32-value block is a single slice. Q supplies:
//   BLOCK (struct), QK, Raw, fetch(const BLOCK*, part) -> Raw (the loads), run0(i), run1(i),
//   decode(Raw, float (&)[8]) (the quants as numbers, zero point applied), scale(Raw) -> float,
//   AFFINE: false: value = scale * q;  true: value = scale * q - min(Raw)  (Q2_K, Q4_K, Q5_K).
// quant_values gives the values themselves, rounded once as ggml's dequantization rounds them
// (scale * q and min are exact products of a half and small integers, so the fma rounds only the
// difference).
constexpr int QUANT_SLICE = MM_TILE_K;  // columns of one k-step
constexpr int QUANT_PARTS_PER_SLICE = QUANT_SLICE / MM_PART_VALUES;

template <class Q>
struct QuantShape {
    static_assert(Q::QK % QUANT_SLICE == 0, "a quant block is whole 32-column slices");
    static constexpr int PARTS = Q::QK / MM_PART_VALUES;  // parts per block
    // Decode: blocks per lane fetched before any is consumed. A part of a 32-value block costs 3 to
    // 5 loads, a K-quant part 7 to 13, so 4 blocks of the one and 2 super-blocks of the other keep
    // at least as many loads in flight (a K-quant unroll of 4 spills at the 64-register budget).
    static constexpr int MMV_UNROLL = Q::QK == QUANT_SLICE ? 4 : 2;
};

template <class Q>
__device__ __forceinline__ int quant_run0(int part) {
    return (part / QUANT_PARTS_PER_SLICE) * QUANT_SLICE + Q::run0(part % QUANT_PARTS_PER_SLICE);
}

template <class Q>
__device__ __forceinline__ int quant_run1(int part) {
    return (part / QUANT_PARTS_PER_SLICE) * QUANT_SLICE + Q::run1(part % QUANT_PARTS_PER_SLICE);
}

template <class Q>
__device__ __forceinline__ void quant_values(const typename Q::Raw& r, float (&v)[MM_PART_VALUES]) {
    Q::decode(r, v);
    const float a = Q::scale(r);
    if constexpr (Q::AFFINE) {
        const float b = Q::min(r);
#pragma unroll
        for (int j = 0; j < MM_PART_VALUES; ++j) {
            v[j] = fmaf(a, v[j], -b);
        }
    } else {
#pragma unroll
        for (int j = 0; j < MM_PART_VALUES; ++j) {
            v[j] *= a;
        }
    }
}

// get_rows_* of a quant type: each thread writes whole parts. Grid (T), any block width.
template <class Q>
__device__ __forceinline__ void get_rows_quant(const void* table, const int* tokens, float* out, int cols) {
    typedef typename Q::BLOCK Block;
    constexpr int PARTS = QuantShape<Q>::PARTS;
    const int nb = cols / Q::QK;
    const Block* src = static_cast<const Block*>(table) + static_cast<size_t>(tokens[blockIdx.x]) * nb;
    float* dst = out + static_cast<size_t>(blockIdx.x) * cols;
    for (int p = threadIdx.x; p < nb * PARTS; p += blockDim.x) {
        const int b = p / PARTS;
        const int part = p % PARTS;
        float v[MM_PART_VALUES];
        quant_values<Q>(Q::fetch(src + b, part), v);
        float* d0 = dst + b * Q::QK + quant_run0<Q>(part);
        float* d1 = dst + b * Q::QK + quant_run1<Q>(part);
#pragma unroll
        for (int j = 0; j < 4; ++j) {
            d0[j] = v[j];
            d1[j] = v[4 + j];
        }
    }
}

// Decode step: the block's parts are spread over QuantShape<Q>::PARTS lanes (4 for a 32-value block,
// the whole warp for a super-block), so a warp covers 256 consecutive columns per step either way.
// Non-affine types scale each part's dot product (one multiply per part and token); affine types
// fold the min into the values first, which costs one fma per value once instead of a second dot
// (the sum of x) per token.
template <class Q>
__device__ __forceinline__ void mmv_quant_accumulate(const typename Q::Raw& raw, const float* x, int cols, int block,
                                                     int part, bool xAligned, int numTokens,
                                                     float (&acc)[MMV_MAX_TOKENS]) {
    float q[MM_PART_VALUES];
    const int c0 = block * Q::QK + quant_run0<Q>(part);
    const int c1 = block * Q::QK + quant_run1<Q>(part);
    if constexpr (Q::AFFINE) {
        quant_values<Q>(raw, q);
#pragma unroll
        for (int t = 0; t < MMV_MAX_TOKENS; ++t) {
            if (t < numTokens) {
                const float* xt = x + static_cast<size_t>(t) * cols;
                const float s = dot4(make_float4(q[0], q[1], q[2], q[3]), load_float4(xt + c0, xAligned), acc[t]);
                acc[t] = dot4(make_float4(q[4], q[5], q[6], q[7]), load_float4(xt + c1, xAligned), s);
            }
        }
    } else {
        Q::decode(raw, q);
        const float d = Q::scale(raw);
#pragma unroll
        for (int t = 0; t < MMV_MAX_TOKENS; ++t) {
            if (t < numTokens) {
                const float* xt = x + static_cast<size_t>(t) * cols;
                float s = dot4(make_float4(q[0], q[1], q[2], q[3]), load_float4(xt + c0, xAligned), 0.0f);
                s = dot4(make_float4(q[4], q[5], q[6], q[7]), load_float4(xt + c1, xAligned), s);
                acc[t] = fmaf(d, s, acc[t]);
            }
        }
    }
}

template <class Q>
__device__ __forceinline__ void mmv_quant(const void* w, const float* x, float* y, int rows, int cols,
                                          int numTokens, int accumulate) {
    typedef typename Q::BLOCK Block;
    constexpr int LANES = QuantShape<Q>::PARTS;  // lanes per block
    static_assert(WARP_SIZE % LANES == 0, "a warp holds whole blocks");
    constexpr int BLOCKS_PER_STEP = WARP_SIZE / LANES;
    constexpr int UNROLL = QuantShape<Q>::MMV_UNROLL;
    const int lane = threadIdx.x % WARP_SIZE;
    const int row = blockIdx.x * (blockDim.x / WARP_SIZE) + threadIdx.x / WARP_SIZE;
    if (row >= rows) {
        return;
    }
    const int nb = cols / Q::QK;
    const Block* wrow = static_cast<const Block*>(w) + static_cast<size_t>(row) * nb;
    // Rows of cols % QK == 0 floats keep every 4-column run 16-byte aligned when x itself is.
    const bool xAligned = is_aligned16(x);
    const int part = lane % LANES;
    float acc[MMV_MAX_TOKENS];
#pragma unroll
    for (int t = 0; t < MMV_MAX_TOKENS; ++t) {
        acc[t] = 0.0f;
    }

    int b = lane / LANES;
    for (; b + BLOCKS_PER_STEP * (UNROLL - 1) < nb; b += BLOCKS_PER_STEP * UNROLL) {
        typename Q::Raw raw[UNROLL];
#pragma unroll
        for (int u = 0; u < UNROLL; ++u) {
            raw[u] = Q::fetch(wrow + b + BLOCKS_PER_STEP * u, part);
        }
#pragma unroll
        for (int u = 0; u < UNROLL; ++u) {
            mmv_quant_accumulate<Q>(raw[u], x, cols, b + BLOCKS_PER_STEP * u, part, xAligned, numTokens, acc);
        }
    }
    for (; b < nb; b += BLOCKS_PER_STEP) {
        mmv_quant_accumulate<Q>(Q::fetch(wrow + b, part), x, cols, b, part, xAligned, numTokens, acc);
    }
    mmv_store(acc, y, row, rows, numTokens, accumulate, lane);
}

// ---------------------------------------------------------------------------------------------
// Batch tile (mm_*): grid (ceil(rows / 64), ceil(numTokens / 64)), 256 threads.
// Per 32-column step every thread loads one part (8 values) of one weight row and one part of one
// token row into the shared tiles, transposed to [k][row] / [k][token] so the inner loop reads
// 4 consecutive rows (tokens) as one float4. The next step's parts are fetched into registers
// before the current step's arithmetic, hiding the global latency behind it.
// Rows and tokens past the end are clamped to the last one: their outputs are never stored.
//
// L (weight loader) supplies: Raw, fetch(w, row, k0, cols, part, vectorOk) -> Raw,
//   decode(Raw, float (&)[8]) (scaled values), run0(part), run1(part), vector_ok(w, cols).
// The activation side always uses the float rows (F32Rows).

typedef float MmTile[MM_TILE_K][MM_TILE_ROWS];  // [k][row or token] floats, 8 KiB
static_assert(MM_TILE_ROWS == MM_TILE_TOKENS, "one tile shape serves weights and activations");

// Float rows of any width, as the activations of every product and the weights of mm_f32/mmv_f32.
// mm fetch: two float4 loads when the part lies inside the row and rows are 16-byte aligned, else
// element by element with zeros past the row end (the k tail).
struct F32Rows {
    // mmv_dense
    typedef float4 Vec;
    static constexpr int ELEM_BYTES = 4;
    static constexpr int VEC_ELEMS = 4;
    __device__ static void decode(const float4& v, float (&out)[VEC_ELEMS]) {
        out[0] = v.x; out[1] = v.y; out[2] = v.z; out[3] = v.w;
    }
    __device__ static float load1(const void* row, int c) { return __ldg(static_cast<const float*>(row) + c); }

    // mm_tiled
    struct Raw {
        float4 lo, hi;
    };
    __device__ static bool vector_ok(const void* base, int cols) { return cols % 4 == 0 && is_aligned16(base); }
    __device__ static Raw fetch(const void* base, int row, int k0, int cols, int part, bool vectorOk) {
        const float* p = static_cast<const float*>(base) + static_cast<size_t>(row) * cols;
        const int k = k0 + part * MM_PART_VALUES;
        Raw r;
        if (vectorOk && k + MM_PART_VALUES <= cols) {
            r.lo = __ldg(reinterpret_cast<const float4*>(p + k));
            r.hi = __ldg(reinterpret_cast<const float4*>(p + k + 4));
        } else {
            float v[MM_PART_VALUES];
#pragma unroll
            for (int j = 0; j < MM_PART_VALUES; ++j) {
                v[j] = k + j < cols ? __ldg(p + k + j) : 0.0f;
            }
            r.lo = make_float4(v[0], v[1], v[2], v[3]);
            r.hi = make_float4(v[4], v[5], v[6], v[7]);
        }
        return r;
    }
    __device__ static void decode(const Raw& r, float (&v)[MM_PART_VALUES]) {
        v[0] = r.lo.x; v[1] = r.lo.y; v[2] = r.lo.z; v[3] = r.lo.w;
        v[4] = r.hi.x; v[5] = r.hi.y; v[6] = r.hi.z; v[7] = r.hi.w;
    }
    __device__ static int run0(int part) { return part * MM_PART_VALUES; }
    __device__ static int run1(int part) { return part * MM_PART_VALUES + 4; }
};

// Rows of 16-bit floats (F16, BF16); C::convert(unsigned short bits) -> float. A 16-byte load is
// 8 values, exactly one tile part, so Vec and Raw are both uint4 (zero bits = +0 pad the k tail).
template <class C>
struct Rows16 {
    typedef uint4 Vec;
    typedef uint4 Raw;
    static constexpr int ELEM_BYTES = 2;
    static constexpr int VEC_ELEMS = 8;
    __device__ static void decode(const uint4& v, float (&out)[VEC_ELEMS]) {
        const uint32_t words[4] = {v.x, v.y, v.z, v.w};
#pragma unroll
        for (int i = 0; i < 4; ++i) {
            out[2 * i] = C::convert(static_cast<unsigned short>(words[i] & 0xffffu));
            out[2 * i + 1] = C::convert(static_cast<unsigned short>(words[i] >> 16));
        }
    }
    __device__ static float load1(const void* row, int c) {
        return C::convert(__ldg(static_cast<const unsigned short*>(row) + c));
    }
    __device__ static bool vector_ok(const void* base, int cols) { return cols % VEC_ELEMS == 0 && is_aligned16(base); }
    __device__ static Raw fetch(const void* base, int row, int k0, int cols, int part, bool vectorOk) {
        const unsigned short* p = static_cast<const unsigned short*>(base) + static_cast<size_t>(row) * cols;
        const int k = k0 + part * MM_PART_VALUES;
        if (vectorOk && k + MM_PART_VALUES <= cols) {
            return __ldg(reinterpret_cast<const uint4*>(p + k));
        }
        uint32_t words[4];
#pragma unroll
        for (int i = 0; i < 4; ++i) {
            const uint32_t lo = k + 2 * i < cols ? __ldg(p + k + 2 * i) : 0u;
            const uint32_t hi = k + 2 * i + 1 < cols ? __ldg(p + k + 2 * i + 1) : 0u;
            words[i] = lo | (hi << 16);
        }
        return make_uint4(words[0], words[1], words[2], words[3]);
    }
    __device__ static int run0(int part) { return part * MM_PART_VALUES; }
    __device__ static int run1(int part) { return part * MM_PART_VALUES + 4; }
};

// Quantized rows seen as tile parts: the part of row `row` at step k0 is part `part` of the
// 32-column slice (k0 % QK) / 32 of the row's block k0 / QK, its values scaled on decode.
template <class Q>
struct MmQuantLoader {
    typedef typename Q::Raw Raw;
    typedef typename Q::BLOCK Block;
    static_assert(QUANT_SLICE == MM_TILE_K && QUANT_PARTS_PER_SLICE == MM_PARTS_PER_ROW, "one slice per k-step");
    __device__ static bool vector_ok(const void*, int) { return true; }
    __device__ static Raw fetch(const void* base, int row, int k0, int cols, int part, bool) {
        const int nb = cols / Q::QK;
        const Block* b = static_cast<const Block*>(base) + static_cast<size_t>(row) * nb + k0 / Q::QK;
        return Q::fetch(b, (k0 % Q::QK) / QUANT_SLICE * QUANT_PARTS_PER_SLICE + part);
    }
    __device__ static void decode(const Raw& r, float (&v)[MM_PART_VALUES]) { quant_values<Q>(r, v); }
    __device__ static int run0(int part) { return Q::run0(part); }
    __device__ static int run1(int part) { return Q::run1(part); }
};

template <class L>
__device__ __forceinline__ void mm_store_part(const typename L::Raw& raw, MmTile& tile, int r, int part) {
    float v[MM_PART_VALUES];
    L::decode(raw, v);
    const int k0 = L::run0(part);
    const int k1 = L::run1(part);
#pragma unroll
    for (int j = 0; j < 4; ++j) {
        tile[k0 + j][r] = v[j];
        tile[k1 + j][r] = v[4 + j];
    }
}

template <class L>
__device__ __forceinline__ void mm_tiled(const void* w, const float* x, float* y, int rows, int cols, int numTokens,
                                         int accumulate, MmTile& ws, MmTile& xs) {
    const int tid = threadIdx.x;
    const int rowBase = blockIdx.x * MM_TILE_ROWS;
    const int tokBase = blockIdx.y * MM_TILE_TOKENS;

    // Loading role: a warp holds 32 consecutive rows of one part, so its shared stores hit 32 banks.
    const int loadRow = tid % MM_TILE_ROWS;
    const int loadPart = tid / MM_TILE_ROWS;
    const int wRow = min(rowBase + loadRow, rows - 1);
    const int xRow = min(tokBase + loadRow, numTokens - 1);
    const bool wVec = L::vector_ok(w, cols);
    const bool xVec = F32Rows::vector_ok(x, cols);

    // Computing role: 4 consecutive rows x 4 consecutive tokens.
    const int tr = (tid % (MM_TILE_ROWS / MM_THREAD_ROWS)) * MM_THREAD_ROWS;
    const int tt = (tid / (MM_TILE_ROWS / MM_THREAD_ROWS)) * MM_THREAD_TOKENS;

    float acc[MM_THREAD_TOKENS][MM_THREAD_ROWS];
#pragma unroll
    for (int j = 0; j < MM_THREAD_TOKENS; ++j) {
#pragma unroll
        for (int i = 0; i < MM_THREAD_ROWS; ++i) {
            acc[j][i] = 0.0f;
        }
    }

    typename L::Raw wRaw = L::fetch(w, wRow, 0, cols, loadPart, wVec);
    F32Rows::Raw xRaw = F32Rows::fetch(x, xRow, 0, cols, loadPart, xVec);
    for (int k0 = 0; k0 < cols; k0 += MM_TILE_K) {
        mm_store_part<L>(wRaw, ws, loadRow, loadPart);
        mm_store_part<F32Rows>(xRaw, xs, loadRow, loadPart);
        __syncthreads();
        if (k0 + MM_TILE_K < cols) {
            wRaw = L::fetch(w, wRow, k0 + MM_TILE_K, cols, loadPart, wVec);
            xRaw = F32Rows::fetch(x, xRow, k0 + MM_TILE_K, cols, loadPart, xVec);
        }
#pragma unroll 8
        for (int k = 0; k < MM_TILE_K; ++k) {
            const float4 a = *reinterpret_cast<const float4*>(&ws[k][tr]);
            const float4 b = *reinterpret_cast<const float4*>(&xs[k][tt]);
            const float av[MM_THREAD_ROWS] = {a.x, a.y, a.z, a.w};
            const float bv[MM_THREAD_TOKENS] = {b.x, b.y, b.z, b.w};
#pragma unroll
            for (int j = 0; j < MM_THREAD_TOKENS; ++j) {
#pragma unroll
                for (int i = 0; i < MM_THREAD_ROWS; ++i) {
                    acc[j][i] = fmaf(av[i], bv[j], acc[j][i]);
                }
            }
        }
        __syncthreads();
    }

    const int row0 = rowBase + tr;
    const bool vecStore = row0 + MM_THREAD_ROWS <= rows && rows % 4 == 0 && is_aligned16(y);
#pragma unroll
    for (int j = 0; j < MM_THREAD_TOKENS; ++j) {
        const int tok = tokBase + tt + j;
        if (tok < numTokens) {
            float* out = y + static_cast<size_t>(tok) * rows + row0;
            if (vecStore) {
                float4* o = reinterpret_cast<float4*>(out);
                float4 prev = accumulate ? *o : make_float4(0.0f, 0.0f, 0.0f, 0.0f);
                *o = make_float4(prev.x + acc[j][0], prev.y + acc[j][1], prev.z + acc[j][2], prev.w + acc[j][3]);
            } else {
#pragma unroll
                for (int i = 0; i < MM_THREAD_ROWS; ++i) {
                    if (row0 + i < rows) {
                        out[i] = (accumulate ? out[i] : 0.0f) + acc[j][i];
                    }
                }
            }
        }
    }
}
