package dev.morphserve.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.morphserve.gguf.GgmlType;
import dev.morphserve.tensor.Tensor;
import dev.morphserve.tensor.TensorCodec;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * VectorKernels against ScalarKernels.
 *
 * <p>Tolerances. F32/F16/BF16: both decode the same weight values, so only the accumulation differs
 * (float lanes vs double): |v - s| <= 1e-5 * sum|w*x| (about (cols/L) * 2^-24 relative to the sum of
 * magnitudes, with margin). Q8_0/Q4_0: the vector path also quantizes the activations to Q8_0 as
 * llama.cpp does; each activation then moves by at most d/2 + 127*|d - f16(d)| <= amax_block *
 * (1/254 + 1/2048), so |v - s| <= sum_c |w_c| * amax_block(c) * (1/254 + 1/2048) + 1e-5 * sum|w*x|.
 * That bound is strict but loose; on top, the RMS error over all outputs must stay within 3x of what
 * rounding noise predicts (each activation error uniform in +-d/2: sd = amax/(127*sqrt 12)), which
 * catches a misplaced nibble or scale that the per-element bound might let through. K-quants: both
 * multiply float activations by the same weights, so they get the float types' tolerance (the prepared
 * Q4_K kernels split d1*q - m1 as ggml's dot products do; measured worst: 2 % of the tolerance).
 */
class VectorKernelsTest {
    private static final GgmlType[] TYPES = {GgmlType.F32, GgmlType.F16, GgmlType.BF16, GgmlType.Q8_0, GgmlType.Q4_0,
        GgmlType.Q2_K, GgmlType.Q3_K, GgmlType.Q4_K, GgmlType.Q5_K, GgmlType.Q6_K, GgmlType.Q8_K};
    /** Tile edges of every batch kernel: 4 + 1 and 3 + 1 tokens, and Q4_0's slices (61 = 33 + 28). */
    private static final int[] TOKENS = {1, 2, 3, 4, 5, 8, 17, 61};

    private static WorkerPool pool1;
    private static WorkerPool pool3;
    private static Arena arena;

    @BeforeAll
    static void setUp() {
        pool1 = new WorkerPool(1);
        pool3 = new WorkerPool(3);
        arena = Arena.ofShared();
    }

    @AfterAll
    static void tearDown() {
        pool1.close();
        pool3.close();
        arena.close();
    }

    static Tensor randomTensor(GgmlType type, int rows, int cols, Random rnd) {
        MemorySegment data = arena.allocate(rows * type.bytesFor(cols), 64);
        float[] row = new float[cols];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                double g = rnd.nextGaussian();
                int kind = rnd.nextInt(50);
                // sprinkle zeros and tiny values: f16 subnormals and all-zero quant blocks must decode right
                row[c] = kind == 0 ? 0f : kind == 1 ? (float) (g * 1e-6) : (float) g;
            }
            if (r % 5 == 4 && cols >= 32) {
                java.util.Arrays.fill(row, 0, 32, 0f);
            }
            TensorCodec.encode(type, row, 0, cols, data, r * type.bytesFor(cols));
        }
        return new Tensor("w" + rows + "x" + cols, type, rows, cols, data);
    }

    static float[] randomX(int numTokens, int cols, Random rnd) {
        float[] x = new float[numTokens * cols];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) rnd.nextGaussian();
        }
        return x;
    }

    private static int[] colsFor(GgmlType type) {
        // float types: tails that are not whole vectors, and more than one KC chunk;
        // quantized: whole blocks, one of them past a KC chunk boundary (K-quants: super-blocks of 256)
        if (type.blockSize() == GgmlType.Q4_K.blockSize()) {
            return new int[] {256, 768, 2304};
        }
        return type.quantized() ? new int[] {32, 96, 1056, 2080} : new int[] {1, 17, 100, 1030, 2051};
    }

    @ParameterizedTest
    @EnumSource(names = {"F32", "F16", "BF16", "Q8_0", "Q4_0", "Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K", "Q8_K"})
    void matchesScalarReference(GgmlType type) {
        Random rnd = new Random(type.ordinal() * 31L + 7);
        ScalarKernels scalar = new ScalarKernels();
        VectorKernels v1 = new VectorKernels(pool1);
        VectorKernels v3 = new VectorKernels(pool3);
        int[] rowsChoices = {1, 3, 7, 13, 37, 70, 131};
        for (int cols : colsFor(type)) {
            for (int numTokens : TOKENS) {
                int rows = rowsChoices[rnd.nextInt(rowsChoices.length)];
                Tensor w = randomTensor(type, rows, cols, rnd);
                float[] x = randomX(numTokens, cols, rnd);
                float[] want = new float[numTokens * rows];
                float[] got1 = new float[numTokens * rows];
                float[] got3 = new float[numTokens * rows];
                scalar.matmul(w, x, numTokens, want);
                v1.matmul(w, x, numTokens, got1);
                v3.matmul(w, x, numTokens, got3);
                String what = type + " " + rows + "x" + cols + " tokens=" + numTokens;
                assertThat(got3).as("threads do not change results: " + what).containsExactly(got1);
                checkClose(w, x, numTokens, want, got1, what);
                checkBatchInvariance(v3, w, x, numTokens, got3, what);

                // the same on the kernel's own layout
                Tensor wp = v3.prepare(w);
                assertThat(v1.prepare(w).data().mismatch(wp.data())).as("prepare is deterministic").isEqualTo(-1L);
                float[] gotP1 = new float[numTokens * rows];
                float[] gotP3 = new float[numTokens * rows];
                v1.matmul(wp, x, numTokens, gotP1);
                v3.matmul(wp, x, numTokens, gotP3);
                String whatP = what + " prepared(" + wp.layout() + ")";
                assertThat(gotP3).as("threads do not change results: " + whatP).containsExactly(gotP1);
                checkClose(w, x, numTokens, want, gotP1, whatP);
                checkBatchInvariance(v3, wp, x, numTokens, gotP3, whatP);
            }
        }
    }

    /**
     * The F16 decode step multiplies by activations scaled by 2^112 ({@link F16Kernels}): activations
     * just under 2^16, subnormal ones, and ones past 2^16 (where it must fall back to the scratch
     * path) all give the batch's bits.
     */
    @Test
    void f16DecodeStep_staysBitIdenticalToTheBatchAtTheEdgesOfItsScaledRange() {
        Random rnd = new Random(16);
        VectorKernels k = new VectorKernels(pool3);
        int rows = 70;
        int cols = 100;
        Tensor wp = k.prepare(randomTensor(GgmlType.F16, rows, cols, rnd));
        float[][] edges = {{65_535.99f, -65_535.99f, 1e-40f, -3e-39f}, {65_536f, 1e5f}, {Float.NaN}};
        for (float[] edge : edges) {
            float[] x = randomX(4, cols, rnd);
            for (int i = 0; i < edge.length; i++) {
                x[7 * i + 3] = edge[i];
                x[cols + 11 * i] = edge[i];
            }
            float[] batched = new float[4 * rows];
            k.matmul(wp, x, 4, batched);
            checkBatchInvariance(k, wp, x, 4, batched, "F16 edge activations " + java.util.Arrays.toString(edge));
        }
    }

    private static void checkClose(Tensor w, float[] x, int numTokens, float[] want, float[] got, String what) {
        int rows = w.rows();
        int cols = w.cols();
        float[] wr = new float[cols];
        double errSq = 0;
        double expectedSq = 0;
        for (int r = 0; r < rows; r++) {
            TensorCodec.decodeRow(w, r, wr, 0);
            for (int t = 0; t < numTokens; t++) {
                double absSum = 0;
                double quantBound = 0;
                double noiseSq = 0;
                for (int b = 0; b < cols; b += w.type().blockSize() > 1 ? 32 : cols) {
                    int end = w.type().quantized() ? b + 32 : cols;
                    double amax = 0;
                    for (int c = b; c < end; c++) {
                        amax = Math.max(amax, Math.abs(x[t * cols + c]));
                    }
                    for (int c = b; c < end; c++) {
                        absSum += Math.abs((double) wr[c] * x[t * cols + c]);
                        quantBound += Math.abs(wr[c]) * amax * (1.0 / 254 + 1.0 / 2048);
                        double sd = wr[c] * amax / (127 * Math.sqrt(12));
                        noiseSq += sd * sd;
                    }
                }
                // Q8_0: the ggml layout quantizes activations, the reference does not; Q4_0: both do
                boolean actQuant = w.type() == GgmlType.Q8_0;
                double tol = 1e-5 * absSum + 1e-30 + (actQuant ? quantBound : 0);
                int i = t * rows + r;
                double err = Math.abs((double) got[i] - want[i]);
                if (!(err <= tol)) {
                    throw new AssertionError(what + ": out[t=" + t + "][r=" + r + "] = " + got[i] + ", reference "
                            + want[i] + ", |err| " + err + " > tol " + tol);
                }
                errSq += err * err;
                expectedSq += noiseSq + (1e-6 * absSum) * (1e-6 * absSum);
            }
        }
        if (w.type() == GgmlType.Q8_0) {
            assertThat(Math.sqrt(errSq)).as("RMS error " + what).isLessThanOrEqualTo(3 * Math.sqrt(expectedSq));
        }
    }

    /** Each token's result must be bit-identical to computing that token alone. */
    private static void checkBatchInvariance(VectorKernels k, Tensor w, float[] x, int numTokens, float[] batched, String what) {
        int rows = w.rows();
        int cols = w.cols();
        float[] one = new float[rows];
        float[] xt = new float[cols];
        for (int t = 0; t < numTokens; t++) {
            System.arraycopy(x, t * cols, xt, 0, cols);
            k.matmul(w, xt, 1, one);
            for (int r = 0; r < rows; r++) {
                if (Float.floatToRawIntBits(one[r]) != Float.floatToRawIntBits(batched[t * rows + r])) {
                    throw new AssertionError(what + ": token " + t + " row " + r + " alone " + one[r] + " vs batched "
                            + batched[t * rows + r]);
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(names = {"F16", "Q8_0", "Q4_0", "Q4_K", "Q6_K"})
    void prepare_repacksOffHeap_andOnlyTheVectorKernelsReadIt(GgmlType type) {
        int cols = type.blockSize() == GgmlType.Q4_K.blockSize() ? type.blockSize() : 64;
        Tensor w = randomTensor(type, 5, cols, new Random(3));
        VectorKernels k = new VectorKernels(pool1);
        Tensor p = k.prepare(w);
        assertThat(p.layout()).isEqualTo(dev.morphserve.tensor.TensorLayout.KERNEL_PANELS);
        assertThat(p.data().isNative()).isTrue();
        assertThat(k.prepare(p)).isSameAs(p);
        assertThat(new ScalarKernels().prepare(w)).isSameAs(w);
        assertThatThrownBy(() -> new ScalarKernels().matmul(p, new float[cols], 1, new float[5]))
                .hasMessageContaining("KERNEL_PANELS");
        assertThatThrownBy(() -> TensorCodec.decodeRow(p, 0, new float[cols], 0)).hasMessageContaining("KERNEL_PANELS");
    }

    @ParameterizedTest
    @EnumSource(names = {"F32", "Q2_K", "Q3_K", "Q5_K", "Q8_K"})
    void prepare_leavesOtherTypesAlone(GgmlType type) {
        Tensor w = randomTensor(type, 5, 256, new Random(3));
        assertThat(new VectorKernels(pool1).prepare(w)).isSameAs(w);
    }

    @Test
    void unsupportedType_failsNamingIt() {
        MemorySegment data = arena.allocate(GgmlType.Q4_1.bytesFor(64));
        Tensor w = new Tensor("blk.3.attn_q.weight", GgmlType.Q4_1, 2, 32, data);
        VectorKernels k = new VectorKernels(pool1);
        assertThatThrownBy(() -> k.matmul(w, new float[32], 1, new float[2]))
                .isInstanceOf(UnsupportedOperationException.class)
                .hasMessageContaining("Q4_1")
                .hasMessageContaining("blk.3.attn_q.weight");
    }

    @Test
    void allTypesListedAreTested() {
        for (GgmlType t : TYPES) {
            assertThat(t.computable()).isTrue();
        }
    }

    @Test
    void workerPool_runsEveryChunkOnce_andPropagatesFailures() {
        int[] hits = new int[1000];
        pool3.run(1000, (chunk, worker) -> {
            synchronized (hits) {
                hits[chunk]++;
            }
        });
        assertThat(hits).containsOnly(1);
        assertThatThrownBy(() -> pool3.run(10, (chunk, worker) -> {
                    if (chunk == 7) {
                        throw new IllegalStateException("boom 7");
                    }
                }))
                .hasMessageContaining("boom 7");
        pool3.run(4, (chunk, worker) -> {}); // still usable afterwards
    }
}
