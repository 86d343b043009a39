// Kernels of the stand-in library's own test (standin_test.cpp): compiled to PTX by nvcc and,
// like src/main/cuda/*.cu, as C++ against the emulator into the library's kernel registry.
// Their names start with standin_ so that they never clash with the project's kernels.
#if !defined(__CUDACC__)
#include <cuda_emu.h>
#endif
#include <stdint.h>

// c[i] = a[i] + b[i] * scale
extern "C" __global__ void standin_axpy_f32(const float* a, const float* b, float* c, int n, float scale) {
    const int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) c[i] = a[i] + b[i] * scale;
}

struct StandinPair {
    double first;
    int second;
};

// A parameter passed by value as a byte array (.param .align 8 .b8 p[16]).
extern "C" __global__ void standin_pair(StandinPair p, double* out) {
    if (threadIdx.x == 0 && blockIdx.x == 0) out[0] = p.first * p.second;
}

// Block sums through static shared memory and barriers; launch with 256 threads per block.
extern "C" __global__ void __launch_bounds__(256) standin_block_sum(const float* in, float* out) {
    __shared__ float partial[256];
    const unsigned t = threadIdx.x;
    partial[t] = in[blockIdx.x * 256 + t];
    __syncthreads();
    for (unsigned stride = 128; stride > 0; stride >>= 1) {
        if (t < stride) partial[t] += partial[t + stride];
        __syncthreads();
    }
    if (t == 0) out[blockIdx.x] = partial[0];
}

// Writes v at p[index] from one thread: with an index past the end of p's allocation, a fault.
extern "C" __global__ void standin_store(float* p, long long index, float v) {
    if (threadIdx.x == 0 && blockIdx.x == 0) p[index] = v;
}

// Only thread 0 reaches the barrier: the emulator reports a divergent barrier (KernelError).
extern "C" __global__ void standin_divergent_barrier(int* p) {
    if (threadIdx.x == 0) {
        __syncthreads();
        p[0] = 1;
    }
}

// Keeps a thread busy for `iters` steps (for event timing); writes the result so that it is kept.
extern "C" __global__ void standin_busy(unsigned* out, int iters) {
    unsigned x = threadIdx.x + 1;
    for (int i = 0; i < iters; ++i) x = x * 1664525u + 1013904223u;
    if (threadIdx.x == 0) out[0] = x;
}
