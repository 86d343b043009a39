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

enum class WType { F32, F16, BF16, Q8_0, Q4_0 };

constexpr int QK = 32;               // values per quant block, both quant types
constexpr size_t Q8_0_BYTES = 34;    // { half d; int8 qs[32]; }
constexpr size_t Q4_0_BYTES = 18;    // { half d; uint8 qs[16]; }

inline const char* type_name(WType t) {
    switch (t) {
        case WType::F32: return "f32";
        case WType::F16: return "f16";
        case WType::BF16: return "bf16";
        case WType::Q8_0: return "q8_0";
        case WType::Q4_0: return "q4_0";
    }
    return "?";
}

inline bool is_quant(WType t) { return t == WType::Q8_0 || t == WType::Q4_0; }

inline size_t row_bytes(WType t, int cols) {
    switch (t) {
        case WType::F32: return static_cast<size_t>(cols) * 4;
        case WType::F16:
        case WType::BF16: return static_cast<size_t>(cols) * 2;
        case WType::Q8_0: return static_cast<size_t>(cols / QK) * Q8_0_BYTES;
        case WType::Q4_0: return static_cast<size_t>(cols / QK) * Q4_0_BYTES;
    }
    return 0;
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
    }
    return 0.0f;
}

// ---- kernels --------------------------------------------------------------------------------

// get_rows_<t>: out[i][c] = table[tokens[i]][c].
inline std::vector<float> get_rows(WType t, const uint8_t* table, const std::vector<int>& tokens, int cols) {
    std::vector<float> out(tokens.size() * static_cast<size_t>(cols));
    for (size_t i = 0; i < tokens.size(); ++i) {
        const uint8_t* row = table + static_cast<size_t>(tokens[i]) * row_bytes(t, cols);
        for (int c = 0; c < cols; ++c) {
            out[i * cols + c] = dequant(t, row, c);
        }
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
        for (int c = 0; c < cols; ++c) wr[c] = dequant(t, row, c);
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
