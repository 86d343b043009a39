// RMSNorm, as the CPU path computes it: float sum of squares, eps inside the root.
#include "common.cuh"

constexpr int NORM_MAX_WARPS = 32;  // any block width up to 1024

// Sum over the block; every thread gets the result. Every thread must call it (two barriers).
__device__ __forceinline__ float norm_block_sum(float v, float* partials) {
    const int lane = threadIdx.x % WARP_SIZE;
    const int warp = threadIdx.x / WARP_SIZE;
    const int warps = (blockDim.x + WARP_SIZE - 1) / WARP_SIZE;
    v = warp_sum(v);
    if (lane == 0) {
        partials[warp] = v;
    }
    __syncthreads();
    float total = 0.0f;
    for (int w = 0; w < warps; ++w) {  // same order in every thread: one identical result
        total += partials[w];
    }
    __syncthreads();  // partials may be reused by the caller
    return total;
}

// x, out: [rows x cols]; weight: [cols]. Grid (rows), block 256 (a multiple of 32).
// out[r][i] = weight[i] * (x[r][i] * (1 / sqrt(mean(x[r]^2) + eps))).
extern "C" __global__ void rms_norm_f32(const float* x, const float* weight, float* out, int cols, float eps) {
    __shared__ float partials[NORM_MAX_WARPS];
    const float* xr = x + static_cast<size_t>(blockIdx.x) * cols;
    float* outr = out + static_cast<size_t>(blockIdx.x) * cols;
    float ss = 0.0f;
    for (int i = threadIdx.x; i < cols; i += blockDim.x) {
        const float v = xr[i];
        ss = fmaf(v, v, ss);
    }
    ss = norm_block_sum(ss, partials);
    // The CPU reference rounds the mean to float, then takes the root in double.
    const float meanPlusEps = ss / static_cast<float>(cols) + eps;
    const float scale = static_cast<float>(1.0 / sqrt(static_cast<double>(meanPlusEps)));
    for (int i = threadIdx.x; i < cols; i += blockDim.x) {
        outr[i] = weight[i] * (xr[i] * scale);
    }
}
