// Writes the step's keys and values into the paged F16 KV cache.
//
// A KV block (one per blockSize positions of a sequence, all layers together):
//   [numLayers][2: K then V][blockSize][kvDim] half
// Token t's block starts at byte address slot_block[t]; layerOffsetBytes selects the layer's
// K rows, its V rows follow blockSize * kvDim halves later; slot_row[t] is the row in the block.
#include "common.cuh"

// k, v: [T x kvDim] float; slot_block: [T] byte addresses; slot_row: [T]. Grid (T), block 256.
// A zero slot_block entry (a padding token with no slot) writes nothing.
extern "C" __global__ void kv_store_f16(const float* k, const float* v, const unsigned long long* slot_block,
                                        const int* slot_row, int kvDim, int blockSize, long long layerOffsetBytes) {
    const unsigned long long base = slot_block[blockIdx.x];
    if (base == 0) {
        return;  // no barrier or warp op in this kernel
    }
    const size_t rowOffset = static_cast<size_t>(slot_row[blockIdx.x]) * kvDim;
    __half* kRows = reinterpret_cast<__half*>(static_cast<uintptr_t>(base + layerOffsetBytes));
    __half* vRows = kRows + static_cast<size_t>(blockSize) * kvDim;
    const float* kt = k + static_cast<size_t>(blockIdx.x) * kvDim;
    const float* vt = v + static_cast<size_t>(blockIdx.x) * kvDim;
    for (int d = threadIdx.x; d < kvDim; d += blockDim.x) {
        kRows[rowOffset + d] = __float2half_rn(kt[d]);
        vRows[rowOffset + d] = __float2half_rn(vt[d]);
    }
}
