// Q3_K weights (ggml): each row is cols / QK_K super-blocks of
//   { uint8 hmask[32]; uint8 qs[64]; uint8 scales[12]; half d; }  (110 bytes).
// Value v (0..255), in 32-value slice s = v / 32 at l = v % 32:
//   q = (bits 2k..2k+1 of qs[32 * (v / 128) + l], k = s % 4) + 4 * (bit s of hmask[l]) - 4   (-4..3)
//   value = d * (scale[v / 16] - 32) * q
// with the 6-bit scales of the 16 sub-blocks packed in 12 bytes: scale i has its low nibble in
// byte i % 8 (low nibble for i < 8, high nibble for i >= 8) and its top 2 bits in bits
// 2 * (i / 4) .. +1 of byte 8 + i % 4.
// A block is only 2-byte aligned (110-byte stride): every read is 16-bit or narrower.
#include "kquants.cuh"

constexpr int Q3_K_BLOCK_BYTES = 110;
constexpr int Q3_K_SUB = 16;          // values per scale
constexpr int Q3_K_CHUNK_BYTES = 32;  // qs bytes per 128 values (4 slices)
constexpr int Q3_K_ZERO = 4;          // q + Q3_K_ZERO is stored: 2 bits in qs, the third in hmask
constexpr int Q3_K_SCALE_ZERO = 32;   // the 6-bit scales are stored with this offset
constexpr int Q3_K_SCALE_HIGH = 8;    // scales[8..11]: the top 2 bits of all 16 scales

struct block_q3_K {
    unsigned char hmask[QK_K / 8];
    unsigned char qs[QK_K / 4];
    unsigned char scales[K_SCALE_SIZE];
    unsigned short d;  // IEEE half bits of the super-block scale
};
static_assert(sizeof(block_q3_K) == Q3_K_BLOCK_BYTES, "ggml Q3_K block layout");

struct Q3_KPart : KQuantRuns {
    typedef block_q3_K BLOCK;
    static constexpr int QK = QK_K;
    static constexpr bool AFFINE = false;
    struct Raw {
        float a;  // d * (scale - 32) of the part's sub-block
        uint32_t q0, q1;
    };
    __device__ static Raw fetch(const block_q3_K* blk, int part) {
        const int s = kq_slice(part);
        const int i = kq_index(part);
        const int sub = (s * QUANT_SLICE + i * MM_PART_VALUES) / Q3_K_SUB;  // 0..15
        const int lowBits = __ldg(blk->scales + sub % Q3_K_SCALE_HIGH) >> (4 * (sub / Q3_K_SCALE_HIGH));
        const int highBits = __ldg(blk->scales + Q3_K_SCALE_HIGH + sub % 4) >> (2 * (sub / 4));
        const int sc = ((lowBits & 0xf) | ((highBits & 3) << 4)) - Q3_K_SCALE_ZERO;
        Raw r;
        r.a = f16_bits_to_float(__ldg(&blk->d)) * static_cast<float>(sc);
        uint32_t l0, l1, h0, h1;
        kq_load8(blk->qs + (s / 4) * Q3_K_CHUNK_BYTES + i * MM_PART_VALUES, 2 * (s % 4), 0x03030303u, l0, l1);
        kq_load8(blk->hmask + i * MM_PART_VALUES, s, 0x01010101u, h0, h1);
        r.q0 = l0 | (h0 << 2);
        r.q1 = l1 | (h1 << 2);
        return r;
    }
    __device__ static void decode(const Raw& r, float (&v)[MM_PART_VALUES]) { kq_decode(r.q0, r.q1, Q3_K_ZERO, v); }
    __device__ static float scale(const Raw& r) { return r.a; }
};

// table: [vocab x cols/256] super-blocks; tokens: [T]; out: [T x cols] float. Grid (T), any block width.
extern "C" __global__ void get_rows_q3_k(const void* table, const int* tokens, float* out, int cols) {
    get_rows_quant<Q3_KPart>(table, tokens, out, cols);
}

// Grid ceil(rows / 4), block 128, numTokens <= MMV_MAX_TOKENS, cols % 256 == 0.
extern "C" __global__ void __launch_bounds__(MMV_THREADS, MMV_MIN_BLOCKS) mmv_q3_k(const void* w, const float* x, float* y, int rows, int cols, int numTokens,
                                    int accumulate) {
    mmv_quant<Q3_KPart>(w, x, y, rows, cols, numTokens, accumulate);
}

// Grid (ceil(rows / 64), ceil(numTokens / 64)), block 256, cols % 256 == 0.
extern "C" __global__ void __launch_bounds__(MM_THREADS, MM_MIN_BLOCKS) mm_q3_k(const void* w, const float* x, float* y, int rows, int cols, int numTokens,
                                   int accumulate) {
    __shared__ __align__(16) MmTile ws;
    __shared__ __align__(16) MmTile xs;
    mm_tiled<MmQuantLoader<Q3_KPart> >(w, x, y, rows, cols, numTokens, accumulate, ws, xs);
}
