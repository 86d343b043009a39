// Greedy sampling: the index of the largest logit of each row, the lowest index on ties.
#include "common.cuh"

constexpr int ARGMAX_MAX_WARPS = 32;  // any block width up to 1024

// (value, index) order: the larger value wins, then the lower index. Threads start from
// (-inf, vocab), which every real element beats (-inf elements through their lower index), so
// a row of -inf answers 0; NaN never wins a comparison and is skipped. This is the CPU sampler's
// answer (best = 0, then every strictly larger value) except for a NaN at index 0, which the
// sampler never leaves: that case is answered 0 at the end, as there.
__device__ __forceinline__ bool argmax_better(float v, int i, float bestV, int bestI) {
    return v > bestV || (v == bestV && i < bestI);
}

// logits: [rows x vocab]; out: [rows]. Grid (rows), block 256 (a multiple of 32).
extern "C" __global__ void argmax_f32(const float* logits, int vocab, int* out) {
    __shared__ float warpV[ARGMAX_MAX_WARPS];
    __shared__ int warpI[ARGMAX_MAX_WARPS];
    const float* row = logits + static_cast<size_t>(blockIdx.x) * vocab;
    const int lane = threadIdx.x % WARP_SIZE;
    const int warp = threadIdx.x / WARP_SIZE;

    float bestV = -INFINITY;
    int bestI = vocab;
    for (int i = threadIdx.x; i < vocab; i += blockDim.x) {
        const float v = row[i];
        if (argmax_better(v, i, bestV, bestI)) {
            bestV = v;
            bestI = i;
        }
    }
#pragma unroll
    for (int offset = WARP_SIZE / 2; offset > 0; offset >>= 1) {
        const float v = __shfl_xor_sync(FULL_MASK, bestV, offset);
        const int i = __shfl_xor_sync(FULL_MASK, bestI, offset);
        if (argmax_better(v, i, bestV, bestI)) {
            bestV = v;
            bestI = i;
        }
    }
    if (lane == 0) {
        warpV[warp] = bestV;
        warpI[warp] = bestI;
    }
    __syncthreads();
    if (threadIdx.x == 0) {
        const int warps = (blockDim.x + WARP_SIZE - 1) / WARP_SIZE;
        for (int w = 0; w < warps; ++w) {
            if (argmax_better(warpV[w], warpI[w], bestV, bestI)) {
                bestV = warpV[w];
                bestI = warpI[w];
            }
        }
        out[blockIdx.x] = bestI < vocab && !isnan(row[0]) ? bestI : 0;
    }
}
