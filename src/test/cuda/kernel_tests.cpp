// Tests of the CUDA kernels of src/main/cuda, run on the CPU emulator (each .cu compiled as C++),
// against the scalar references of kernel_refs.h. Every case runs under each thread schedule the
// emulator offers (in order, reversed, random), since a kernel must not depend on one.
// Prints "ok <name>" or "FAIL <name>: detail" per case and exits non-zero on any failure.
//
// Tolerances (stated per check below) follow from float arithmetic in the kernels:
//  - sums of n products in float, in an order of the kernel's choosing: error within
//    8 * sqrt(n) * FLT_EPSILON of the sum of the absolute terms (the random-walk bound with a wide
//    margin; the worst case n * eps is never approached by random data);
//  - exp/cos in float or reassociated: a few ulp, checked at 1e-5 relative (+ tiny absolute);
//  - copies, dequantization, half rounding and argmax: exact.
#include <cuda_emu.h>

#include <algorithm>
#include <cfloat>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <functional>
#include <new>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include "kernel_refs.h"

// The kernels, as src/main/cuda defines them (compiled in their own units).
extern "C" {
__global__ void get_rows_f32(const void*, const int*, float*, int);
__global__ void get_rows_f16(const void*, const int*, float*, int);
__global__ void get_rows_bf16(const void*, const int*, float*, int);
__global__ void get_rows_q8_0(const void*, const int*, float*, int);
__global__ void get_rows_q4_0(const void*, const int*, float*, int);
__global__ void get_rows_q2_k(const void*, const int*, float*, int);
__global__ void get_rows_q3_k(const void*, const int*, float*, int);
__global__ void get_rows_q4_k(const void*, const int*, float*, int);
__global__ void get_rows_q5_k(const void*, const int*, float*, int);
__global__ void get_rows_q6_k(const void*, const int*, float*, int);
__global__ void rms_norm_f32(const float*, const float*, float*, int, float);
__global__ void mmv_f32(const void*, const float*, float*, int, int, int, int);
__global__ void mmv_f16(const void*, const float*, float*, int, int, int, int);
__global__ void mmv_bf16(const void*, const float*, float*, int, int, int, int);
__global__ void mmv_q8_0(const void*, const float*, float*, int, int, int, int);
__global__ void mmv_q4_0(const void*, const float*, float*, int, int, int, int);
__global__ void mmv_q2_k(const void*, const float*, float*, int, int, int, int);
__global__ void mmv_q3_k(const void*, const float*, float*, int, int, int, int);
__global__ void mmv_q4_k(const void*, const float*, float*, int, int, int, int);
__global__ void mmv_q5_k(const void*, const float*, float*, int, int, int, int);
__global__ void mmv_q6_k(const void*, const float*, float*, int, int, int, int);
__global__ void mm_f32(const void*, const float*, float*, int, int, int, int);
__global__ void mm_f16(const void*, const float*, float*, int, int, int, int);
__global__ void mm_bf16(const void*, const float*, float*, int, int, int, int);
__global__ void mm_q8_0(const void*, const float*, float*, int, int, int, int);
__global__ void mm_q4_0(const void*, const float*, float*, int, int, int, int);
__global__ void mm_q2_k(const void*, const float*, float*, int, int, int, int);
__global__ void mm_q3_k(const void*, const float*, float*, int, int, int, int);
__global__ void mm_q4_k(const void*, const float*, float*, int, int, int, int);
__global__ void mm_q5_k(const void*, const float*, float*, int, int, int, int);
__global__ void mm_q6_k(const void*, const float*, float*, int, int, int, int);
__global__ void rope_f32(float*, const int*, const float*, int, int, int, int, int);
__global__ void swiglu_f32(float*, const float*, int);
__global__ void add_f32(float*, const float*, int);
__global__ void add_bias_f32(float*, const float*, int);
__global__ void kv_store_f16(const float*, const float*, const unsigned long long*, const int*, int, int, long long);
__global__ void paged_attention_f16(const float*, float*, const int*, const int*, const unsigned long long*, int, int,
                                    int, int, long long, float);
__global__ void argmax_f32(const float*, int, int*);
__global__ void gather_rows_f32(const float*, const int*, float*, int);
}

namespace {

using refs::WType;

// ---- bookkeeping ----------------------------------------------------------------------------

int g_failures = 0;
int g_cases = 0;

struct Sched {
    emu::Schedule schedule;
    uint64_t seed;
    const char* name;
};
const Sched kSchedules[] = {
    {emu::Schedule::InOrder, 0, "inorder"},
    {emu::Schedule::Reversed, 0, "reversed"},
    {emu::Schedule::Random, 12345, "random"},
};

// One case: collects the first few mismatches, prints one line.
class Case {
public:
    explicit Case(std::string name) : name_(std::move(name)) {}
    void fail(const std::string& detail) {
        if (failures_++ == 0) first_ = detail;
    }
    // |got - want| <= tol, NaN never passes.
    void near(double got, double want, double tol, const char* what, size_t index) {
        if (!(std::fabs(got - want) <= tol)) {
            char buf[256];
            std::snprintf(buf, sizeof buf, "%s[%zu] = %.9g, want %.9g (tolerance %.3g)", what, index, got, want, tol);
            fail(buf);
        }
    }
    template <class T>
    void equal(T got, T want, const char* what, size_t index) {
        if (!(got == want)) {
            char buf[256];
            std::snprintf(buf, sizeof buf, "%s[%zu] = %lld, want %lld", what, index, static_cast<long long>(got),
                          static_cast<long long>(want));
            fail(buf);
        }
    }
    ~Case() {
        ++g_cases;
        if (failures_ == 0) {
            std::printf("ok %s\n", name_.c_str());
        } else {
            ++g_failures;
            std::printf("FAIL %s: %s (%d mismatches)\n", name_.c_str(), first_.c_str(), failures_);
        }
        std::fflush(stdout);
    }

private:
    std::string name_;
    std::string first_;
    int failures_ = 0;
};

template <class Kernel, class... Args>
bool launch(Case& c, Kernel kernel, dim3 grid, dim3 block, const Sched& s, Args... args) {
    emu::LaunchConfig cfg;
    cfg.grid = grid;
    cfg.block = block;
    cfg.dynamicSharedBytes = 0;
    cfg.schedule = s.schedule;
    cfg.seed = s.seed;
    try {
        emu::launch(kernel, cfg, args...);
        return true;
    } catch (const emu::KernelError& e) {
        c.fail(std::string("kernel error: ") + e.what());
        return false;
    }
}

// Device-memory stand-in with a chosen misalignment: ptr() is 64-byte aligned plus `offset`, and
// the allocation ends exactly where the data does, so AddressSanitizer sees any overrun.
class Buffer {
public:
    explicit Buffer(size_t bytes, size_t offset = 0)
        : base_(static_cast<uint8_t*>(::operator new[](bytes + offset, std::align_val_t{64}))), offset_(offset) {
        std::memset(base_, 0, bytes + offset);
    }
    ~Buffer() { ::operator delete[](base_, std::align_val_t{64}); }
    Buffer(const Buffer&) = delete;
    Buffer& operator=(const Buffer&) = delete;
    uint8_t* ptr() { return base_ + offset_; }
    template <class T>
    T* as() {
        return reinterpret_cast<T*>(ptr());
    }

private:
    uint8_t* base_;
    size_t offset_;
};

std::vector<float> random_floats(std::mt19937& rng, size_t n, float lo = -1.0f, float hi = 1.0f) {
    std::uniform_real_distribution<float> d(lo, hi);
    std::vector<float> v(n);
    for (auto& x : v) x = d(rng);
    return v;
}

// Random rows of `rows x cols` in type t's ggml layout, written byte by byte.
void fill_weights(std::mt19937& rng, WType t, uint8_t* w, int rows, int cols) {
    std::uniform_real_distribution<float> unit(-1.0f, 1.0f);
    std::uniform_int_distribution<int> byte(0, 255);
    const size_t bytes = refs::row_bytes(t, cols) * rows;
    auto put16 = [](uint8_t* p, uint16_t v) {
        p[0] = static_cast<uint8_t>(v & 0xff);
        p[1] = static_cast<uint8_t>(v >> 8);
    };
    switch (t) {
        case WType::F32:
            for (size_t i = 0; i < bytes / 4; ++i) {
                const float f = unit(rng);
                std::memcpy(w + 4 * i, &f, 4);
            }
            break;
        case WType::F16:
            for (size_t i = 0; i < bytes / 2; ++i) put16(w + 2 * i, refs::float_to_half(unit(rng)));
            break;
        case WType::BF16:
            for (size_t i = 0; i < bytes / 2; ++i) {
                const float f = unit(rng);
                uint32_t b;
                std::memcpy(&b, &f, 4);
                put16(w + 2 * i, static_cast<uint16_t>(b >> 16));
            }
            break;
        case WType::Q8_0:
        case WType::Q4_0: {
            const size_t blockBytes = t == WType::Q8_0 ? refs::Q8_0_BYTES : refs::Q4_0_BYTES;
            for (size_t b = 0; b < bytes / blockBytes; ++b) {
                uint8_t* blk = w + b * blockBytes;
                put16(blk, refs::float_to_half(unit(rng) * 0.05f));  // signed scales too
                for (size_t j = 2; j < blockBytes; ++j) blk[j] = static_cast<uint8_t>(byte(rng));
            }
            break;
        }
        case WType::Q2_K:
        case WType::Q3_K:
        case WType::Q4_K:
        case WType::Q5_K:
        case WType::Q6_K: {
            // Random bytes everywhere (quants, packed scales and mins, high-bit masks), then sane
            // halves for the super-block scale d and, where the type has one, dmin (signed too).
            int dAt = 0, dminAt = -1;
            switch (t) {
                case WType::Q2_K: dAt = 80; dminAt = 82; break;
                case WType::Q3_K: dAt = 108; break;
                case WType::Q4_K:
                case WType::Q5_K: dAt = 0; dminAt = 2; break;
                default: dAt = 208; break;  // Q6_K
            }
            const size_t blockBytes = refs::block_bytes(t);
            for (size_t b = 0; b < bytes / blockBytes; ++b) {
                uint8_t* blk = w + b * blockBytes;
                for (size_t j = 0; j < blockBytes; ++j) blk[j] = static_cast<uint8_t>(byte(rng));
                put16(blk + dAt, refs::float_to_half(unit(rng) * 0.01f));
                if (dminAt >= 0) put16(blk + dminAt, refs::float_to_half(unit(rng) * 0.01f));
            }
            break;
        }
    }
}

// ---- get_rows -------------------------------------------------------------------------------

typedef void (*GetRowsKernel)(const void*, const int*, float*, int);
typedef void (*MatKernel)(const void*, const float*, float*, int, int, int, int);

struct TypeKernels {
    WType type;
    GetRowsKernel getRows;
    MatKernel mmv;
    MatKernel mm;
};
const TypeKernels kTypes[] = {
    {WType::F32, get_rows_f32, mmv_f32, mm_f32},
    {WType::F16, get_rows_f16, mmv_f16, mm_f16},
    {WType::BF16, get_rows_bf16, mmv_bf16, mm_bf16},
    {WType::Q8_0, get_rows_q8_0, mmv_q8_0, mm_q8_0},
    {WType::Q4_0, get_rows_q4_0, mmv_q4_0, mm_q4_0},
    {WType::Q2_K, get_rows_q2_k, mmv_q2_k, mm_q2_k},
    {WType::Q3_K, get_rows_q3_k, mmv_q3_k, mm_q3_k},
    {WType::Q4_K, get_rows_q4_k, mmv_q4_k, mm_q4_k},
    {WType::Q5_K, get_rows_q5_k, mmv_q5_k, mm_q5_k},
    {WType::Q6_K, get_rows_q6_k, mmv_q6_k, mm_q6_k},
};

void test_get_rows(const TypeKernels& k, int vocab, int cols, const std::vector<int>& tokens) {
    std::mt19937 rng(7 + cols);
    Buffer table(refs::row_bytes(k.type, cols) * vocab);
    fill_weights(rng, k.type, table.ptr(), vocab, cols);
    const std::vector<float> want = refs::get_rows(k.type, table.ptr(), tokens, cols);
    for (const Sched& s : kSchedules) {
        Case c("get_rows_" + std::string(refs::type_name(k.type)) + " cols=" + std::to_string(cols) +
               " T=" + std::to_string(tokens.size()) + " " + s.name);
        std::vector<float> out(want.size(), NAN);
        if (!launch(c, k.getRows, dim3(static_cast<unsigned>(tokens.size())), dim3(256), s,
                    static_cast<const void*>(table.ptr()), tokens.data(), out.data(), cols)) {
            continue;
        }
        for (size_t i = 0; i < out.size(); ++i) c.near(out[i], want[i], 0.0, "out", i);  // exact
    }
}

// ---- matrix products ------------------------------------------------------------------------

struct MatShape {
    int rows, cols, tokens;
    bool accumulate;
    size_t wOffset;  // misalignment of the weight base in bytes (2 for quant blocks, 4 for f32...)
    size_t xOffset;  // misalignment of the activations in bytes
};

void test_matmul(const TypeKernels& k, bool batch, const MatShape& m) {
    std::mt19937 rng(1000 + m.rows * 7 + m.cols * 13 + m.tokens);
    Buffer w(refs::row_bytes(k.type, m.cols) * m.rows, m.wOffset);
    fill_weights(rng, k.type, w.ptr(), m.rows, m.cols);
    Buffer xb(sizeof(float) * m.cols * m.tokens, m.xOffset);
    const std::vector<float> xv = random_floats(rng, static_cast<size_t>(m.cols) * m.tokens);
    std::memcpy(xb.ptr(), xv.data(), xv.size() * sizeof(float));
    const std::vector<float> y0 = random_floats(rng, static_cast<size_t>(m.rows) * m.tokens);
    std::vector<double> magnitude;
    const std::vector<double> want =
        refs::matmul(k.type, w.ptr(), xv.data(), y0.data(), m.rows, m.cols, m.tokens, m.accumulate, &magnitude);
    const double rel = 8.0 * std::sqrt(static_cast<double>(m.cols)) * FLT_EPSILON;

    for (const Sched& s : kSchedules) {
        char name[200];
        std::snprintf(name, sizeof name, "%s_%s rows=%d cols=%d T=%d acc=%d woff=%zu xoff=%zu %s",
                      batch ? "mm" : "mmv", refs::type_name(k.type), m.rows, m.cols, m.tokens, m.accumulate ? 1 : 0,
                      m.wOffset, m.xOffset, s.name);
        Case c(name);
        std::vector<float> y = y0;
        bool ran;
        if (batch) {
            const dim3 grid((m.rows + 63) / 64, (m.tokens + 63) / 64);
            ran = launch(c, k.mm, grid, dim3(256), s, static_cast<const void*>(w.ptr()), xb.as<const float>(),
                         y.data(), m.rows, m.cols, m.tokens, m.accumulate ? 1 : 0);
        } else {
            ran = launch(c, k.mmv, dim3((m.rows + 3) / 4), dim3(128), s, static_cast<const void*>(w.ptr()),
                         xb.as<const float>(), y.data(), m.rows, m.cols, m.tokens, m.accumulate ? 1 : 0);
        }
        if (!ran) continue;
        for (size_t i = 0; i < y.size(); ++i) c.near(y[i], want[i], rel * magnitude[i] + 1e-30, "y", i);
    }
}

// ---- small kernels --------------------------------------------------------------------------

void test_rms_norm(int rows, int cols) {
    std::mt19937 rng(31 + cols);
    const std::vector<float> x = random_floats(rng, static_cast<size_t>(rows) * cols, -3.0f, 3.0f);
    const std::vector<float> weight = random_floats(rng, cols, 0.5f, 1.5f);
    const float eps = 1e-5f;
    const std::vector<double> want = refs::rms_norm(x.data(), weight.data(), rows, cols, eps);
    for (const Sched& s : kSchedules) {
        Case c("rms_norm_f32 rows=" + std::to_string(rows) + " cols=" + std::to_string(cols) + " " + s.name);
        std::vector<float> out(x.size(), NAN);
        if (!launch(c, rms_norm_f32, dim3(rows), dim3(256), s, x.data(), weight.data(), out.data(), cols, eps)) {
            continue;
        }
        // Float sum of squares (all terms positive) and three roundings after it.
        const double rel = 8.0 * std::sqrt(static_cast<double>(cols)) * FLT_EPSILON + 4 * FLT_EPSILON;
        for (size_t i = 0; i < out.size(); ++i) c.near(out[i], want[i], rel * std::fabs(want[i]) + 1e-30, "out", i);
    }
}

void test_rope(int tokens, int numHeads, int headSize, int ropeDim, bool neox, int rowStride, int maxPos) {
    std::mt19937 rng(55 + headSize * 3 + ropeDim + (neox ? 1 : 0));
    std::vector<float> x = random_floats(rng, static_cast<size_t>(tokens) * rowStride);
    std::vector<int> positions(tokens);
    std::uniform_int_distribution<int> pos(0, maxPos);
    for (auto& p : positions) p = pos(rng);
    positions[0] = maxPos;  // the largest angle always present
    std::vector<float> invFreq(ropeDim / 2);
    for (int i = 0; i < ropeDim / 2; ++i) {
        invFreq[i] = static_cast<float>(1.0 / std::pow(10000.0, (2 * i) / static_cast<float>(ropeDim)));
    }
    std::vector<float> want = x;
    refs::rope(want.data(), positions, invFreq.data(), numHeads, headSize, ropeDim, neox, rowStride);
    for (const Sched& s : kSchedules) {
        char name[200];
        std::snprintf(name, sizeof name, "rope_f32 T=%d heads=%d head=%d ropeDim=%d %s stride=%d maxPos=%d %s", tokens,
                      numHeads, headSize, ropeDim, neox ? "neox" : "normal", rowStride, maxPos, s.name);
        Case c(name);
        std::vector<float> got = x;
        if (!launch(c, rope_f32, dim3(tokens, numHeads), dim3(ropeDim / 2), s, got.data(), positions.data(),
                    invFreq.data(), numHeads, headSize, ropeDim, neox ? 1 : 0, rowStride)) {
            continue;
        }
        // Same cos/sin bits as the reference; a*c - b*s may be contracted to one fma: 2 ulp of
        // the larger term. Elements outside the rotated dims (and the row padding) stay exact.
        for (size_t i = 0; i < got.size(); ++i) {
            c.near(got[i], want[i], 4 * FLT_EPSILON * (std::fabs(x[i]) + 1.0), "x", i);
        }
    }
}

void test_elementwise(int n) {
    std::mt19937 rng(77 + n);
    const std::vector<float> gate = random_floats(rng, n, -8.0f, 8.0f);
    const std::vector<float> up = random_floats(rng, n, -2.0f, 2.0f);
    for (const Sched& s : kSchedules) {
        {
            Case c("swiglu_f32 n=" + std::to_string(n) + " " + s.name);
            std::vector<float> g = gate;
            if (launch(c, swiglu_f32, dim3((n + 255) / 256), dim3(256), s, g.data(), up.data(), n)) {
                // expf (a few ulp) then a division and a product.
                for (int i = 0; i < n; ++i) {
                    const double want = refs::swiglu(gate[i], up[i]);
                    c.near(g[i], want, 1e-5 * std::fabs(want) + 1e-30, "gate", i);
                }
            }
        }
        {
            Case c("add_f32 n=" + std::to_string(n) + " " + s.name);
            std::vector<float> x = gate;
            if (launch(c, add_f32, dim3((n + 255) / 256), dim3(256), s, x.data(), up.data(), n)) {
                for (int i = 0; i < n; ++i) c.near(x[i], gate[i] + up[i], 0.0, "x", i);  // one float add: exact
            }
        }
        {
            // rows of n elements plus the same bias on each: more columns than threads when n > 256.
            const int rows = 3;
            Case c("add_bias_f32 rows=3 cols=" + std::to_string(n) + " " + s.name);
            std::vector<float> x(static_cast<size_t>(rows) * n);
            for (size_t i = 0; i < x.size(); ++i) x[i] = gate[i % n] * static_cast<float>(i / n + 1);
            const std::vector<float> before = x;
            if (launch(c, add_bias_f32, dim3(rows), dim3(256), s, x.data(), up.data(), n)) {
                for (size_t i = 0; i < x.size(); ++i) c.near(x[i], before[i] + up[i % n], 0.0, "x", i);
            }
        }
    }
}

void test_gather(int srcRows, int cols, const std::vector<int>& rows) {
    std::mt19937 rng(91 + cols);
    const std::vector<float> x = random_floats(rng, static_cast<size_t>(srcRows) * cols);
    for (const Sched& s : kSchedules) {
        Case c("gather_rows_f32 cols=" + std::to_string(cols) + " n=" + std::to_string(rows.size()) + " " + s.name);
        std::vector<float> out(rows.size() * cols, NAN);
        if (!launch(c, gather_rows_f32, dim3(static_cast<unsigned>(rows.size())), dim3(256), s, x.data(), rows.data(),
                    out.data(), cols)) {
            continue;
        }
        for (size_t i = 0; i < rows.size(); ++i) {
            for (int j = 0; j < cols; ++j) {
                c.near(out[i * cols + j], x[static_cast<size_t>(rows[i]) * cols + j], 0.0, "out", i * cols + j);
            }
        }
    }
}

void test_argmax(int vocab) {
    std::mt19937 rng(113 + vocab);
    const int rows = 7;
    std::vector<float> logits = random_floats(rng, static_cast<size_t>(rows) * vocab, -10.0f, 10.0f);
    // Row 1: the max appears twice (lowest index wins); row 2: all equal (answer 0);
    // row 3: max at the last index; row 4: all -inf (answer 0); row 5: NaNs around a max;
    // row 6: NaN at index 0 (the CPU sampler answers 0).
    float* r1 = &logits[1 * vocab];
    r1[vocab / 3] = 50.0f;
    r1[vocab - 2] = 50.0f;
    r1[vocab / 2] = 50.0f;
    std::fill(&logits[2 * vocab], &logits[3 * vocab], 1.25f);
    logits[4 * vocab - 1] = 99.0f;
    std::fill(&logits[4 * vocab], &logits[5 * vocab], -INFINITY);
    float* r5 = &logits[5 * vocab];
    r5[0] = NAN;
    r5[vocab - 1] = NAN;
    r5[vocab / 2] = 70.0f;
    logits[6 * static_cast<size_t>(vocab)] = NAN;
    for (const Sched& s : kSchedules) {
        Case c("argmax_f32 vocab=" + std::to_string(vocab) + " " + s.name);
        std::vector<int> out(rows, -1);
        if (!launch(c, argmax_f32, dim3(rows), dim3(256), s, logits.data(), vocab, out.data())) continue;
        for (int r = 0; r < rows; ++r) c.equal(out[r], refs::argmax(&logits[static_cast<size_t>(r) * vocab], vocab), "out", r);
    }
}

// ---- paged KV cache -------------------------------------------------------------------------

// A KV pool of physical blocks spread over two separately allocated chunks, in shuffled order,
// each block [numLayers][2][blockSize][kvDim] half, as the host lays it out.
struct KvPool {
    int numLayers, blockSize, kvDim;
    size_t blockBytes;
    std::vector<uint16_t> chunk[2];
    std::vector<unsigned long long> blockAddr;  // physical block -> byte address

    KvPool(int layers, int bs, int kvd, int numBlocks, std::mt19937& rng)
        : numLayers(layers), blockSize(bs), kvDim(kvd) {
        blockBytes = static_cast<size_t>(numLayers) * 2 * blockSize * kvDim * sizeof(uint16_t);
        const size_t halvesPerBlock = blockBytes / sizeof(uint16_t);
        const int inFirst = numBlocks / 2;
        chunk[0].resize(halvesPerBlock * inFirst);
        chunk[1].resize(halvesPerBlock * (numBlocks - inFirst));
        std::vector<int> slots(numBlocks);
        std::iota(slots.begin(), slots.end(), 0);
        std::shuffle(slots.begin(), slots.end(), rng);
        blockAddr.resize(numBlocks);
        for (int b = 0; b < numBlocks; ++b) {
            const int slot = slots[b];
            const int which = slot < inFirst ? 0 : 1;
            const int index = slot < inFirst ? slot : slot - inFirst;
            blockAddr[b] = reinterpret_cast<unsigned long long>(chunk[which].data() + halvesPerBlock * index);
        }
    }
    long long layerOffset(int layer) const {
        return static_cast<long long>(layer) * 2 * blockSize * kvDim * static_cast<long long>(sizeof(uint16_t));
    }
    uint16_t* row(int block, int layer, bool value, int r) const {
        uint16_t* base = reinterpret_cast<uint16_t*>(blockAddr[block] + layerOffset(layer));
        return base + (value ? static_cast<size_t>(blockSize) * kvDim : 0) + static_cast<size_t>(r) * kvDim;
    }
};

struct Sequence {
    int length;
    std::vector<int> blocks;  // logical -> physical
};

void test_kv_store() {
    std::mt19937 rng(201);
    const int numLayers = 3, blockSize = 8, kvDim = 32, layer = 2;
    KvPool pool(numLayers, blockSize, kvDim, 6, rng);
    for (auto& ch : pool.chunk) std::fill(ch.begin(), ch.end(), 0xABCD);  // untouched marker
    const int T = 7;
    const std::vector<float> k = random_floats(rng, static_cast<size_t>(T) * kvDim, -4.0f, 4.0f);
    std::vector<float> v = random_floats(rng, static_cast<size_t>(T) * kvDim, -4.0f, 4.0f);
    v[3] = 1.0f + 1.0f / 2048;  // a tie: rounds to the even half
    v[4] = 70000.0f;            // overflow: infinity
    v[5] = 1e-8f;               // subnormal half
    std::vector<unsigned long long> slotBlock(T);
    std::vector<int> slotRow(T);
    std::vector<int> physical(T);
    for (int t = 0; t < T; ++t) {
        physical[t] = t % 6;
        slotBlock[t] = pool.blockAddr[physical[t]];
        slotRow[t] = (t * 3) % blockSize;
    }
    slotBlock[6] = 0;  // a padding token: no slot, no write
    for (const Sched& s : kSchedules) {
        Case c(std::string("kv_store_f16 ") + s.name);
        for (auto& ch : pool.chunk) std::fill(ch.begin(), ch.end(), 0xABCD);
        if (!launch(c, kv_store_f16, dim3(T), dim3(256), s, k.data(), v.data(), slotBlock.data(), slotRow.data(), kvDim,
                    blockSize, pool.layerOffset(layer))) {
            continue;
        }
        size_t written = 0;
        for (int t = 0; t < T - 1; ++t) {
            const uint16_t* kr = pool.row(physical[t], layer, false, slotRow[t]);
            const uint16_t* vr = pool.row(physical[t], layer, true, slotRow[t]);
            for (int d = 0; d < kvDim; ++d) {
                c.equal(kr[d], refs::float_to_half(k[t * kvDim + d]), "k", t * kvDim + d);
                c.equal(vr[d], refs::float_to_half(v[t * kvDim + d]), "v", t * kvDim + d);
            }
            written += 2 * kvDim;
        }
        size_t changed = 0;
        for (auto& ch : pool.chunk) {
            for (uint16_t h : ch) changed += h != 0xABCD;
        }
        // Everything else untouched (a written value equal to the marker would only lower `changed`).
        if (changed > written) c.fail("wrote outside the token rows: " + std::to_string(changed - written) + " halves");
    }
}

struct AttnCase {
    const char* name;
    int numHeads, numKvHeads, headSize, blockSize;
    std::vector<int> seqLengths;  // sequences in the pool, their whole K/V filled
    // Query tokens: (sequence, position) pairs; prefill uses consecutive positions of one sequence.
    std::vector<std::pair<int, int>> queries;
    float qScale;  // query magnitude: large values make later keys raise the running max
};

void test_attention(const AttnCase& a) {
    std::mt19937 rng(301 + a.headSize * 17 + a.blockSize);
    const int numLayers = 2, layer = 1;
    const int kvDim = a.numKvHeads * a.headSize;
    std::vector<Sequence> seqs;
    int numBlocks = 0;
    for (int len : a.seqLengths) {
        Sequence s;
        s.length = len;
        const int nb = (len + a.blockSize - 1) / a.blockSize;
        for (int i = 0; i < nb; ++i) s.blocks.push_back(numBlocks++);
        seqs.push_back(s);
    }
    // Shuffle which physical block each logical block is, across all sequences.
    std::vector<int> perm(numBlocks);
    std::iota(perm.begin(), perm.end(), 0);
    std::shuffle(perm.begin(), perm.end(), rng);
    for (auto& s : seqs) {
        for (auto& b : s.blocks) b = perm[b];
    }
    KvPool pool(numLayers, a.blockSize, kvDim, numBlocks, rng);
    std::uniform_real_distribution<float> unit(-1.0f, 1.0f);
    for (auto& ch : pool.chunk) {
        for (auto& h : ch) h = refs::float_to_half(unit(rng));
    }

    // Block tables, one run per sequence, in a shared array with a gap before each.
    std::vector<unsigned long long> blockBases;
    std::vector<int> seqTableStart;
    for (auto& s : seqs) {
        blockBases.push_back(0xDEAD0000ull);  // never read
        seqTableStart.push_back(static_cast<int>(blockBases.size()));
        for (int b : s.blocks) blockBases.push_back(pool.blockAddr[b]);
    }
    const int T = static_cast<int>(a.queries.size());
    std::vector<int> positions(T), tableStart(T);
    for (int t = 0; t < T; ++t) {
        positions[t] = a.queries[t].second;
        tableStart[t] = seqTableStart[a.queries[t].first];
    }
    const std::vector<float> q =
        random_floats(rng, static_cast<size_t>(T) * a.numHeads * a.headSize, -a.qScale, a.qScale);
    const float scale = 1.0f / std::sqrt(static_cast<float>(a.headSize));

    std::vector<std::vector<double>> want(static_cast<size_t>(T) * a.numHeads);
    for (int t = 0; t < T; ++t) {
        const Sequence& s = seqs[a.queries[t].first];
        for (int h = 0; h < a.numHeads; ++h) {
            const int kvh = h / (a.numHeads / a.numKvHeads);
            auto kRow = [&](int p) {
                return pool.row(s.blocks[p / a.blockSize], layer, false, p % a.blockSize) + kvh * a.headSize;
            };
            auto vRow = [&](int p) {
                return pool.row(s.blocks[p / a.blockSize], layer, true, p % a.blockSize) + kvh * a.headSize;
            };
            want[static_cast<size_t>(t) * a.numHeads + h] =
                refs::attention(&q[(static_cast<size_t>(t) * a.numHeads + h) * a.headSize], a.headSize, positions[t],
                                scale, kRow, vRow);
        }
    }

    for (const Sched& s : kSchedules) {
        char name[200];
        std::snprintf(name, sizeof name, "paged_attention_f16 %s heads=%d/%d head=%d block=%d T=%d %s", a.name,
                      a.numHeads, a.numKvHeads, a.headSize, a.blockSize, T, s.name);
        Case c(name);
        std::vector<float> out(static_cast<size_t>(T) * a.numHeads * a.headSize, NAN);
        if (!launch(c, paged_attention_f16, dim3(T, a.numHeads), dim3(128), s, q.data(), out.data(), positions.data(),
                    tableStart.data(), blockBases.data(), a.numHeads, a.numKvHeads, a.headSize, a.blockSize,
                    pool.layerOffset(layer), scale)) {
            continue;
        }
        // Scores: float dot products of headSize terms |q k| <= qScale, times 1/sqrt(headSize),
        // so within 8 sqrt(headSize) eps qScale sqrt(headSize); the softmax weights move by about
        // as much relative, and |V| <= 1. Plus 1e-5 for expf and the float sums over the context.
        const double tol = 1e-5 + 8.0 * a.headSize * FLT_EPSILON * a.qScale;
        for (size_t i = 0; i < want.size(); ++i) {
            for (int d = 0; d < a.headSize; ++d) {
                c.near(out[i * a.headSize + d], want[i][d], tol, "out", i * a.headSize + d);
            }
        }
    }
}

}  // namespace

int main() {
    const auto start = std::chrono::steady_clock::now();

    // get_rows: the test model's embedding (vocab 512, dim 64), odd widths for the float types;
    // the K-quants' rows are whole super-blocks (256, and 3 of them).
    for (const TypeKernels& k : kTypes) {
        const bool kq = refs::is_kquant(k.type);
        test_get_rows(k, 512, kq ? 256 : 64, {0, 511, 17, 17, 300});
        test_get_rows(k, 40, kq ? 768 : refs::is_quant(k.type) ? 96 : 172, {3, 39, 0});
    }

    // Products: the test model's shapes (dim 64, FFN 172, vocab 512), unaligned tails, the
    // vector main loops (cols >= 512 / 1024) with their tails, misaligned bases.
    for (const TypeKernels& k : kTypes) {
        if (refs::is_kquant(k.type)) continue;  // below: rows of whole super-blocks
        const bool q = refs::is_quant(k.type);
        const size_t wMis = k.type == WType::F32 ? 4 : 2;  // smallest legal misalignment
        std::vector<MatShape> mmv = {
            {64, 64, 1, false, 0, 0},     // wq / wo at decode
            {172, 64, 3, true, 0, 0},     // FFN up, 3 tokens, residual-style accumulate
            {512, 64, 8, false, 0, 0},    // classifier, MMV_MAX_TOKENS tokens
            {7, 1088, 2, true, 0, 0},     // main unrolled loop plus a tail, rows % 4 != 0
            {5, 1088, 1, false, wMis, 4}, // misaligned weights and activations: scalar paths
        };
        if (!q) {
            mmv.push_back({64, 172, 2, true, 0, 0});   // FFN down: 172 columns
            mmv.push_back({9, 45, 5, false, 0, 0});    // cols % 4 != 0
            mmv.push_back({6, 520, 4, false, 0, 0});   // vector main loop + tail
        }
        for (const MatShape& m : mmv) test_matmul(k, false, m);

        std::vector<MatShape> mm = {
            {64, 64, 9, false, 0, 0},       // one tile, few tokens
            {172, 64, 70, true, 0, 0},      // rows and tokens past a tile
            {130, 96, 65, false, wMis, 4},  // misaligned bases, 3 k-steps
            {512, 64, 20, false, 0, 0},     // classifier over a prompt
        };
        if (!q) {
            mm.push_back({64, 172, 33, true, 0, 0});  // k tail (172 = 5 * 32 + 12)
            mm.push_back({70, 45, 66, false, 0, 0});  // cols % 4 != 0, tail only
        }
        for (const MatShape& m : mm) test_matmul(k, true, m);
    }

    // K-quants: cols % 256 == 0. The kernels' weights are ggml's dequantized floats bit for bit
    // (get_rows checks them exactly: d * scale * q and dmin * min are exact in float, the fma rounds
    // only their difference), so the products' tolerance is the float-sum bound above; Q3_K and
    // Q6_K multiply a part's dot product by its exact scale d * scale, which scales the error and
    // the magnitude alike. Decode with every token count 1..8: one super-block per row (each
    // lane one part), the unrolled loop (2 super-blocks per lane) with and without a tail, rows not
    // a multiple of 4, a misaligned base (2 bytes, the blocks' own alignment) and activations.
    // Batch: rows and tokens past a tile, up to 3 super-blocks (24 k-steps) per row.
    for (const TypeKernels& k : kTypes) {
        if (!refs::is_kquant(k.type)) continue;
        const std::vector<MatShape> mmv = {
            {64, 256, 1, false, 0, 0},     // one super-block per row
            {172, 256, 3, true, 0, 0},     // 3 tokens, accumulate
            {512, 256, 8, false, 0, 0},    // MMV_MAX_TOKENS tokens
            {7, 2304, 2, true, 0, 0},      // 9 super-blocks: unrolled loop plus a tail, rows % 4 != 0
            {5, 1280, 1, false, 2, 4},     // misaligned weights and activations
            {9, 512, 4, false, 0, 0},      // exactly one unrolled step
            {6, 768, 5, true, 0, 0},       // one unrolled step plus a tail
            {3, 1024, 6, false, 0, 0},     // 3 rows: the block's last warp has none
            {10, 256, 7, true, 0, 2 * 4},  // 7 tokens, activations 8 bytes off
        };
        for (const MatShape& m : mmv) test_matmul(k, false, m);
        const std::vector<MatShape> mm = {
            {64, 256, 9, false, 0, 0},    // one tile, few tokens
            {172, 256, 70, true, 0, 0},   // rows and tokens past a tile
            {130, 512, 65, false, 2, 4},  // misaligned bases
            {512, 256, 20, false, 0, 0},  // classifier over a prompt
            {33, 768, 100, true, 0, 0},   // 3 super-blocks per row, two token tiles
        };
        for (const MatShape& m : mm) test_matmul(k, true, m);
    }

    test_rms_norm(5, 64);
    test_rms_norm(3, 172);
    test_rms_norm(1, 4096);

    // q of the test model (8 heads x 8), k (4 heads) inside a fused row, head 64 / 128, partial rope.
    test_rope(5, 8, 8, 8, false, 64, 100);
    test_rope(5, 4, 8, 8, true, 128, 32767);
    test_rope(3, 2, 64, 64, false, 160, 4095);
    test_rope(2, 2, 128, 64, true, 256, 30000);
    test_rope(2, 1, 128, 128, false, 128, 32767);

    test_elementwise(1000);
    test_elementwise(172 * 3);

    test_gather(10, 64, {9, 0, 4});
    test_gather(5, 512, {4});

    test_argmax(512);
    test_argmax(100);
    test_argmax(1000);

    test_kv_store();

    // Decode: several sequences of different lengths in one launch, each token its last position.
    test_attention({"decode", 8, 4, 8, 16, {1, 37, 70, 16}, {{0, 0}, {1, 36}, {2, 69}, {3, 15}}, 1.0f});
    test_attention({"decode", 4, 2, 64, 16, {300, 5}, {{0, 299}, {1, 4}}, 3.0f});
    test_attention({"decode", 4, 4, 128, 32, {129, 33}, {{0, 128}, {1, 32}}, 2.0f});
    test_attention({"decode", 2, 1, 256, 8, {100}, {{0, 99}}, 1.0f});     // the widest head
    test_attention({"decode-odd", 2, 1, 12, 4, {23}, {{0, 22}}, 1.0f});  // headSize % 8 != 0
    // Long contexts: many tiles per warp, so the running max is raised and the sums rescaled.
    test_attention({"decode-long", 2, 1, 128, 16, {1500, 600}, {{0, 1499}, {1, 599}}, 2.0f});
    test_attention({"decode-max", 1, 1, 8, 64, {32768}, {{0, 32767}}, 3.0f});  // the longest context
    // Prefill: consecutive positions of one sequence in one launch (plus a continuation chunk).
    {
        AttnCase p{"prefill", 8, 4, 8, 16, {40, 12}, {}, 2.0f};
        for (int i = 0; i < 40; ++i) p.queries.push_back({0, i});
        for (int i = 7; i < 12; ++i) p.queries.push_back({1, i});
        test_attention(p);
        AttnCase p2{"prefill", 2, 1, 128, 16, {70}, {}, 1.0f};
        for (int i = 0; i < 70; i += 3) p2.queries.push_back({0, i});
        test_attention(p2);
    }

    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::printf("%d cases, %d failed, %.1f s\n", g_cases, g_failures, seconds);
    return g_failures == 0 ? 0 : 1;
}
