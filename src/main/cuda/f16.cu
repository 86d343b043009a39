// F16 weights: rows of `cols` IEEE half values, 2 bytes each, no block structure. A row is
// read 8 values (16 bytes) at a time when rows are 16-byte aligned (cols % 8 == 0 and an aligned
// base), else value by value.
#include "common.cuh"
#include "matmul.cuh"

struct F16Convert {
    __device__ static float convert(unsigned short bits) { return f16_bits_to_float(bits); }
};
typedef Rows16<F16Convert> F16Rows;

// table: [vocab x cols] f16; tokens: [T]; out: [T x cols] float. Grid (T), any block width.
extern "C" __global__ void get_rows_f16(const void* table, const int* tokens, float* out, int cols) {
    const unsigned short* src =
        static_cast<const unsigned short*>(table) + static_cast<size_t>(tokens[blockIdx.x]) * cols;
    float* dst = out + static_cast<size_t>(blockIdx.x) * cols;
    for (int c = threadIdx.x; c < cols; c += blockDim.x) {
        dst[c] = f16_bits_to_float(__ldg(src + c));
    }
}

// Grid ceil(rows / 4), block 128, numTokens <= MMV_MAX_TOKENS.
extern "C" __global__ void __launch_bounds__(MMV_THREADS, MMV_MIN_BLOCKS) mmv_f16(const void* w, const float* x, float* y, int rows, int cols, int numTokens,
                                   int accumulate) {
    mmv_dense<F16Rows>(w, x, y, rows, cols, numTokens, accumulate);
}

// Grid (ceil(rows / 64), ceil(numTokens / 64)), block 256.
extern "C" __global__ void __launch_bounds__(MM_THREADS, MM_MIN_BLOCKS) mm_f16(const void* w, const float* x, float* y, int rows, int cols, int numTokens,
                                  int accumulate) {
    __shared__ __align__(16) MmTile ws;
    __shared__ __align__(16) MmTile xs;
    mm_tiled<F16Rows>(w, x, y, rows, cols, numTokens, accumulate, ws, xs);
}
