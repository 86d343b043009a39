// Element-wise float kernels: grid ceil(n / 256), block 256, one element per thread.
#include "common.cuh"

// gate, up: [n]. gate[i] = silu(gate[i]) * up[i], silu(g) = g / (1 + exp(-g)).
extern "C" __global__ void swiglu_f32(float* gate, const float* up, int n) {
    const size_t i = static_cast<size_t>(blockIdx.x) * blockDim.x + threadIdx.x;
    if (i < static_cast<size_t>(n)) {
        const float g = gate[i];
        gate[i] = g / (1.0f + expf(-g)) * up[i];
    }
}

// x, y: [n]. The residual add: x[i] += y[i].
extern "C" __global__ void add_f32(float* x, const float* y, int n) {
    const size_t i = static_cast<size_t>(blockIdx.x) * blockDim.x + threadIdx.x;
    if (i < static_cast<size_t>(n)) {
        x[i] += y[i];
    }
}

// x: [rows x cols], bias: [cols]. x[r][c] += bias[c] (qwen2's Q/K/V biases). Grid rows, block 256,
// threads stride over the row.
extern "C" __global__ void add_bias_f32(float* x, const float* bias, int cols) {
    float* row = x + static_cast<size_t>(blockIdx.x) * cols;
    for (int c = threadIdx.x; c < cols; c += blockDim.x) {
        row[c] += bias[c];
    }
}
