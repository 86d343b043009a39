package dev.morphserve.gguf;

/**
 * Tensor element types as ggml numbers them (ggml.h {@code enum ggml_type}). Every id that can
 * appear in a GGUF file is listed so that the reader can name an unsupported type instead of
 * failing on an unknown number; {@link #computable()} says whether our kernels run it.
 *
 * <pre>
 * block layout (bytes)        elements per block
 * F32   [f32]                      1
 * F16   [f16]                      1
 * BF16  [bf16]                     1
 * Q8_0  [f16 d][i8 q x32]          32   (34 bytes)
 * Q4_0  [f16 d][u8 nibbles x16]    32   (18 bytes; low nibbles = elements 0..15, high = 16..31)
 * K-quants: super-blocks of 256 in sub-blocks of 16 or 32 with quantized sub-block scales
 * Q2_K  [scales u8 x16][qs 2-bit x256][f16 d][f16 dmin]            256  (84 bytes;  (d*s)*q - dmin*m)
 * Q3_K  [hmask x32][qs 2-bit x256][scales 6-bit x16][f16 d]        256  (110 bytes; (d*(s-32))*(q-4))
 * Q4_K  [f16 d][f16 dmin][scales+mins 6-bit x8][qs 4-bit x256]     256  (144 bytes; (d*s)*q - dmin*m)
 * Q5_K  [f16 d][f16 dmin][scales+mins 6-bit x8][qh x32][qs x128]   256  (176 bytes; as Q4_K, q 5-bit)
 * Q6_K  [ql 4-bit x256][qh 2-bit x256][scales i8 x16][f16 d]       256  (210 bytes; (d*s)*(q-32))
 * Q8_K  [f32 d][qs i8 x256][bsums i16 x16]                         256  (292 bytes; d*q, activations)
 * (exact bit placement: the codecs in {@code dev.morphserve.tensor}, e.g. {@code Q4_KCodec})
 * </pre>
 */
public enum GgmlType {
    F32(0, 1, 4, true),
    F16(1, 1, 2, true),
    Q4_0(2, 32, 18, true),
    Q4_1(3, 32, 20, false),
    Q5_0(6, 32, 22, false),
    Q5_1(7, 32, 24, false),
    Q8_0(8, 32, 34, true),
    Q8_1(9, 32, 36, false),
    Q2_K(10, 256, 84, true),
    Q3_K(11, 256, 110, true),
    Q4_K(12, 256, 144, true),
    Q5_K(13, 256, 176, true),
    Q6_K(14, 256, 210, true),
    Q8_K(15, 256, 292, true),
    IQ2_XXS(16, 256, 66, false),
    IQ2_XS(17, 256, 74, false),
    IQ3_XXS(18, 256, 98, false),
    IQ1_S(19, 256, 50, false),
    IQ4_NL(20, 32, 18, false),
    IQ3_S(21, 256, 110, false),
    IQ2_S(22, 256, 82, false),
    IQ4_XS(23, 256, 136, false),
    I8(24, 1, 1, false),
    I16(25, 1, 2, false),
    I32(26, 1, 4, false),
    I64(27, 1, 8, false),
    F64(28, 1, 8, false),
    IQ1_M(29, 256, 56, false),
    BF16(30, 1, 2, true);

    private final int id;
    private final int blockSize;
    private final int typeSize;
    private final boolean computable;

    GgmlType(int id, int blockSize, int typeSize, boolean computable) {
        this.id = id;
        this.blockSize = blockSize;
        this.typeSize = typeSize;
        this.computable = computable;
    }

    /** ggml's numeric id as stored in GGUF tensor infos. */
    public int id() {
        return id;
    }

    /** Elements per block (1 for plain float types). */
    public int blockSize() {
        return blockSize;
    }

    /** Bytes per block. */
    public int typeSize() {
        return typeSize;
    }

    /** Whether our kernels can run matrix products on this type. */
    public boolean computable() {
        return computable;
    }

    /** The computable types' names, for messages: "F32, F16, ...". */
    public static String computableNames() {
        return String.join(", ", java.util.Arrays.stream(values()).filter(GgmlType::computable).map(Enum::name).toList());
    }

    public boolean quantized() {
        return blockSize > 1;
    }

    /** Bytes taken by {@code numElements} elements; the count must be a whole number of blocks. */
    public long bytesFor(long numElements) {
        if (numElements % blockSize != 0) {
            throw new IllegalArgumentException(
                    name() + " needs a multiple of " + blockSize + " elements, got " + numElements);
        }
        return numElements / blockSize * typeSize;
    }

    /** Looks up a type by ggml id; {@code null} when the id is unknown. */
    public static GgmlType byId(int id) {
        for (GgmlType t : values()) {
            if (t.id == id) {
                return t;
            }
        }
        return null;
    }
}
