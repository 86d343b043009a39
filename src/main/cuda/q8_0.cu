// Q8_0 weights (ggml): each row is cols / QK8_0 contiguous blocks of
//   { half d; int8 qs[32]; }  (34 bytes), value j = d * qs[j].
// A block is only 2-byte aligned (34-byte stride), so quant words are read as pairs of 16-bit loads
// (load_u32_align2); a lane's 8 quants cost four such loads plus one for the scale.
#include "common.cuh"
#include "matmul.cuh"

constexpr int QK8_0 = 32;
constexpr int Q8_0_BLOCK_BYTES = 34;

struct block_q8_0 {
    unsigned short d;    // IEEE half bits of the block scale
    signed char qs[QK8_0];
};
static_assert(sizeof(block_q8_0) == Q8_0_BLOCK_BYTES, "ggml Q8_0 block layout");

__device__ __forceinline__ float q8_0_byte(uint32_t word, int j) {
    // Sign-extends byte j of the word without an implementation-defined narrowing.
    return static_cast<float>(static_cast<int>(((word >> (8 * j)) & 0xffu) ^ 0x80u) - 0x80);
}

// One part = 8 consecutive quants qs[8p .. 8p+7]: runs at 8p and 8p + 4.
struct Q8_0Part {
    typedef block_q8_0 BLOCK;
    static constexpr int QK = QK8_0;
    static constexpr bool AFFINE = false;  // value = d * q
    struct Raw {
        unsigned short d;
        uint32_t q0, q1;
    };
    __device__ static Raw fetch(const block_q8_0* b, int part) {
        Raw r;
        r.d = __ldg(&b->d);
        r.q0 = load_u32_align2(b->qs + MM_PART_VALUES * part);
        r.q1 = load_u32_align2(b->qs + MM_PART_VALUES * part + 4);
        return r;
    }
    __device__ static float scale(const Raw& r) { return f16_bits_to_float(r.d); }
    __device__ static void decode(const Raw& r, float (&v)[MM_PART_VALUES]) {
#pragma unroll
        for (int j = 0; j < 4; ++j) {
            v[j] = q8_0_byte(r.q0, j);
            v[4 + j] = q8_0_byte(r.q1, j);
        }
    }
    __device__ static int run0(int part) { return MM_PART_VALUES * part; }
    __device__ static int run1(int part) { return MM_PART_VALUES * part + 4; }
};

// table: [vocab x cols/32] blocks; tokens: [T]; out: [T x cols] float. Grid (T), any block width.
extern "C" __global__ void get_rows_q8_0(const void* table, const int* tokens, float* out, int cols) {
    const int nb = cols / QK8_0;
    const block_q8_0* src = static_cast<const block_q8_0*>(table) + static_cast<size_t>(tokens[blockIdx.x]) * nb;
    float* dst = out + static_cast<size_t>(blockIdx.x) * cols;
    for (int c = threadIdx.x; c < cols; c += blockDim.x) {
        const block_q8_0* b = src + c / QK8_0;
        dst[c] = f16_bits_to_float(__ldg(&b->d)) * static_cast<float>(__ldg(b->qs + c % QK8_0));
    }
}

// Grid ceil(rows / 4), block 128, numTokens <= MMV_MAX_TOKENS, cols % 32 == 0.
extern "C" __global__ void __launch_bounds__(MMV_THREADS, MMV_MIN_BLOCKS) mmv_q8_0(const void* w, const float* x, float* y, int rows, int cols, int numTokens,
                                    int accumulate) {
    mmv_quant<Q8_0Part>(w, x, y, rows, cols, numTokens, accumulate);
}

// Grid (ceil(rows / 64), ceil(numTokens / 64)), block 256, cols % 32 == 0.
extern "C" __global__ void __launch_bounds__(MM_THREADS, MM_MIN_BLOCKS) mm_q8_0(const void* w, const float* x, float* y, int rows, int cols, int numTokens,
                                   int accumulate) {
    __shared__ __align__(16) MmTile ws;
    __shared__ __align__(16) MmTile xs;
    mm_tiled<MmQuantLoader<Q8_0Part> >(w, x, y, rows, cols, numTokens, accumulate, ws, xs);
}
