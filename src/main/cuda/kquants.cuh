// What the K-quant files (q2_k.cu .. q6_k.cu) share: ggml's super-block of QK_K values, read in
// the parts matmul.cuh's quant bodies expect (see "Quantized rows" there).
//
// Every K-quant part is 8 consecutive values: part p covers values 32 * (p / 4) + 8 * (p % 4) ..
// + 7 of its super-block, so it lies in one 16- or 32-value sub-block (one scale, one min). In
// every K-quant layout the byte that holds value v's low bits also holds values of other 32-value
// slices, so a part reads 8 consecutive bytes and keeps one bit field of each: two 32-bit words,
// shifted and masked so that byte j of the pair is the field of value j (kq_load8). High bits kept
// elsewhere (Q3_K, Q5_K, Q6_K) are merged in the same way, so Raw carries the part's quants as 8
// unsigned bytes plus its scale (and min) as floats.
#pragma once
#include "common.cuh"
#include "matmul.cuh"

constexpr int QK_K = 256;         // values per super-block
constexpr int K_SCALE_SIZE = 12;  // bytes of packed 6-bit scales (Q3_K) or scales and mins (Q4_K, Q5_K)

// run0 / run1 of every K-quant traits struct: 8 consecutive values inside the 32-column slice.
struct KQuantRuns {
    __device__ static int run0(int i) { return MM_PART_VALUES * i; }
    __device__ static int run1(int i) { return MM_PART_VALUES * i + 4; }
};

// The 32-column slice of a part (0 .. QK_K / 32 - 1) and the part's index inside it (0..3).
__device__ __forceinline__ int kq_slice(int part) { return part / QUANT_PARTS_PER_SLICE; }
__device__ __forceinline__ int kq_index(int part) { return part % QUANT_PARTS_PER_SLICE; }

// Bytes p[0..7] (2-byte aligned, as every field offset of the K-quant blocks is) as two words,
// each byte shifted right by `shift` and masked with `mask` (a per-byte mask of at most 8 - shift
// low bits, so no bit of a neighbouring byte survives).
__device__ __forceinline__ void kq_load8(const unsigned char* p, int shift, uint32_t mask, uint32_t& lo,
                                         uint32_t& hi) {
    lo = (load_u32_align2(p) >> shift) & mask;
    hi = (load_u32_align2(p + 4) >> shift) & mask;
}

// The 8 quants of a part as numbers: byte j of (q0, q1) minus the type's zero point.
__device__ __forceinline__ void kq_decode(uint32_t q0, uint32_t q1, int zero, float (&v)[MM_PART_VALUES]) {
#pragma unroll
    for (int j = 0; j < 4; ++j) {
        v[j] = static_cast<float>(static_cast<int>((q0 >> (8 * j)) & 0xffu) - zero);
        v[4 + j] = static_cast<float>(static_cast<int>((q1 >> (8 * j)) & 0xffu) - zero);
    }
}

// ggml's get_scale_min_k4 (Q4_K, Q5_K): the 6-bit scale and min of 32-value sub-block s (0..7)
// from the 12 packed bytes. Sub-blocks 0..3 keep them in the low 6 bits of bytes s and s + 4;
// sub-blocks 4..7 keep their low 4 bits in byte s + 4 (scale low nibble, min high nibble) and
// their top 2 bits in the top bits of bytes s - 4 (scale) and s (min).
__device__ __forceinline__ void kq_scale_min_k4(const unsigned char* scales, int s, int& sc, int& m) {
    const int j = s % 4;
    const int b0 = __ldg(scales + j);
    const int b1 = __ldg(scales + j + 4);
    const int b2 = __ldg(scales + j + 8);
    if (s < 4) {
        sc = b0 & 63;
        m = b1 & 63;
    } else {
        sc = (b2 & 0xf) | ((b0 >> 6) << 4);
        m = (b2 >> 4) | ((b1 >> 6) << 4);
    }
}

// a = d * sc, b = dmin * m of sub-block s, for the layouts that open with
// { half d; half dmin; uint8 scales[K_SCALE_SIZE]; } (Q4_K, Q5_K): both products are exact in float.
__device__ __forceinline__ void kq_affine_k4(const unsigned short* d, const unsigned char* scales, int s, float& a,
                                             float& b) {
    const uint32_t dm = load_u32_align2(d);  // d | dmin << 16
    int sc, m;
    kq_scale_min_k4(scales, s, sc, m);
    a = f16_bits_to_float(static_cast<unsigned short>(dm & 0xffffu)) * static_cast<float>(sc);
    b = f16_bits_to_float(static_cast<unsigned short>(dm >> 16)) * static_cast<float>(m);
}
