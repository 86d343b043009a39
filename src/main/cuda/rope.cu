// Rotary position embedding over the first ropeDim elements of every head, in place.
#include "common.cuh"

// x: [T x rowStride] float, head h of token t at x + t*rowStride + h*headSize; positions: [T];
// inv_freq: [ropeDim / 2]. Grid (T, numHeads), block ropeDim / 2: thread i rotates pair i.
// NORMAL (neox == 0) pairs elements (2i, 2i+1), NEOX pairs (i, i + ropeDim/2).
// The angle is a float product, its cos/sin are taken in double and rounded to float: that is
// what the CPU path does, so both agree to the last bit on the rotation factors.
extern "C" __global__ void rope_f32(float* x, const int* positions, const float* inv_freq, int numHeads,
                                    int headSize, int ropeDim, int neox, int rowStride) {
    const int half = ropeDim / 2;
    const int i = threadIdx.x;
    if (i >= half || blockIdx.y >= static_cast<unsigned>(numHeads)) {
        return;  // no barrier or warp op here
    }
    const float angle = static_cast<float>(positions[blockIdx.x]) * inv_freq[i];
    const float c = static_cast<float>(cos(static_cast<double>(angle)));
    const float s = static_cast<float>(sin(static_cast<double>(angle)));
    float* head = x + static_cast<size_t>(blockIdx.x) * rowStride + static_cast<size_t>(blockIdx.y) * headSize;
    const int first = neox ? i : 2 * i;
    const int second = neox ? i + half : 2 * i + 1;
    const float a = head[first];
    const float b = head[second];
    head[first] = a * c - b * s;
    head[second] = a * s + b * c;
}
