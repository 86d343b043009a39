// Q4_0 weights (ggml): each row is cols / QK4_0 contiguous blocks of
//   { half d; uint8 qs[16]; }  (18 bytes), value j = d * ((qs[j] & 0xF) - 8) and
//   value j + 16 = d * ((qs[j] >> 4) - 8) for j < 16.
// A block is only 2-byte aligned (18-byte stride), so quant words are read as pairs of 16-bit loads
// (load_u32_align2); a lane's 8 values cost two such loads plus one for the scale.
#include "common.cuh"
#include "matmul.cuh"

constexpr int QK4_0 = 32;
constexpr int Q4_0_BLOCK_BYTES = 18;
constexpr int Q4_0_ZERO = 8;  // nibbles are stored with this offset

struct block_q4_0 {
    unsigned short d;    // IEEE half bits of the block scale
    unsigned char qs[QK4_0 / 2];
};
static_assert(sizeof(block_q4_0) == Q4_0_BLOCK_BYTES, "ggml Q4_0 block layout");

// One part = qs bytes 4p .. 4p+3: their low nibbles are values 4p .. 4p+3, their high nibbles
// values 16 + 4p .. 16 + 4p + 3, so the runs start at 4p and QK4_0/2 + 4p.
struct Q4_0Part {
    typedef block_q4_0 BLOCK;
    static constexpr int QK = QK4_0;
    static constexpr bool AFFINE = false;  // value = d * q
    struct Raw {
        unsigned short d;
        uint32_t q;
    };
    __device__ static Raw fetch(const block_q4_0* b, int part) {
        Raw r;
        r.d = __ldg(&b->d);
        r.q = load_u32_align2(b->qs + 4 * part);
        return r;
    }
    __device__ static float scale(const Raw& r) { return f16_bits_to_float(r.d); }
    __device__ static void decode(const Raw& r, float (&v)[MM_PART_VALUES]) {
#pragma unroll
        for (int j = 0; j < 4; ++j) {
            v[j] = static_cast<float>(static_cast<int>((r.q >> (8 * j)) & 0xfu) - Q4_0_ZERO);
            v[4 + j] = static_cast<float>(static_cast<int>((r.q >> (8 * j + 4)) & 0xfu) - Q4_0_ZERO);
        }
    }
    __device__ static int run0(int part) { return 4 * part; }
    __device__ static int run1(int part) { return QK4_0 / 2 + 4 * part; }
};

// table: [vocab x cols/32] blocks; tokens: [T]; out: [T x cols] float. Grid (T), any block width.
extern "C" __global__ void get_rows_q4_0(const void* table, const int* tokens, float* out, int cols) {
    const int nb = cols / QK4_0;
    const block_q4_0* src = static_cast<const block_q4_0*>(table) + static_cast<size_t>(tokens[blockIdx.x]) * nb;
    float* dst = out + static_cast<size_t>(blockIdx.x) * cols;
    for (int c = threadIdx.x; c < cols; c += blockDim.x) {
        const block_q4_0* b = src + c / QK4_0;
        const int j = c % QK4_0;
        const unsigned byte = __ldg(b->qs + j % (QK4_0 / 2));
        const int nibble = static_cast<int>(j < QK4_0 / 2 ? byte & 0xfu : byte >> 4);
        dst[c] = f16_bits_to_float(__ldg(&b->d)) * static_cast<float>(nibble - Q4_0_ZERO);
    }
}

// Grid ceil(rows / 4), block 128, numTokens <= MMV_MAX_TOKENS, cols % 32 == 0.
extern "C" __global__ void __launch_bounds__(MMV_THREADS, MMV_MIN_BLOCKS) mmv_q4_0(const void* w, const float* x, float* y, int rows, int cols, int numTokens,
                                    int accumulate) {
    mmv_quant<Q4_0Part>(w, x, y, rows, cols, numTokens, accumulate);
}

// Grid (ceil(rows / 64), ceil(numTokens / 64)), block 256, cols % 32 == 0.
extern "C" __global__ void __launch_bounds__(MM_THREADS, MM_MIN_BLOCKS) mm_q4_0(const void* w, const float* x, float* y, int rows, int cols, int numTokens,
                                   int accumulate) {
    __shared__ __align__(16) MmTile ws;
    __shared__ __align__(16) MmTile xs;
    mm_tiled<MmQuantLoader<Q4_0Part> >(w, x, y, rows, cols, numTokens, accumulate, ws, xs);
}
