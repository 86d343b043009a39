// Row selection out of a batch: the host asks for the logits of only some tokens (the last one
// of each sequence in a prefill step), so their hidden rows are gathered before the classifier.
#include "common.cuh"

// x: [* x cols]; rows: [numRows]; out: [numRows x cols]. Grid (numRows), any block width.
extern "C" __global__ void gather_rows_f32(const float* x, const int* rows, float* out, int cols) {
    const float* src = x + static_cast<size_t>(rows[blockIdx.x]) * cols;
    float* dst = out + static_cast<size_t>(blockIdx.x) * cols;
    for (int c = threadIdx.x; c < cols; c += blockDim.x) {
        dst[c] = src[c];
    }
}
