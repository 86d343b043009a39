package dev.morphserve.kernel;

import dev.morphserve.gguf.GgmlType;
import dev.morphserve.tensor.Tensor;
import dev.morphserve.tensor.TensorCodec;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Matmul throughput on the TinyLlama-1.1B shape (dim 2048, 22 layers, KV dim 256, FFN 5632,
 * vocab 32000), random weights. Every layer gets its own copy of the weights so that a decode pass
 * streams the whole model from memory as a real one does (one copy would sit in the L3 cache).
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -cp target/classes:target/test-classes \
 *      dev.morphserve.kernel.KernelBench [threads=2] [types=F16,Q8_0,Q4_0] [layers=22] [decode] [ggml]
 *      (any computable type, e.g. types=Q4_0,Q4_K,Q6_K; K-quants take a while to encode the random weights)
 * </pre>
 *
 * Weights go through {@link VectorKernels#prepare} as the engine's do, unless {@code ggml} is given.
 *
 * decode tok/s = 1 / (time of one pass of 22 x 7 matmuls + output at numTokens = 1);
 * pp128 tok/s = 128 / (time of the same pass at numTokens = 128).
 */
public final class KernelBench {
    private static final int DIM = 2048;
    private static final int KV = 256;
    private static final int FFN = 5632;
    private static final int VOCAB = 32000;
    // per layer: wq, wk, wv, wo, w1 (gate), w3 (up), w2 (down)
    private static final int[][] LAYER_SHAPES = {{DIM, DIM}, {KV, DIM}, {KV, DIM}, {DIM, DIM}, {FFN, DIM}, {FFN, DIM}, {DIM, FFN}};
    private static final String[] NAMES = {"wq 2048x2048", "wk 256x2048", "wv 256x2048", "wo 2048x2048",
        "w1 5632x2048", "w3 5632x2048", "w2 2048x5632", "out 32000x2048"};

    private static boolean decodeOnly;
    private static boolean ggml;

    public static void main(String[] args) {
        int threads = args.length > 0 ? Integer.parseInt(args[0]) : 2;
        String types = args.length > 1 ? args[1] : "F16,Q8_0,Q4_0";
        int layers = args.length > 2 ? Integer.parseInt(args[2]) : 22;
        for (int i = 3; i < args.length; i++) {
            decodeOnly |= args[i].equals("decode");
            ggml |= args[i].equals("ggml");
        }
        System.out.printf(Locale.ROOT, "threads=%d layers=%d float lanes=%d%n", threads, layers, VectorKernels.lanes());
        try (WorkerPool pool = new WorkerPool(threads)) {
            VectorKernels kernels = new VectorKernels(pool);
            for (String t : types.split(",")) {
                bench(GgmlType.valueOf(t), layers, kernels);
            }
        }
    }

    private static void bench(GgmlType type, int layers, VectorKernels kernels) {
        try (Arena arena = Arena.ofShared()) {
            List<Tensor> pass = new ArrayList<>(); // [layers * 7 + 1] in forward order
            List<Integer> kind = new ArrayList<>(); // index into NAMES per matmul
            Tensor[] proto = new Tensor[8];
            for (int s = 0; s < 7; s++) {
                proto[s] = random(type, LAYER_SHAPES[s][0], LAYER_SHAPES[s][1], arena, s);
            }
            proto[7] = random(type, VOCAB, DIM, arena, 7);
            for (int l = 0; l < layers; l++) {
                for (int s = 0; s < 7; s++) {
                    pass.add(l == 0 ? proto[s] : copy(proto[s], arena));
                    kind.add(s);
                }
            }
            pass.add(proto[7]);
            kind.add(7);
            if (!ggml) {
                long t0 = System.nanoTime();
                pass.replaceAll(kernels::prepare);
                System.out.printf(Locale.ROOT, "prepare: %.2f s%n", (System.nanoTime() - t0) * 1e-9);
            }
            long bytes = pass.stream().mapToLong(Tensor::byteSize).sum();
            double params = pass.stream().mapToDouble(t -> (double) t.rows() * t.cols()).sum();
            System.out.printf(Locale.ROOT, "%n== %s: %d matmuls, %.2f GB of weights%n", type, pass.size(), bytes / 1e9);

            double[] perKind = new double[8];
            double decodeS = run(kernels, pass, kind, 1, 15, 10, perKind);
            System.out.printf(Locale.ROOT, "decode (numTokens=1): %.1f ms/token  %.1f tok/s  %.1f GB/s%n",
                    decodeS * 1e3, 1 / decodeS, bytes / decodeS / 1e9);
            for (int k = 0; k < 8; k++) {
                double b = (k == 7 ? pass.getLast().byteSize() : pass.get(k).byteSize() * (double) layers);
                System.out.printf(Locale.ROOT, "  %-16s %8.1f us/matmul  %6.1f GB/s%n", NAMES[k],
                        perKind[k] * 1e6 / (k == 7 ? 1 : layers), b / perKind[k] / 1e9);
            }
            if (decodeOnly) {
                System.out.printf(Locale.ROOT, "RESULT %s decode_tok_s=%.1f decode_GB_s=%.1f%n", type, 1 / decodeS,
                        bytes / decodeS / 1e9);
                return;
            }
            double ppS = run(kernels, pass, kind, 128, 1, 2, perKind);
            System.out.printf(Locale.ROOT, "pp128 (numTokens=128): %.0f ms/pass  %.1f tok/s  %.1f GFLOP/s%n",
                    ppS * 1e3, 128 / ppS, 2 * params * 128 / ppS / 1e9);
            for (int k = 0; k < 8; k++) {
                double p = (double) (k == 7 ? proto[7].rows() : proto[k].rows()) * proto[k].cols() * (k == 7 ? 1 : layers);
                System.out.printf(Locale.ROOT, "  %-16s %8.2f ms/matmul  %6.1f GFLOP/s%n", NAMES[k],
                        perKind[k] * 1e3 / (k == 7 ? 1 : layers), 2 * p * 128 / perKind[k] / 1e9);
            }
            System.out.printf(Locale.ROOT, "RESULT %s decode_tok_s=%.1f decode_GB_s=%.1f pp128_tok_s=%.1f%n", type,
                    1 / decodeS, bytes / decodeS / 1e9, 128 / ppS);
        }
    }

    /** Seconds per pass (best of {@code reps}), and the per-kind seconds of that best pass. */
    private static double run(VectorKernels k, List<Tensor> pass, List<Integer> kind, int numTokens, int warmup, int reps,
            double[] perKind) {
        float[] x = new float[numTokens * FFN];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) Math.sin(i * 0.37);
        }
        float[] out = new float[numTokens * VOCAB];
        double best = Double.MAX_VALUE;
        double[] kinds = new double[8];
        for (int rep = 0; rep < warmup + reps; rep++) {
            java.util.Arrays.fill(kinds, 0);
            long start = System.nanoTime();
            for (int i = 0; i < pass.size(); i++) {
                long t0 = System.nanoTime();
                k.matmul(pass.get(i), x, numTokens, out);
                kinds[kind.get(i)] += (System.nanoTime() - t0) * 1e-9;
            }
            double s = (System.nanoTime() - start) * 1e-9;
            if (rep >= warmup && s < best) {
                best = s;
                System.arraycopy(kinds, 0, perKind, 0, 8);
            }
        }
        return best;
    }

    private static Tensor random(GgmlType type, int rows, int cols, Arena arena, long seed) {
        MemorySegment data = arena.allocate(rows * type.bytesFor(cols), 64);
        float[] row = new float[cols];
        long s = seed * 0x9E3779B97F4A7C15L + 1;
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                s ^= s << 13;
                s ^= s >>> 7;
                s ^= s << 17;
                row[c] = ((s >>> 40) / (float) (1 << 24) - 0.5f) * 0.1f;
            }
            TensorCodec.encode(type, row, 0, cols, data, r * type.bytesFor(cols));
        }
        return new Tensor("bench", type, rows, cols, data);
    }

    private static Tensor copy(Tensor t, Arena arena) {
        MemorySegment data = arena.allocate(t.byteSize(), 64);
        data.copyFrom(t.data());
        return new Tensor(t.name(), t.type(), t.rows(), t.cols(), data);
    }
}
