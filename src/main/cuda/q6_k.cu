// Q6_K weights (ggml): each row is cols / QK_K super-blocks of
//   { uint8 ql[128]; uint8 qh[64]; int8 scales[16]; half d; }  (210 bytes).
// Value v (0..255), in 32-value slice s = v / 32 at l = v % 32, with n = v / 128 and k = s % 4:
//   q = (nibble k / 2 of ql[64n + 32 * (k % 2) + l]) + 16 * (bits 2k..2k+1 of qh[32n + l]) - 32
//   value = d * scales[v / 16] * q
// A block is only 2-byte aligned (210-byte stride): every read is 16-bit or narrower.
#include "kquants.cuh"

constexpr int Q6_K_BLOCK_BYTES = 210;
constexpr int Q6_K_SUB = 16;             // values per scale
constexpr int Q6_K_QL_CHUNK_BYTES = 64;  // ql bytes per 128 values (4 slices)
constexpr int Q6_K_QL_HALF_BYTES = 32;   // slices k and k + 2 share ql bytes; k = 1, 3 the second 32
constexpr int Q6_K_QH_CHUNK_BYTES = 32;  // qh bytes per 128 values
constexpr int Q6_K_ZERO = 32;            // q + Q6_K_ZERO is stored: 4 bits in ql, 2 in qh

struct block_q6_K {
    unsigned char ql[QK_K / 2];
    unsigned char qh[QK_K / 4];
    signed char scales[QK_K / Q6_K_SUB];
    unsigned short d;  // IEEE half bits of the super-block scale
};
static_assert(sizeof(block_q6_K) == Q6_K_BLOCK_BYTES, "ggml Q6_K block layout");

struct Q6_KPart : KQuantRuns {
    typedef block_q6_K BLOCK;
    static constexpr int QK = QK_K;
    static constexpr bool AFFINE = false;
    struct Raw {
        float a;  // d * scale of the part's sub-block
        uint32_t q0, q1;
    };
    __device__ static Raw fetch(const block_q6_K* blk, int part) {
        const int s = kq_slice(part);
        const int i = kq_index(part);
        const int n = s / 4;
        const int k = s % 4;
        const int sc = __ldg(blk->scales + (s * QUANT_SLICE + i * MM_PART_VALUES) / Q6_K_SUB);
        Raw r;
        r.a = f16_bits_to_float(__ldg(&blk->d)) * static_cast<float>(sc);
        uint32_t l0, l1, h0, h1;
        kq_load8(blk->ql + n * Q6_K_QL_CHUNK_BYTES + (k % 2) * Q6_K_QL_HALF_BYTES + i * MM_PART_VALUES, 4 * (k / 2),
                 0x0f0f0f0fu, l0, l1);
        kq_load8(blk->qh + n * Q6_K_QH_CHUNK_BYTES + i * MM_PART_VALUES, 2 * k, 0x03030303u, h0, h1);
        r.q0 = l0 | (h0 << 4);
        r.q1 = l1 | (h1 << 4);
        return r;
    }
    __device__ static void decode(const Raw& r, float (&v)[MM_PART_VALUES]) { kq_decode(r.q0, r.q1, Q6_K_ZERO, v); }
    __device__ static float scale(const Raw& r) { return r.a; }
};

// table: [vocab x cols/256] super-blocks; tokens: [T]; out: [T x cols] float. Grid (T), any block width.
extern "C" __global__ void get_rows_q6_k(const void* table, const int* tokens, float* out, int cols) {
    get_rows_quant<Q6_KPart>(table, tokens, out, cols);
}

// Grid ceil(rows / 4), block 128, numTokens <= MMV_MAX_TOKENS, cols % 256 == 0.
extern "C" __global__ void __launch_bounds__(MMV_THREADS, MMV_MIN_BLOCKS) mmv_q6_k(const void* w, const float* x, float* y, int rows, int cols, int numTokens,
                                    int accumulate) {
    mmv_quant<Q6_KPart>(w, x, y, rows, cols, numTokens, accumulate);
}

// Grid (ceil(rows / 64), ceil(numTokens / 64)), block 256, cols % 256 == 0.
extern "C" __global__ void __launch_bounds__(MM_THREADS, MM_MIN_BLOCKS) mm_q6_k(const void* w, const float* x, float* y, int rows, int cols, int numTokens,
                                   int accumulate) {
    __shared__ __align__(16) MmTile ws;
    __shared__ __align__(16) MmTile xs;
    mm_tiled<MmQuantLoader<Q6_KPart> >(w, x, y, rows, cols, numTokens, accumulate, ws, xs);
}
