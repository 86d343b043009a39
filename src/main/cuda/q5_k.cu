// Q5_K weights (ggml): each row is cols / QK_K super-blocks of
//   { half d; half dmin; uint8 scales[12]; uint8 qh[32]; uint8 qs[128]; }  (176 bytes).
// Value v (0..255) belongs to 32-value sub-block s = v / 32, whose 6-bit scale sc and min m are
// packed as in Q4_K (kq_scale_min_k4):
//   value = d * sc * q - dmin * m,
// q = (nibble s % 2 of qs[32 * (s / 2) + v % 32]) + 16 * (bit s of qh[v % 32])   (0..31).
#include "kquants.cuh"

constexpr int Q5_K_BLOCK_BYTES = 176;
constexpr int Q5_K_CHUNK_BYTES = 32;  // qs bytes per 64 values (2 sub-blocks)

struct block_q5_K {
    unsigned short d;     // IEEE half bits: super-block scale of the scales
    unsigned short dmin;  // IEEE half bits: super-block scale of the mins
    unsigned char scales[K_SCALE_SIZE];
    unsigned char qh[QK_K / 8];
    unsigned char qs[QK_K / 2];
};
static_assert(sizeof(block_q5_K) == Q5_K_BLOCK_BYTES, "ggml Q5_K block layout");

struct Q5_KPart : KQuantRuns {
    typedef block_q5_K BLOCK;
    static constexpr int QK = QK_K;
    static constexpr bool AFFINE = true;
    struct Raw {
        float a, b;  // d * scale, dmin * min of the part's sub-block
        uint32_t q0, q1;
    };
    __device__ static Raw fetch(const block_q5_K* blk, int part) {
        const int s = kq_slice(part);
        const int i = kq_index(part);
        Raw r;
        kq_affine_k4(&blk->d, blk->scales, s, r.a, r.b);
        uint32_t l0, l1, h0, h1;
        kq_load8(blk->qs + (s / 2) * Q5_K_CHUNK_BYTES + i * MM_PART_VALUES, 4 * (s % 2), 0x0f0f0f0fu, l0, l1);
        kq_load8(blk->qh + i * MM_PART_VALUES, s, 0x01010101u, h0, h1);
        r.q0 = l0 | (h0 << 4);
        r.q1 = l1 | (h1 << 4);
        return r;
    }
    __device__ static void decode(const Raw& r, float (&v)[MM_PART_VALUES]) { kq_decode(r.q0, r.q1, 0, v); }
    __device__ static float scale(const Raw& r) { return r.a; }
    __device__ static float min(const Raw& r) { return r.b; }
};

// table: [vocab x cols/256] super-blocks; tokens: [T]; out: [T x cols] float. Grid (T), any block width.
extern "C" __global__ void get_rows_q5_k(const void* table, const int* tokens, float* out, int cols) {
    get_rows_quant<Q5_KPart>(table, tokens, out, cols);
}

// Grid ceil(rows / 4), block 128, numTokens <= MMV_MAX_TOKENS, cols % 256 == 0.
extern "C" __global__ void __launch_bounds__(MMV_THREADS, MMV_MIN_BLOCKS) mmv_q5_k(const void* w, const float* x, float* y, int rows, int cols, int numTokens,
                                    int accumulate) {
    mmv_quant<Q5_KPart>(w, x, y, rows, cols, numTokens, accumulate);
}

// Grid (ceil(rows / 64), ceil(numTokens / 64)), block 256, cols % 256 == 0.
extern "C" __global__ void __launch_bounds__(MM_THREADS, MM_MIN_BLOCKS) mm_q5_k(const void* w, const float* x, float* y, int rows, int cols, int numTokens,
                                   int accumulate) {
    __shared__ __align__(16) MmTile ws;
    __shared__ __align__(16) MmTile xs;
    mm_tiled<MmQuantLoader<Q5_KPart> >(w, x, y, rows, cols, numTokens, accumulate, ws, xs);
}
