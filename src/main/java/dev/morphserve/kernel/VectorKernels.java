package dev.morphserve.kernel;

import static dev.morphserve.kernel.Lanes.F;
import static dev.morphserve.kernel.Lanes.L;
import static dev.morphserve.kernel.Panels.GROUP_ROWS;

import dev.morphserve.gguf.GgmlType;
import dev.morphserve.tensor.Tensor;
import dev.morphserve.tensor.TensorLayout;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;

/**
 * The fast matmul: weights are decoded a panel of 4 rows x {@value #KC} (or {@value #KC_BATCH}) columns at a time into an
 * L1-resident scratch, and that panel is multiplied with every token before the next one is decoded,
 * so each weight byte is read from memory and decoded once per call whatever numTokens is.
 *
 * <pre>
 *   rows ─► panels of 4 rows, claimed in chunks by the pool's threads
 *   per panel, per k-chunk of KC columns:
 *      decode 4 x KC weights ──► scratch.w [4][KC]
 *      tokens in groups of 4 ──► DotTiles.tile4x4, leftovers ──► tile4x1
 *   per panel: lane sums ──► out[t][r]
 * </pre>
 *
 * For Q8_0 / Q4_0 the activations are quantized to Q8_0 once per call, as llama.cpp does; for Q2_K .. Q6_K
 * to Q8_K (Q4_K multiplies the codes in integer lanes, the others decode to floats and multiply the rounded
 * activations as floats). Q8_K weights take float activations.
 * Not thread-safe for concurrent calls (one engine thread owns it); the pool does the parallelism.
 */
public final class VectorKernels implements Kernels, AutoCloseable {
    /**
     * Columns decoded per panel step. Decode: 4 rows x 2048 floats = 32 KiB of scratch, inside a 48 KiB
     * L1 (2048 beat 512 and 1024 there). Batches: 1024, so that 128 tokens x 1024 columns of
     * activations (512 KiB) stay in L2 (72 vs 67 tok/s at pp128). Results do not depend on it:
     * the lane accumulators carry over exactly from one chunk to the next.
     */
    static final int KC = 2048;

    static final int KC_BATCH = 1024;

    static {
        // a k-chunk must hold whole blocks of every type, K-quants' 256 included
        assert KC % GgmlType.Q4_K.blockSize() == 0 && KC_BATCH % GgmlType.Q4_K.blockSize() == 0;
    }

    private final WorkerPool pool;
    private final boolean ownsPool;
    private final Scratch[] scratch; // [parallelism]
    private float[] xp = new float[0]; // [numTokens][colsPad] prepared activations
    private float[] xs = new float[0]; // [colsPad] F16 decode step: activations * 2^112

    /** Per-thread buffers, grown on demand and reused across calls. */
    private static final class Scratch {
        final float[] w = new float[4 * KC]; // [4][KC] decoded weight panel
        final short[] halves = new short[KC]; // [KC] raw f16 of one row chunk
        final byte[] codes = new byte[32]; // [32] one Q8_0 activation block
        float[] acc = new float[0]; // [numTokens][4][L] lane accumulators of one panel
        final PanelKernels.Scratch panels = new PanelKernels.Scratch();
        final Q4Tiles.Scratch q4 = new Q4Tiles.Scratch();
        final KPanelKernels.Scratch kq = new KPanelKernels.Scratch();

        float[] acc(int n) {
            if (acc.length < n) {
                acc = new float[n];
            }
            return acc;
        }
    }

    public VectorKernels(WorkerPool pool) {
        this(pool, false);
    }

    /** With a pool of its own, one thread per available processor; {@link #close()} stops it. */
    public VectorKernels() {
        this(new WorkerPool(), true);
    }

    private VectorKernels(WorkerPool pool, boolean ownsPool) {
        this.pool = pool;
        this.ownsPool = ownsPool;
        this.scratch = new Scratch[pool.parallelism()];
        this.q4x = new Q4Activations();
        for (int i = 0; i < scratch.length; i++) {
            scratch[i] = new Scratch();
        }
    }

    /** Float lanes per vector on this machine (8 or 16). */
    public static int lanes() {
        return L;
    }

    /**
     * F16, Q8_0 and Q4_0 matrices are repacked into {@link Panels}, Q4_K and Q6_K into {@link KPanels}
     * (off-heap, freed with the returned tensor); other types and already prepared tensors come back as
     * they are.
     */
    @Override
    public Tensor prepare(Tensor w) {
        return repack(w, pool, null);
    }

    /**
     * Repacks on the calling thread, never on the worker pool: morphing reloads layers on a
     * background thread while the engine thread keeps the pool busy with matmuls, and the pool
     * runs one job at a time.
     */
    @Override
    public Tensor prepare(Tensor w, java.lang.foreign.Arena arena) {
        return repack(w, null, arena);
    }

    private static Tensor repack(Tensor w, WorkerPool pool, java.lang.foreign.Arena arena) {
        if (w.layout() != TensorLayout.GGML) {
            return w;
        }
        if (KPanels.supports(w.type())) {
            return KPanels.repack(w, pool, arena);
        }
        return Panels.supports(w.type()) ? Panels.repack(w, pool, arena) : w;
    }

    @Override
    public void matmul(Tensor w, float[] x, int numTokens, float[] out) {
        checkShapes(w, x, numTokens, out);
        if (w.layout() == TensorLayout.KERNEL_PANELS) {
            matmulPanels(w, x, numTokens, out);
            return;
        }
        GgmlType type = w.type();
        if (!WeightDequant.decodes(type)) {
            throw new UnsupportedOperationException("VectorKernels.matmul: unsupported weight type " + type
                    + " for tensor " + w.name() + " (supported: " + GgmlType.computableNames() + ")");
        }
        int cols = w.cols();
        int colsPad = (cols + L - 1) / L * L;
        if (xp.length < numTokens * colsPad) {
            xp = new float[numTokens * colsPad];
        }
        float[] xpad = xp;
        boolean quantize = type == GgmlType.Q8_0 || type == GgmlType.Q4_0;
        boolean q8k = Q4Activations.takesQ8_K(type); // cols a multiple of 256: colsPad == cols
        pool.run(numTokens, (t, worker) -> {
            if (q8k) {
                Q4Activations.roundedQ8_K(x, t, cols, xpad);
            } else if (quantize) {
                Activations.quantizeQ8_0(x, t, cols, xpad, colsPad, scratch[worker].codes);
            } else {
                Activations.copyPadded(x, t, cols, xpad, colsPad);
            }
        });
        int panels = (w.rows() + 3) / 4;
        int panelsPerChunk = Math.max(1, Math.min(16, panels / (8 * pool.parallelism())));
        int chunks = (panels + panelsPerChunk - 1) / panelsPerChunk;
        pool.run(chunks, (chunk, worker) -> {
            int end = Math.min(panels, (chunk + 1) * panelsPerChunk);
            for (int p = chunk * panelsPerChunk; p < end; p++) {
                panel(w, 4 * p, xpad, numTokens, colsPad, out, scratch[worker]);
            }
        });
    }

    private final Q4Activations q4x; // Q4_0 activations of the current call

    /**
     * Prepared weights: Q4_0 through {@link Q4Kernels} (decode steps) and {@link Q4Tiles} (batches) with
     * 8-bit activations (as llama.cpp), F16 and Q8_0 through {@link PanelKernels} with float activations.
     */
    private void matmulPanels(Tensor w, float[] x, int numTokens, float[] out) {
        GgmlType type = w.type();
        if (KPanels.supports(type)) {
            matmulKPanels(w, x, numTokens, out);
            return;
        }
        if (!Panels.supports(type)) {
            throw new UnsupportedOperationException("VectorKernels.matmul: no panel kernel for " + type + " (" + w.name() + ")");
        }
        int cols = w.cols();
        int blocks = Panels.blocks(cols);
        MemorySegment data = w.data();
        int rows = w.rows();
        if (type == GgmlType.Q4_0) {
            q4x.prepare(x, numTokens, cols, pool);
            if (numTokens == 1) {
                pool.run((Panels.groups(rows) + 1) / 2, (pair, worker) ->
                        Q4Kernels.groupPair(data, rows, blocks, pair, q4x, out, scratch[worker].panels.one,
                                scratch[worker].panels.sums));
            } else {
                pool.run(Panels.groups(rows), (g, worker) -> Q4Tiles.group(data, rows, blocks, g, q4x, numTokens, out,
                        scratch[worker].q4));
            }
            return;
        }
        int colsPad = 32 * blocks;
        if (xp.length < numTokens * colsPad) {
            xp = new float[numTokens * colsPad];
        }
        float[] xpad = xp;
        for (int t = 0; t < numTokens; t++) {
            Activations.copyPadded(x, t, cols, xpad, colsPad);
        }
        if (numTokens == 1 && type == GgmlType.F16) {
            if (xs.length < colsPad) {
                xs = new float[colsPad];
            }
            float[] scaled = xs;
            if (F16Kernels.scale(xpad, colsPad, scaled)) {
                pool.run(Panels.groups(rows), (g, worker) ->
                        F16Kernels.group(data, rows, blocks, g, scaled, out, scratch[worker].panels.one));
                return;
            }
        }
        pool.run(Panels.groups(rows), (g, worker) ->
                PanelKernels.group(type, data, rows, blocks, g, xpad, numTokens, out, scratch[worker].panels));
    }

    /**
     * Q4_K {@link KPanels}: activations rounded to Q8_K (as llama.cpp's vec_dot_q4_K_q8_K), the Q4_0 integer
     * kernels on the main region plus {@link Q4_KKernels#offsets}; Q6_K: the Q8_K-rounded activations as
     * floats through {@link KPanelKernels}.
     */
    private void matmulKPanels(Tensor w, float[] x, int numTokens, float[] out) {
        int cols = w.cols();
        int rows = w.rows();
        MemorySegment data = w.data();
        if (w.type() == GgmlType.Q4_K) {
            int blocks = cols / 32;
            q4x.prepare(x, numTokens, cols, pool, true);
            if (numTokens == 1) {
                int groups = Panels.groups(rows);
                pool.run((groups + 1) / 2, (pair, worker) -> {
                    Scratch s = scratch[worker];
                    Q4Kernels.groupPair(data, rows, blocks, pair, q4x, out, s.panels.one, s.panels.sums);
                    Q4_KKernels.offsets(data, rows, cols, 2 * pair, q4x, 1, out, s.kq.part, s.kq.oacc(GROUP_ROWS));
                    if (2 * pair + 1 < groups) {
                        Q4_KKernels.offsets(data, rows, cols, 2 * pair + 1, q4x, 1, out, s.kq.part, s.kq.oacc(GROUP_ROWS));
                    }
                });
            } else {
                pool.run(Panels.groups(rows), (g, worker) -> {
                    Q4Tiles.group(data, rows, blocks, g, q4x, numTokens, out, scratch[worker].q4);
                    KPanelKernels.Scratch ks = scratch[worker].kq;
                    Q4_KKernels.offsets(data, rows, cols, g, q4x, numTokens, out, ks.part, ks.oacc(numTokens * GROUP_ROWS));
                });
            }
            return;
        }
        if (xp.length < numTokens * cols) {
            xp = new float[numTokens * cols];
        }
        float[] xq = xp;
        pool.run(numTokens, (t, worker) -> Q4Activations.roundedQ8_K(x, t, cols, xq));
        pool.run(Panels.groups(rows), (g, worker) -> KPanelKernels.group(w.type(), data, rows, cols, g, xq,
                numTokens, out, scratch[worker].panels, scratch[worker].kq));
    }

    private static void panel(Tensor w, int r0, float[] xp, int numTokens, int colsPad, float[] out, Scratch s) {
        int rows = w.rows();
        int cols = w.cols();
        int rowsHere = Math.min(4, rows - r0);
        float[] acc = s.acc(numTokens * 4 * L);
        Arrays.fill(acc, 0, numTokens * 4 * L, 0f);
        float[] pw = s.w;
        GgmlType type = w.type();
        if (numTokens == 1 && rowsHere == 4 && type == GgmlType.Q8_0) {
            // decode step: fuse decoding into the dot product (same values, same fma order)
            DecodeTiles.q8_0x4(w.data(), r0 * w.rowBytes(), w.rowBytes(), cols / 32, xp, 0, acc);
            reduce(acc, 1, rows, r0, rowsHere, out);
            return;
        }
        int kc = numTokens >= 4 ? KC_BATCH : KC;
        for (int k0 = 0; k0 < cols; k0 += kc) {
            int n = Math.min(kc, cols - k0);
            int nPad = (n + L - 1) / L * L;
            for (int r = 0; r < 4; r++) {
                if (r < rowsHere) {
                    WeightDequant.row(w, r0 + r, k0, n, pw, r * KC, s.halves);
                    Arrays.fill(pw, r * KC + n, r * KC + nPad, 0f);
                } else {
                    Arrays.fill(pw, r * KC, r * KC + nPad, 0f);
                }
            }
            int t = 0;
            for (; t + 4 <= numTokens; t += 4) {
                int x0 = t * colsPad + k0;
                DotTiles.tile4x4(pw, KC, nPad, xp, x0, x0 + colsPad, x0 + 2 * colsPad, x0 + 3 * colsPad, acc, t * 4 * L);
            }
            for (; t < numTokens; t++) {
                DotTiles.tile4x1(pw, KC, nPad, xp, t * colsPad + k0, acc, t * 4 * L);
            }
        }
        reduce(acc, numTokens, rows, r0, rowsHere, out);
    }

    /** acc [numTokens][4][L] lane sums -> out[t][r0 + r]. */
    private static void reduce(float[] acc, int numTokens, int rows, int r0, int rowsHere, float[] out) {
        for (int t = 0; t < numTokens; t++) {
            for (int r = 0; r < rowsHere; r++) {
                out[t * rows + r0 + r] = Lanes.sum(FloatVector.fromArray(F, acc, (t * 4 + r) * L));
            }
        }
    }

    static void checkShapes(Tensor w, float[] x, int numTokens, float[] out) {
        if (numTokens < 1) {
            throw new IllegalArgumentException("numTokens must be >= 1, got " + numTokens);
        }
        if (x.length < (long) numTokens * w.cols()) {
            throw new IllegalArgumentException(w.name() + ": x holds " + x.length + " floats, need " + numTokens
                    + " x " + w.cols());
        }
        if (out.length < (long) numTokens * w.rows()) {
            throw new IllegalArgumentException(w.name() + ": out holds " + out.length + " floats, need "
                    + numTokens + " x " + w.rows());
        }
    }

    /** Stops the pool if this instance created it. */
    @Override
    public void close() {
        if (ownsPool) {
            pool.close();
        }
    }
}
