// F32 weights: rows of `cols` floats, no block structure. The row layout and both product
// shapes are the float rows of matmul.cuh (F32Rows), shared with the activation side.
#include "common.cuh"
#include "matmul.cuh"

// table: [vocab x cols] float; tokens: [T]; out: [T x cols]. Grid (T), any block width.
extern "C" __global__ void get_rows_f32(const void* table, const int* tokens, float* out, int cols) {
    const float* src = static_cast<const float*>(table) + static_cast<size_t>(tokens[blockIdx.x]) * cols;
    float* dst = out + static_cast<size_t>(blockIdx.x) * cols;
    for (int c = threadIdx.x; c < cols; c += blockDim.x) {
        dst[c] = __ldg(src + c);
    }
}

// Grid ceil(rows / 4), block 128, numTokens <= MMV_MAX_TOKENS.
extern "C" __global__ void __launch_bounds__(MMV_THREADS, MMV_MIN_BLOCKS) mmv_f32(const void* w, const float* x, float* y, int rows, int cols, int numTokens,
                                   int accumulate) {
    mmv_dense<F32Rows>(w, x, y, rows, cols, numTokens, accumulate);
}

// Grid (ceil(rows / 64), ceil(numTokens / 64)), block 256.
extern "C" __global__ void __launch_bounds__(MM_THREADS, MM_MIN_BLOCKS) mm_f32(const void* w, const float* x, float* y, int rows, int cols, int numTokens,
                                  int accumulate) {
    __shared__ __align__(16) MmTile ws;
    __shared__ __align__(16) MmTile xs;
    mm_tiled<F32Rows>(w, x, y, rows, cols, numTokens, accumulate, ws, xs);
}
