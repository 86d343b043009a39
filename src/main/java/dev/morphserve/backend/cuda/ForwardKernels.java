package dev.morphserve.backend.cuda;

import static dev.morphserve.backend.cuda.WeightKernels.MMV_MAX_TOKENS;
import static dev.morphserve.backend.cuda.WeightKernels.MMV_ROWS_PER_BLOCK;
import static dev.morphserve.backend.cuda.WeightKernels.MMV_THREADS;
import static dev.morphserve.backend.cuda.WeightKernels.MM_THREADS;
import static dev.morphserve.backend.cuda.WeightKernels.MM_TILE;

import dev.morphserve.model.ModelConfig;
import dev.morphserve.tensor.Tensor;

/**
 * The launches of the forward pass: each method knows its kernel's name, launch shape and argument
 * list as {@code src/main/cuda} defines them. Every launch goes on the engine's stream.
 */
final class ForwardKernels {
    private static final int ROW_THREADS = 256;
    private static final int ATTENTION_THREADS = 128;

    private final CudaModule module;
    private final Launch launch;
    private final long stream;

    ForwardKernels(CudaModule module, Launch launch, long stream) {
        this.module = module;
        this.launch = launch;
        this.stream = stream;
    }

    /** out [n x cols] = rows {@code tokens[t]} of the embedding table. */
    void getRows(Tensor table, long tableAddress, long tokens, long out, int n, int cols) {
        launch.of(module.function(WeightKernels.of(table).getRows()), n, 1, ROW_THREADS, 0)
                .ptr(tableAddress).ptr(tokens).ptr(out).i32(cols).run(stream);
    }

    /** out [rows x cols] = weight * x / rms(x) row by row. */
    void rmsNorm(long x, long weight, long out, int rows, int cols, float eps) {
        launch.of(module.function("rms_norm_f32"), rows, 1, ROW_THREADS, 0).ptr(x).ptr(weight).ptr(out).i32(cols).f32(eps).run(stream);
    }

    /**
     * y [n x w.rows] (+)= x [n x w.cols] * w^T: the decode kernel for up to {@link WeightKernels#MMV_MAX_TOKENS}
     * tokens (each weight read once for all), the tiled kernel for more.
     */
    void matmul(Tensor w, long weights, long x, long y, int n, boolean accumulate) {
        WeightKernels k = WeightKernels.of(w);
        if (n <= MMV_MAX_TOKENS) {
            launch.of(module.function(k.matVec()), ceilDiv(w.rows(), MMV_ROWS_PER_BLOCK), 1, MMV_THREADS, 0);
        } else {
            launch.of(module.function(k.matMul()), ceilDiv(w.rows(), MM_TILE), ceilDiv(n, MM_TILE), MM_THREADS, 0);
        }
        launch.ptr(weights).ptr(x).ptr(y).i32(w.rows()).i32(w.cols()).i32(n).i32(accumulate ? 1 : 0).run(stream);
    }

    /** Rotates the first ropeDim elements of every head of every token in place. */
    void rope(long x, long positions, long invFrequency, int n, int heads, int headSize, int ropeDim, boolean neox, int rowStride) {
        launch.of(module.function("rope_f32"), n, heads, ropeDim / 2, 0).ptr(x).ptr(positions).ptr(invFrequency).i32(heads)
                .i32(headSize).i32(ropeDim).i32(neox ? 1 : 0).i32(rowStride).run(stream);
    }

    /** Writes every token's K and V rows (F16) into its block of the paged cache. */
    void kvStore(long k, long v, long slotBlock, long slotRow, int n, int kvDim, int blockSize, long layerOffsetBytes) {
        launch.of(module.function("kv_store_f16"), n, 1, ROW_THREADS, 0).ptr(k).ptr(v).ptr(slotBlock).ptr(slotRow).i32(kvDim)
                .i32(blockSize).i64(layerOffsetBytes).run(stream);
    }

    /** Causal attention of every token and query head over its sequence's paged K and V. */
    void attention(long q, long out, long positions, long tableStart, long blockBases, int n, ModelConfig c, int blockSize,
            long layerOffsetBytes, float scale) {
        launch.of(module.function("paged_attention_f16"), n, c.numHeads(), ATTENTION_THREADS, 0).ptr(q).ptr(out).ptr(positions)
                .ptr(tableStart).ptr(blockBases).i32(c.numHeads()).i32(c.numKvHeads()).i32(c.headSize()).i32(blockSize)
                .i64(layerOffsetBytes).f32(scale).run(stream);
    }

    /** x [rows x cols] += bias [cols] on every row. */
    void addBias(long x, long bias, int rows, int cols) {
        launch.of(module.function("add_bias_f32"), rows, 1, ROW_THREADS, 0).ptr(x).ptr(bias).i32(cols).run(stream);
    }

    /** gate = silu(gate) * up over {@code count} elements. */
    void swiglu(long gate, long up, int count) {
        launch.of(module.function("swiglu_f32"), ceilDiv(count, ROW_THREADS), 1, ROW_THREADS, 0).ptr(gate).ptr(up).i32(count).run(stream);
    }

    /** out [count x cols] = rows {@code rows[i]} of x. */
    void gatherRows(long x, long rows, long out, int count, int cols) {
        launch.of(module.function("gather_rows_f32"), count, 1, ROW_THREADS, 0).ptr(x).ptr(rows).ptr(out).i32(cols).run(stream);
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }
}
