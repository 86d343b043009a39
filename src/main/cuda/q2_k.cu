// Q2_K weights (ggml): each row is cols / QK_K super-blocks of
//   { uint8 scales[16]; uint8 qs[64]; half d; half dmin; }  (84 bytes).
// Value v (0..255) belongs to 16-value sub-block v / 16, whose byte sc = scales[v / 16] holds a
// 4-bit scale (low nibble) and a 4-bit min (high nibble):
//   value = d * (sc & 0xF) * q - dmin * (sc >> 4),
// q = bits 2k..2k+1 of qs[32 * (v / 128) + v % 32] with k = (v / 32) % 4: each qs byte holds one
// value of each of four consecutive 32-value slices.
#include "kquants.cuh"

constexpr int Q2_K_BLOCK_BYTES = 84;
constexpr int Q2_K_SUB = 16;          // values per scale byte
constexpr int Q2_K_CHUNK_BYTES = 32;  // qs bytes per 128 values (4 slices)

struct block_q2_K {
    unsigned char scales[QK_K / Q2_K_SUB];
    unsigned char qs[QK_K / 4];
    unsigned short d;     // IEEE half bits: super-block scale of the scales
    unsigned short dmin;  // IEEE half bits: super-block scale of the mins
};
static_assert(sizeof(block_q2_K) == Q2_K_BLOCK_BYTES, "ggml Q2_K block layout");

struct Q2_KPart : KQuantRuns {
    typedef block_q2_K BLOCK;
    static constexpr int QK = QK_K;
    static constexpr bool AFFINE = true;
    struct Raw {
        float a, b;  // d * scale, dmin * min of the part's sub-block
        uint32_t q0, q1;
    };
    __device__ static Raw fetch(const block_q2_K* blk, int part) {
        const int s = kq_slice(part);
        const int i = kq_index(part);
        const uint32_t dm = load_u32_align2(&blk->d);  // d | dmin << 16
        const int sc = __ldg(blk->scales + (s * QUANT_SLICE + i * MM_PART_VALUES) / Q2_K_SUB);
        Raw r;
        r.a = f16_bits_to_float(static_cast<unsigned short>(dm & 0xffffu)) * static_cast<float>(sc & 0xf);
        r.b = f16_bits_to_float(static_cast<unsigned short>(dm >> 16)) * static_cast<float>(sc >> 4);
        kq_load8(blk->qs + (s / 4) * Q2_K_CHUNK_BYTES + i * MM_PART_VALUES, 2 * (s % 4), 0x03030303u, r.q0, r.q1);
        return r;
    }
    __device__ static void decode(const Raw& r, float (&v)[MM_PART_VALUES]) { kq_decode(r.q0, r.q1, 0, v); }
    __device__ static float scale(const Raw& r) { return r.a; }
    __device__ static float min(const Raw& r) { return r.b; }
};

// table: [vocab x cols/256] super-blocks; tokens: [T]; out: [T x cols] float. Grid (T), any block width.
extern "C" __global__ void get_rows_q2_k(const void* table, const int* tokens, float* out, int cols) {
    get_rows_quant<Q2_KPart>(table, tokens, out, cols);
}

// Grid ceil(rows / 4), block 128, numTokens <= MMV_MAX_TOKENS, cols % 256 == 0.
extern "C" __global__ void __launch_bounds__(MMV_THREADS, MMV_MIN_BLOCKS) mmv_q2_k(const void* w, const float* x, float* y, int rows, int cols, int numTokens,
                                    int accumulate) {
    mmv_quant<Q2_KPart>(w, x, y, rows, cols, numTokens, accumulate);
}

// Grid (ceil(rows / 64), ceil(numTokens / 64)), block 256, cols % 256 == 0.
extern "C" __global__ void __launch_bounds__(MM_THREADS, MM_MIN_BLOCKS) mm_q2_k(const void* w, const float* x, float* y, int rows, int cols, int numTokens,
                                   int accumulate) {
    __shared__ __align__(16) MmTile ws;
    __shared__ __align__(16) MmTile xs;
    mm_tiled<MmQuantLoader<Q2_KPart> >(w, x, y, rows, cols, numTokens, accumulate, ws, xs);
}
