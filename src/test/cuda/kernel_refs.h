// Scalar references of the CUDA kernels of src/main/cuda, written from their definitions (ggml
// block layouts, the CPU path's formulas), in double wherever the kernel accumulates, so that a
// kernel is compared against the exact value rather than against another float summation order.
// Plain C++: nothing here depends on the emulator.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <vector>

namespace refs {

// ---- 16-bit float formats -------------------------------------------------------------------

// IEEE binary16 bits -> float, exactly (every half is a float).
inline float half_to_float(uint16_t h) {
    const uint32_t sign = static_cast<uint32_t>(h >> 15) & 1u;
    const int exp = (h >> 10) & 0x1f;
    const uint32_t mant = h & 0x3ffu;
    float v;
    if (exp == 0) {
        v = std::ldexp(static_cast<float>(mant), -24);  // subnormal (or zero)
    } else if (exp == 31) {
        v = mant ? std::numeric_limits<float>::quiet_NaN() : std::numeric_limits<float>::infinity();
    } else {
        v = std::ldexp(static_cast<float>(mant | 0x400u), exp - 25);
    }
    return sign ? -v : v;
}

// float -> IEEE binary16 bits, round to nearest, ties to even (what __float2half_rn does), from
// the definition: positive half bit patterns 0..0x7bff are ordered like their values, so find the
// two halves around |f| and keep the nearer one (the even pattern on a tie).
inline uint16_t float_to_half(float f) {
    const uint16_t sign = std::signbit(f) ? 0x8000u : 0u;
    if (std::isnan(f)) {
        return static_cast<uint16_t>(sign | 0x7e00u);
    }
    const double a = std::fabs(static_cast<double>(f));
    if (a >= 65520.0) {  // at or past the midpoint between 65504 (max half) and 2^16
        return static_cast<uint16_t>(sign | 0x7c00u);
    }
    uint16_t lo = 0;
    uint16_t hi = 0x7bff;
    while (lo < hi) {  // largest pattern whose value is <= a
        const uint16_t mid = static_cast<uint16_t>((lo + hi + 1) / 2);
        if (half_to_float(mid) <= a) {
            lo = mid;
        } else {
            hi = static_cast<uint16_t>(mid - 1);
        }
    }
    if (lo == 0x7bff) {
        return static_cast<uint16_t>(sign | lo);
    }
    const double below = a - half_to_float(lo);
    const double above = half_to_float(static_cast<uint16_t>(lo + 1)) - a;
    const uint16_t r = (below < above || (below == above && (lo & 1u) == 0)) ? lo : static_cast<uint16_t>(lo + 1);
    return static_cast<uint16_t>(sign | r);
}

inline float bf16_to_float(uint16_t b) {
    const uint32_t bits = static_cast<uint32_t>(b) << 16;
    float f;
    std::memcpy(&f, &bits, sizeof f);
    return f;
}

// ---- weight types (ggml) --------------------------------------------------------------------

enum class WType { F32, F16, BF16, Q8_0, Q4_0, Q2_K, Q3_K, Q4_K, Q5_K, Q6_K };

constexpr int QK = 32;               // values per quant block, Q8_0 and Q4_0
constexpr size_t Q8_0_BYTES = 34;    // { half d; int8 qs[32]; }
constexpr size_t Q4_0_BYTES = 18;    // { half d; uint8 qs[16]; }
constexpr int QK_K = 256;            // values per super-block, the K-quants
constexpr size_t Q2_K_BYTES = 84;    // { uint8 scales[16]; uint8 qs[64]; half d; half dmin; }
constexpr size_t Q3_K_BYTES = 110;   // { uint8 hmask[32]; uint8 qs[64]; uint8 scales[12]; half d; }
constexpr size_t Q4_K_BYTES = 144;   // { half d; half dmin; uint8 scales[12]; uint8 qs[128]; }
constexpr size_t Q5_K_BYTES = 176;   // { half d; half dmin; uint8 scales[12]; uint8 qh[32]; uint8 qs[128]; }
constexpr size_t Q6_K_BYTES = 210;   // { uint8 ql[128]; uint8 qh[64]; int8 scales[16]; half d; }

inline const char* type_name(WType t) {
    switch (t) {
        case WType::F32: return "f32";
        case WType::F16: return "f16";
        case WType::BF16: return "bf16";
        case WType::Q8_0: return "q8_0";
        case WType::Q4_0: return "q4_0";
        case WType::Q2_K: return "q2_k";
        case WType::Q3_K: return "q3_k";
        case WType::Q4_K: return "q4_k";
        case WType::Q5_K: return "q5_k";
        case WType::Q6_K: return "q6_k";
    }
    return "?";
}

inline bool is_kquant(WType t) {
    return t == WType::Q2_K || t == WType::Q3_K || t == WType::Q4_K || t == WType::Q5_K || t == WType::Q6_K;
}

inline bool is_quant(WType t) { return t == WType::Q8_0 || t == WType::Q4_0 || is_kquant(t); }

// Values per block (the granularity of a row's width).
inline int block_values(WType t) { return is_kquant(t) ? QK_K : is_quant(t) ? QK : 1; }

// Bytes per block of a quant type.
inline size_t block_bytes(WType t) {
    switch (t) {
        case WType::Q8_0: return Q8_0_BYTES;
        case WType::Q4_0: return Q4_0_BYTES;
        case WType::Q2_K: return Q2_K_BYTES;
        case WType::Q3_K: return Q3_K_BYTES;
        case WType::Q4_K: return Q4_K_BYTES;
        case WType::Q5_K: return Q5_K_BYTES;
        case WType::Q6_K: return Q6_K_BYTES;
        default: return 0;
    }
}

inline size_t row_bytes(WType t, int cols) {
    switch (t) {
        case WType::F32: return static_cast<size_t>(cols) * 4;
        case WType::F16:
        case WType::BF16: return static_cast<size_t>(cols) * 2;
        default: return static_cast<size_t>(cols / block_values(t)) * block_bytes(t);
    }
}

inline uint16_t read_u16(const uint8_t* p) { return static_cast<uint16_t>(p[0] | (p[1] << 8)); }

// Value c of a row in type t's layout (little-endian bytes), exactly.
inline float dequant(WType t, const uint8_t* row, int c) {
    switch (t) {
        case WType::F32: {
            float f;
            std::memcpy(&f, row + 4 * static_cast<size_t>(c), 4);
            return f;
        }
        case WType::F16: return half_to_float(read_u16(row + 2 * static_cast<size_t>(c)));
        case WType::BF16: return bf16_to_float(read_u16(row + 2 * static_cast<size_t>(c)));
        case WType::Q8_0: {
            const uint8_t* b = row + static_cast<size_t>(c / QK) * Q8_0_BYTES;
            const float d = half_to_float(read_u16(b));
            return d * static_cast<float>(static_cast<int8_t>(b[2 + c % QK]));
        }
        case WType::Q4_0: {
            const uint8_t* b = row + static_cast<size_t>(c / QK) * Q4_0_BYTES;
            const float d = half_to_float(read_u16(b));
            const int j = c % QK;
            const int q = j < QK / 2 ? (b[2 + j] & 0xf) : (b[2 + j - QK / 2] >> 4);
            return d * static_cast<float>(q - 8);
        }
        default: break;  // K-quants: dequant_row
    }
    return 0.0f;
}

// ---- K-quant super-blocks, as ggml-quants.c's dequantize_row_q*_K writes them ----------------
// Same loops, same float expressions; every product of a half scale and the small integers is
// exact in float, so a value is rounded at most once (the "- min" of Q2_K/Q4_K/Q5_K).

// ggml's get_scale_min_k4: 6-bit scale and min of sub-block j of Q4_K / Q5_K.
inline void scale_min_k4(int j, const uint8_t* q, uint8_t* d, uint8_t* m) {
    if (j < 4) {
        *d = q[j] & 63;
        *m = q[j + 4] & 63;
    } else {
        *d = static_cast<uint8_t>((q[j + 4] & 0xF) | ((q[j - 4] >> 6) << 4));
        *m = static_cast<uint8_t>((q[j + 4] >> 4) | ((q[j - 0] >> 6) << 4));
    }
}

inline void dequant_q2_k(const uint8_t* b, float* y) {
    const uint8_t* scales = b;
    const uint8_t* q = b + 16;
    const float d = half_to_float(read_u16(b + 80));
    const float min = half_to_float(read_u16(b + 82));
    int is = 0;
    for (int n = 0; n < QK_K; n += 128) {
        int shift = 0;
        for (int j = 0; j < 4; ++j) {
            uint8_t sc = scales[is++];
            float dl = d * (sc & 0xF), ml = min * (sc >> 4);
            for (int l = 0; l < 16; ++l) *y++ = dl * static_cast<int8_t>((q[l] >> shift) & 3) - ml;
            sc = scales[is++];
            dl = d * (sc & 0xF);
            ml = min * (sc >> 4);
            for (int l = 0; l < 16; ++l) *y++ = dl * static_cast<int8_t>((q[l + 16] >> shift) & 3) - ml;
            shift += 2;
        }
        q += 32;
    }
}

inline void dequant_q3_k(const uint8_t* b, float* y) {
    const uint8_t* hm = b;
    const uint8_t* q = b + 32;
    const uint8_t* packed = b + 96;
    const float d_all = half_to_float(read_u16(b + 108));
    // The 16 6-bit scales, unpacked as ggml does: low nibbles from bytes 0..7 (low, then high
    // nibbles), the top 2 bits from bytes 8..11, four 2-bit fields each, merged with 32-bit masks.
    const uint32_t kmask1 = 0x03030303u;
    const uint32_t kmask2 = 0x0f0f0f0fu;
    uint32_t aux[4];
    std::memcpy(aux, packed, 12);  // little-endian host, as the file's bytes are
    const uint32_t tmp = aux[2];
    aux[2] = ((aux[0] >> 4) & kmask2) | (((tmp >> 4) & kmask1) << 4);
    aux[3] = ((aux[1] >> 4) & kmask2) | (((tmp >> 6) & kmask1) << 4);
    aux[0] = (aux[0] & kmask2) | (((tmp >> 0) & kmask1) << 4);
    aux[1] = (aux[1] & kmask2) | (((tmp >> 2) & kmask1) << 4);
    int8_t scales[16];
    std::memcpy(scales, aux, 16);
    int is = 0;
    uint8_t m = 1;
    for (int n = 0; n < QK_K; n += 128) {
        int shift = 0;
        for (int j = 0; j < 4; ++j) {
            float dl = d_all * (scales[is++] - 32);
            for (int l = 0; l < 16; ++l) {
                *y++ = dl * (static_cast<int8_t>((q[l + 0] >> shift) & 3) - ((hm[l + 0] & m) ? 0 : 4));
            }
            dl = d_all * (scales[is++] - 32);
            for (int l = 0; l < 16; ++l) {
                *y++ = dl * (static_cast<int8_t>((q[l + 16] >> shift) & 3) - ((hm[l + 16] & m) ? 0 : 4));
            }
            shift += 2;
            m <<= 1;
        }
        q += 32;
    }
}

inline void dequant_q4_k(const uint8_t* b, float* y) {
    const float d = half_to_float(read_u16(b));
    const float min = half_to_float(read_u16(b + 2));
    const uint8_t* scales = b + 4;
    const uint8_t* q = b + 16;
    int is = 0;
    uint8_t sc, m;
    for (int j = 0; j < QK_K; j += 64) {
        scale_min_k4(is + 0, scales, &sc, &m);
        const float d1 = d * sc, m1 = min * m;
        scale_min_k4(is + 1, scales, &sc, &m);
        const float d2 = d * sc, m2 = min * m;
        for (int l = 0; l < 32; ++l) *y++ = d1 * (q[l] & 0xF) - m1;
        for (int l = 0; l < 32; ++l) *y++ = d2 * (q[l] >> 4) - m2;
        q += 32;
        is += 2;
    }
}

inline void dequant_q5_k(const uint8_t* b, float* y) {
    const float d = half_to_float(read_u16(b));
    const float min = half_to_float(read_u16(b + 2));
    const uint8_t* scales = b + 4;
    const uint8_t* qh = b + 16;
    const uint8_t* ql = b + 48;
    int is = 0;
    uint8_t sc, m;
    uint8_t u1 = 1, u2 = 2;
    for (int j = 0; j < QK_K; j += 64) {
        scale_min_k4(is + 0, scales, &sc, &m);
        const float d1 = d * sc, m1 = min * m;
        scale_min_k4(is + 1, scales, &sc, &m);
        const float d2 = d * sc, m2 = min * m;
        for (int l = 0; l < 32; ++l) *y++ = d1 * ((ql[l] & 0xF) + (qh[l] & u1 ? 16 : 0)) - m1;
        for (int l = 0; l < 32; ++l) *y++ = d2 * ((ql[l] >> 4) + (qh[l] & u2 ? 16 : 0)) - m2;
        ql += 32;
        is += 2;
        u1 <<= 2;
        u2 <<= 2;
    }
}

inline void dequant_q6_k(const uint8_t* b, float* y) {
    const uint8_t* ql = b;
    const uint8_t* qh = b + 128;
    const int8_t* sc = reinterpret_cast<const int8_t*>(b + 192);
    const float d = half_to_float(read_u16(b + 208));
    for (int n = 0; n < QK_K; n += 128) {
        for (int l = 0; l < 32; ++l) {
            const int is = l / 16;
            const int8_t q1 = static_cast<int8_t>((ql[l + 0] & 0xF) | (((qh[l] >> 0) & 3) << 4)) - 32;
            const int8_t q2 = static_cast<int8_t>((ql[l + 32] & 0xF) | (((qh[l] >> 2) & 3) << 4)) - 32;
            const int8_t q3 = static_cast<int8_t>((ql[l + 0] >> 4) | (((qh[l] >> 4) & 3) << 4)) - 32;
            const int8_t q4 = static_cast<int8_t>((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) - 32;
            y[l + 0] = d * sc[is + 0] * q1;
            y[l + 32] = d * sc[is + 2] * q2;
            y[l + 64] = d * sc[is + 4] * q3;
            y[l + 96] = d * sc[is + 6] * q4;
        }
        y += 128;
        ql += 64;
        qh += 32;
        sc += 8;
    }
}

// A whole row of type t, exactly.
inline void dequant_row(WType t, const uint8_t* row, int cols, float* out) {
    if (!is_kquant(t)) {
        for (int c = 0; c < cols; ++c) out[c] = dequant(t, row, c);
        return;
    }
    for (int b = 0; b < cols / QK_K; ++b) {
        const uint8_t* blk = row + static_cast<size_t>(b) * block_bytes(t);
        float* y = out + static_cast<size_t>(b) * QK_K;
        switch (t) {
            case WType::Q2_K: dequant_q2_k(blk, y); break;
            case WType::Q3_K: dequant_q3_k(blk, y); break;
            case WType::Q4_K: dequant_q4_k(blk, y); break;
            case WType::Q5_K: dequant_q5_k(blk, y); break;
            case WType::Q6_K: dequant_q6_k(blk, y); break;
            default: break;
        }
    }
}

// ---- kernels --------------------------------------------------------------------------------

// get_rows_<t>: out[i][c] = table[tokens[i]][c].
inline std::vector<float> get_rows(WType t, const uint8_t* table, const std::vector<int>& tokens, int cols) {
    std::vector<float> out(tokens.size() * static_cast<size_t>(cols));
    for (size_t i = 0; i < tokens.size(); ++i) {
        const uint8_t* row = table + static_cast<size_t>(tokens[i]) * row_bytes(t, cols);
        dequant_row(t, row, cols, &out[i * cols]);
    }
    return out;
}

// Matrix product y[tok*rows + r] = (accumulate ? y0 : 0) + sum_c W[r][c] * x[tok*cols + c], in
// double. `magnitude` receives |y0| + sum_c |W[r][c] * x[tok*cols + c]| per output: the scale of
// the rounding error a float summation (in any order) may make.
inline std::vector<double> matmul(WType t, const uint8_t* w, const float* x, const float* y0, int rows, int cols,
                                  int numTokens, bool accumulate, std::vector<double>* magnitude) {
    std::vector<double> y(static_cast<size_t>(rows) * numTokens);
    if (magnitude) magnitude->assign(y.size(), 0.0);
    std::vector<float> wr(cols);
    for (int r = 0; r < rows; ++r) {
        const uint8_t* row = w + static_cast<size_t>(r) * row_bytes(t, cols);
        dequant_row(t, row, cols, wr.data());
        for (int tok = 0; tok < numTokens; ++tok) {
            const size_t o = static_cast<size_t>(tok) * rows + r;
            double s = accumulate ? y0[o] : 0.0;
            double m = accumulate ? std::fabs(static_cast<double>(y0[o])) : 0.0;
            for (int c = 0; c < cols; ++c) {
                const double p = static_cast<double>(wr[c]) * x[static_cast<size_t>(tok) * cols + c];
                s += p;
                m += std::fabs(p);
            }
            y[o] = s;
            if (magnitude) (*magnitude)[o] = m;
        }
    }
    return y;
}

// rms_norm_f32: out = weight * (x * 1/sqrt(mean(x^2) + eps)), in double.
inline std::vector<double> rms_norm(const float* x, const float* weight, int rows, int cols, float eps) {
    std::vector<double> out(static_cast<size_t>(rows) * cols);
    for (int r = 0; r < rows; ++r) {
        double ss = 0;
        for (int i = 0; i < cols; ++i) ss += static_cast<double>(x[r * cols + i]) * x[r * cols + i];
        const double scale = 1.0 / std::sqrt(ss / cols + eps);
        for (int i = 0; i < cols; ++i) out[r * cols + i] = weight[i] * (x[r * cols + i] * scale);
    }
    return out;
}

// rope_f32, exactly as specified: float angle, cos/sin in double rounded to float, float rotation.
inline void rope(float* x, const std::vector<int>& positions, const float* invFreq, int numHeads, int headSize,
                 int ropeDim, bool neox, int rowStride) {
    const int half = ropeDim / 2;
    for (size_t t = 0; t < positions.size(); ++t) {
        for (int h = 0; h < numHeads; ++h) {
            float* head = x + t * rowStride + static_cast<size_t>(h) * headSize;
            for (int i = 0; i < half; ++i) {
                const float angle = static_cast<float>(positions[t]) * invFreq[i];
                const float c = static_cast<float>(std::cos(static_cast<double>(angle)));
                const float s = static_cast<float>(std::sin(static_cast<double>(angle)));
                const int first = neox ? i : 2 * i;
                const int second = neox ? i + half : 2 * i + 1;
                const float a = head[first];
                const float b = head[second];
                head[first] = a * c - b * s;
                head[second] = a * s + b * c;
            }
        }
    }
}

inline double swiglu(float g, float u) { return g / (1.0 + std::exp(-static_cast<double>(g))) * u; }

// argmax_f32: the CPU sampler's loop (best = 0, then every strictly larger value): the lowest
// index of the largest value, NaN never chosen unless at index 0.
inline int argmax(const float* row, int vocab) {
    int best = 0;
    for (int i = 1; i < vocab; ++i) {
        if (row[i] > row[best]) best = i;
    }
    return best;
}

// Paged attention of one (token, head): q . k over positions 0..pos, softmax(score * scale),
// weighted sum of v; K/V rows fetched through kRow(p) / vRow(p) (halves of that position's head).
template <class RowK, class RowV>
std::vector<double> attention(const float* q, int headSize, int pos, float scale, RowK kRow, RowV vRow) {
    std::vector<double> scores(static_cast<size_t>(pos) + 1);
    double mx = -std::numeric_limits<double>::infinity();
    for (int p = 0; p <= pos; ++p) {
        const uint16_t* k = kRow(p);
        double s = 0;
        for (int d = 0; d < headSize; ++d) s += static_cast<double>(q[d]) * half_to_float(k[d]);
        scores[p] = s * scale;
        mx = std::max(mx, scores[p]);
    }
    double sum = 0;
    for (auto& s : scores) {
        s = std::exp(s - mx);
        sum += s;
    }
    std::vector<double> out(headSize, 0.0);
    for (int p = 0; p <= pos; ++p) {
        const uint16_t* v = vRow(p);
        for (int d = 0; d < headSize; ++d) out[d] += scores[p] / sum * half_to_float(v[d]);
    }
    return out;
}

}  // namespace refs
