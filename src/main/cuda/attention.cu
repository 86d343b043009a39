// Causal attention of one query row per (token, head) over the paged F16 KV cache.
//
// KV block layout (see kv_store.cu): [numLayers][2: K then V][blockSize][kvDim] half, one block
// per blockSize positions of a sequence; logical block i of token t's sequence starts at byte
// address block_bases[table_start[t] + i].
//
// A block of 4 warps serves one (token, head). Warps take 32-key tiles round robin; in a tile each
// lane scores one key (its whole K row against q in shared memory), then the warp walks the tile's
// keys adding p * V, each lane owning 2-value slices of the head. The softmax is online (running
// max and sum per warp, rescaled when the max grows), so shared memory does not depend on the
// context length; the 4 warps' partial results are merged at the end.
#include "common.cuh"

constexpr int ATT_THREADS = 128;
constexpr int ATT_WARPS = ATT_THREADS / WARP_SIZE;
constexpr int ATT_MAX_HEAD = 256;
constexpr int ATT_TILE_KEYS = WARP_SIZE;                           // one key per lane
constexpr int ATT_PAIRS_PER_LANE = ATT_MAX_HEAD / 2 / WARP_SIZE;  // V slices of 2 values
constexpr int ATT_K_UNROLL = 4;                                    // K loads in flight per lane
constexpr int ATT_V_UNROLL = 4;                                    // V rows in flight per warp

// q . K row for one key. 16-byte loads when the row allows (headSize % 8 == 0, aligned block
// bases), else 16-bit loads; q is read from shared memory, the same address in every lane.
__device__ __forceinline__ float att_score(const float* qs, const unsigned short* k, int headSize) {
    float a = 0.0f;
    if (headSize % 8 == 0 && is_aligned16(k)) {
        const uint4* kv = reinterpret_cast<const uint4*>(k);
#pragma unroll ATT_K_UNROLL
        for (int c = 0; c < headSize / 8; ++c) {
            const uint4 raw = __ldg(kv + c);
            const uint32_t words[4] = {raw.x, raw.y, raw.z, raw.w};
            const float4 q0 = *reinterpret_cast<const float4*>(qs + 8 * c);
            const float4 q1 = *reinterpret_cast<const float4*>(qs + 8 * c + 4);
            const float qv[8] = {q0.x, q0.y, q0.z, q0.w, q1.x, q1.y, q1.z, q1.w};
#pragma unroll
            for (int i = 0; i < 4; ++i) {
                a = fmaf(qv[2 * i], f16_bits_to_float(static_cast<unsigned short>(words[i] & 0xffffu)), a);
                a = fmaf(qv[2 * i + 1], f16_bits_to_float(static_cast<unsigned short>(words[i] >> 16)), a);
            }
        }
    } else {
        for (int c = 0; c < headSize; ++c) {
            a = fmaf(qs[c], f16_bits_to_float(__ldg(k + c)), a);
        }
    }
    return a;
}

// q: [T x numHeads x headSize] float (rotated); out: [T x numHeads x headSize] float;
// positions: [T]; table_start: [T] index of the sequence's first block in block_bases.
// Grid (T, numHeads), block 128. Token t attends positions 0 .. positions[t] of its sequence.
// headSize: even, at most ATT_MAX_HEAD. numHeads a multiple of numKvHeads (grouped queries).
extern "C" __global__ void __launch_bounds__(ATT_THREADS, 4)
    paged_attention_f16(const float* q, float* out, const int* positions, const int* table_start,
                        const unsigned long long* block_bases, int numHeads, int numKvHeads, int headSize,
                        int blockSize, long long layerOffsetBytes, float scale) {
    __shared__ __align__(16) float qs[ATT_MAX_HEAD];
    __shared__ __align__(16) float partAcc[ATT_WARPS][ATT_MAX_HEAD];  // per warp, unnormalised
    __shared__ float partMax[ATT_WARPS];
    __shared__ float partSum[ATT_WARPS];

    const int t = blockIdx.x;
    const int h = blockIdx.y;
    const int lane = threadIdx.x % WARP_SIZE;
    const int warp = threadIdx.x / WARP_SIZE;
    const int npairs = headSize / 2;

    const float* qt = q + (static_cast<size_t>(t) * numHeads + h) * headSize;
    for (int d = threadIdx.x; d < headSize; d += blockDim.x) {
        qs[d] = qt[d];
    }
    __syncthreads();

    const int numKeys = positions[t] + 1;
    const int kvDim = numKvHeads * headSize;
    const int kvHead = h / (numHeads / numKvHeads);
    const unsigned long long* blocks = block_bases + table_start[t];
    const size_t vOffsetBytes = static_cast<size_t>(blockSize) * kvDim * sizeof(__half);

    float runMax = -INFINITY;
    float laneSum = 0.0f;  // this lane's share of the running sum, rescaled with it
    float2 acc[ATT_PAIRS_PER_LANE];
#pragma unroll
    for (int i = 0; i < ATT_PAIRS_PER_LANE; ++i) {
        acc[i] = make_float2(0.0f, 0.0f);
    }

    // Warps past ATT_WARPS (a wider launch than 128) only take part in the barriers.
    const int warpsUsed = min(static_cast<int>(blockDim.x / WARP_SIZE), ATT_WARPS);
    if (warp < warpsUsed) {
        for (int tile = warp; tile * ATT_TILE_KEYS < numKeys; tile += warpsUsed) {
            const int key = tile * ATT_TILE_KEYS + lane;
            const bool valid = key < numKeys;
            float s = -INFINITY;
            uintptr_t kAddr = 0;
            if (valid) {
                const int logical = key / blockSize;
                const int row = key - logical * blockSize;
                kAddr = static_cast<uintptr_t>(blocks[logical] + layerOffsetBytes) +
                        (static_cast<size_t>(row) * kvDim + static_cast<size_t>(kvHead) * headSize) * sizeof(__half);
                s = att_score(qs, reinterpret_cast<const unsigned short*>(kAddr), headSize) * scale;
            }
            // Every tile holds key tile*32 <= positions[t], so the new max is finite.
            const float newMax = fmaxf(runMax, warp_max(s));
            const float rescale = expf(runMax - newMax);  // 0 on the first tile
            const float p = valid ? expf(s - newMax) : 0.0f;
            laneSum = fmaf(laneSum, rescale, p);
#pragma unroll
            for (int i = 0; i < ATT_PAIRS_PER_LANE; ++i) {
                acc[i].x *= rescale;
                acc[i].y *= rescale;
            }
            runMax = newMax;

            const int count = min(ATT_TILE_KEYS, numKeys - tile * ATT_TILE_KEYS);  // same in every lane
            const uint32_t addrLo = static_cast<uint32_t>(kAddr);
            const uint32_t addrHi = static_cast<uint32_t>(static_cast<unsigned long long>(kAddr) >> 32);
#pragma unroll ATT_V_UNROLL
            for (int j = 0; j < count; ++j) {
                const float pj = __shfl_sync(FULL_MASK, p, j);
                const uint32_t lo = __shfl_sync(FULL_MASK, addrLo, j);
                const uint32_t hi = __shfl_sync(FULL_MASK, addrHi, j);
                const unsigned* v = reinterpret_cast<const unsigned*>(
                    static_cast<uintptr_t>((static_cast<unsigned long long>(hi) << 32) | lo) + vOffsetBytes);
#pragma unroll
                for (int i = 0; i < ATT_PAIRS_PER_LANE; ++i) {
                    const int pair = lane + WARP_SIZE * i;
                    if (pair < npairs) {
                        const unsigned bits = __ldg(v + pair);
                        acc[i].x = fmaf(pj, f16_bits_to_float(static_cast<unsigned short>(bits & 0xffffu)), acc[i].x);
                        acc[i].y = fmaf(pj, f16_bits_to_float(static_cast<unsigned short>(bits >> 16)), acc[i].y);
                    }
                }
            }
        }
        const float warpSum = warp_sum(laneSum);
        if (lane == 0) {
            partMax[warp] = runMax;
            partSum[warp] = warpSum;
        }
#pragma unroll
        for (int i = 0; i < ATT_PAIRS_PER_LANE; ++i) {
            const int pair = lane + WARP_SIZE * i;
            if (pair < npairs) {
                partAcc[warp][2 * pair] = acc[i].x;
                partAcc[warp][2 * pair + 1] = acc[i].y;
            }
        }
    }
    __syncthreads();

    float globalMax = -INFINITY;
    for (int w = 0; w < warpsUsed; ++w) {
        globalMax = fmaxf(globalMax, partMax[w]);
    }
    float weights[ATT_WARPS];
    float denom = 0.0f;
#pragma unroll
    for (int w = 0; w < ATT_WARPS; ++w) {
        // A warp without keys has max -inf and nothing accumulated: weight 0, not exp(NaN).
        weights[w] = w < warpsUsed && partMax[w] != -INFINITY ? expf(partMax[w] - globalMax) : 0.0f;
        denom = fmaf(partSum[w < warpsUsed ? w : 0], weights[w], denom);
    }
    const float inv = 1.0f / denom;
    float* ot = out + (static_cast<size_t>(t) * numHeads + h) * headSize;
    for (int d = threadIdx.x; d < headSize; d += blockDim.x) {
        float num = 0.0f;
#pragma unroll
        for (int w = 0; w < ATT_WARPS; ++w) {
            num = fmaf(partAcc[w < warpsUsed ? w : 0][d], weights[w], num);
        }
        ot[d] = num * inv;
    }
}
