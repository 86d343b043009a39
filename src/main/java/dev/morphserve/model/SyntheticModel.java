package dev.morphserve.model;

import dev.morphserve.gguf.GgmlType;
import dev.morphserve.gguf.GgufWriter;
import dev.morphserve.tensor.TensorCodec;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.LongConsumer;

/**
 * Writes a Llama GGUF of a named shape with seeded random weights and a synthetic SentencePiece
 * vocabulary: what tests and speed benchmarks run on when no trained model of that size is at hand.
 * Weights are uniform in +-1/sqrt(cols) so activations stay in a sane range through every layer.
 * Matrices whose rows do not split into blocks of the requested type stay F32; norms are F32.
 */
public final class SyntheticModel {
    private SyntheticModel() {}

    /** @param onElements called with the number of weight elements generated so far (progress) */
    public static void write(ModelShape shape, GgmlType type, long seed, Path output, LongConsumer onElements)
            throws IOException {
        if (!type.computable()) {
            throw new IllegalArgumentException("type " + type + " is not supported; use one of " + GgmlType.computableNames());
        }
        GgufWriter writer = new GgufWriter();
        writer.putString("general.architecture", "llama");
        writer.putString("general.name", "synthetic-" + shape.shapeName() + "-" + type);
        writer.putUInt32("llama.context_length", shape.contextLength);
        writer.putUInt32("llama.embedding_length", shape.dim);
        writer.putUInt32("llama.block_count", shape.numLayers);
        writer.putUInt32("llama.feed_forward_length", shape.ffnDim);
        writer.putUInt32("llama.attention.head_count", shape.numHeads);
        writer.putUInt32("llama.attention.head_count_kv", shape.numKvHeads);
        writer.putUInt32("llama.rope.dimension_count", shape.dim / shape.numHeads);
        writer.putFloat32("llama.attention.layer_norm_rms_epsilon", 1e-5f);
        writer.putFloat32("llama.rope.freq_base", 10000f);
        SyntheticVocabulary.addTo(writer, shape.vocabSize);

        try (Arena arena = Arena.ofConfined()) {
            SplittableRandom random = new SplittableRandom(seed);
            long[] done = {0};
            LongConsumer progress = n -> onElements.accept(done[0] += n);
            writer.addTensor("token_embd.weight", type, new long[] {shape.dim, shape.vocabSize},
                    matrix(arena, type, shape.vocabSize, shape.dim, 1f, random.split(), progress));
            writer.addTensor("output_norm.weight", GgmlType.F32, new long[] {shape.dim}, ones(arena, shape.dim));
            writer.addTensor("output.weight", type, new long[] {shape.dim, shape.vocabSize},
                    matrix(arena, type, shape.vocabSize, shape.dim, scale(shape.dim), random.split(), progress));
            for (int l = 0; l < shape.numLayers; l++) {
                String p = "blk." + l + ".";
                writer.addTensor(p + "attn_norm.weight", GgmlType.F32, new long[] {shape.dim}, ones(arena, shape.dim));
                writer.addTensor(p + "ffn_norm.weight", GgmlType.F32, new long[] {shape.dim}, ones(arena, shape.dim));
                for (MatrixSpec m : layerMatrices(shape)) {
                    GgmlType t = shape.dim % type.blockSize() == 0 && m.cols % type.blockSize() == 0 ? type : GgmlType.F32;
                    writer.addTensor(p + m.name, t, new long[] {m.cols, m.rows},
                            matrix(arena, t, m.rows, m.cols, scale(m.cols), random.split(), progress));
                }
            }
            writer.write(output);
        }
    }

    private record MatrixSpec(String name, int rows, int cols) {}

    private static List<MatrixSpec> layerMatrices(ModelShape s) {
        List<MatrixSpec> list = new ArrayList<>();
        list.add(new MatrixSpec("attn_q.weight", s.dim, s.dim));
        list.add(new MatrixSpec("attn_k.weight", s.kvDim(), s.dim));
        list.add(new MatrixSpec("attn_v.weight", s.kvDim(), s.dim));
        list.add(new MatrixSpec("attn_output.weight", s.dim, s.dim));
        list.add(new MatrixSpec("ffn_gate.weight", s.ffnDim, s.dim));
        list.add(new MatrixSpec("ffn_up.weight", s.ffnDim, s.dim));
        list.add(new MatrixSpec("ffn_down.weight", s.dim, s.ffnDim));
        return list;
    }

    private static float scale(int cols) {
        return (float) (1.0 / Math.sqrt(cols));
    }

    /** [rows x cols] uniform in +-amplitude, encoded row by row into an off-heap segment. */
    private static MemorySegment matrix(Arena arena, GgmlType type, int rows, int cols, float amplitude,
            SplittableRandom random, LongConsumer progress) {
        MemorySegment data = arena.allocate((long) rows * type.bytesFor(cols), 64);
        float[] row = new float[cols];
        long rowBytes = type.bytesFor(cols);
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                row[c] = (float) ((random.nextDouble() * 2 - 1) * amplitude);
            }
            TensorCodec.encode(type, row, 0, cols, data, r * rowBytes);
        }
        progress.accept((long) rows * cols);
        return data;
    }

    private static MemorySegment ones(Arena arena, int n) {
        float[] values = new float[n];
        java.util.Arrays.fill(values, 1f);
        MemorySegment data = arena.allocate((long) n * Float.BYTES, 64);
        TensorCodec.encode(GgmlType.F32, values, 0, n, data, 0);
        return data;
    }
}
