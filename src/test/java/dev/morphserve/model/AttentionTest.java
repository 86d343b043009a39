package dev.morphserve.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.morphserve.kvcache.BlockPool;
import dev.morphserve.kvcache.BlockTable;
import dev.morphserve.kvcache.KvLayout;
import dev.morphserve.kvcache.KvType;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.assertj.core.data.Offset;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@link Attention} against attention written out in double precision from its definition, over
 * a sequence whose blocks are shuffled across two chunks of the pool: every block-size and
 * head-size case of the kernel (4 whole blocks at a time, single and partial blocks, 4-vector
 * value sums and the per-position tail), with float32 and F16 elements.
 */
class AttentionTest {
    private static final int[] POSITIONS = {0, 5, 15, 16, 63, 64, 65, 100, 127, 128, 149};

    /** A sequence of random keys and values stored by {@link Attention#store} into a pool of two chunks. */
    private record Sequence(Attention attention, BlockPool pool, BlockTable table) implements AutoCloseable {
        static Sequence of(ModelConfig config, KvType type, int blockSize, float[][] keys, float[][] values, Random rnd) {
            int blocks = (keys.length + blockSize - 1) / blockSize;
            BlockPool pool = new BlockPool(new KvLayout(1, blockSize, config.kvDim(), type), blocks / 2 + 1);
            pool.attachChunk(blocks - blocks / 2);
            List<Integer> ids = new ArrayList<>();
            for (int i = 0; i < blocks; i++) {
                ids.add(pool.allocate());
            }
            Collections.shuffle(ids, rnd);
            BlockTable table = new BlockTable();
            ids.forEach(table::add);
            Attention attention = new Attention(config, type);
            for (int p = 0; p < keys.length; p++) {
                attention.store(keys[p], values[p], 0, p, table, pool, 0);
            }
            return new Sequence(attention, pool, table);
        }

        float[] attend(float[] q, int head, int position) {
            float[] out = new float[q.length];
            attention.attendHead(q, 0, head, position, table, pool, 0, out, new float[position + 1]);
            return out;
        }

        @Override
        public void close() {
            pool.close();
        }
    }

    private static ModelConfig config(int dim, int heads, int kvHeads) {
        return new ModelConfig("llama", dim, 4 * dim, 1, heads, kvHeads, 32, 512, 1e-5f, 10000f, dim / heads,
                RopeLayout.NORMAL);
    }

    private static float[][] gaussian(Random rnd, int rows, int cols) {
        float[][] m = new float[rows][cols];
        for (float[] row : m) {
            for (int d = 0; d < cols; d++) {
                row[d] = (float) rnd.nextGaussian();
            }
        }
        return m;
    }

    /** Each element rounded to the nearest half, as an F16 cache holds it. */
    private static float[][] roundedToHalves(float[][] m) {
        float[][] r = new float[m.length][];
        for (int i = 0; i < m.length; i++) {
            r[i] = new float[m[i].length];
            for (int d = 0; d < m[i].length; d++) {
                r[i][d] = Float.float16ToFloat(Float.floatToFloat16(m[i][d]));
            }
        }
        return r;
    }

    @ParameterizedTest(name = "{4}: dim {0}, {1} heads / {2} KV heads, blocks of {3}")
    @CsvSource({
        "256, 4, 2, 16, F32", // headSize 64: 4 blocks at a time when blocks hold one vector of positions
        "256, 4, 2, 8, F32", //  blocks smaller than a vector
        "256, 4, 4, 32, F32", // blocks of two vectors
        "160, 2, 1, 16, F32", // headSize 80: a 4-vector sum plus a tail
        "64, 8, 8, 16, F32", //  headSize 8 (stories260K): no 4-vector sums
        "120, 6, 2, 16, F32", // headSize 20: one vector and a tail of 4 dims, groups of 3 query heads
        "96, 4, 1, 5, F32", //   blocks of 5: every position in the scalar tail
        "256, 4, 2, 16, F16",
        "256, 4, 2, 8, F16",
        "256, 4, 4, 32, F16",
        "160, 2, 1, 16, F16",
        "64, 8, 8, 16, F16",
        "120, 6, 2, 16, F16",
        "96, 4, 1, 5, F16",
    })
    void matchesAttentionFromItsDefinition(int dim, int heads, int kvHeads, int blockSize, KvType type) {
        ModelConfig config = config(dim, heads, kvHeads);
        int headSize = config.headSize();
        Random rnd = new Random(dim * 31L + blockSize);
        float[][] keys = gaussian(rnd, 150, config.kvDim());
        float[][] values = gaussian(rnd, 150, config.kvDim());
        // What the cache holds: F16 attention must be float attention over the rounded rows.
        float[][] heldKeys = type == KvType.F16 ? roundedToHalves(keys) : keys;
        float[][] heldValues = type == KvType.F16 ? roundedToHalves(values) : values;
        try (Sequence sequence = Sequence.of(config, type, blockSize, keys, values, rnd)) {
            for (int position : POSITIONS) {
                float[] q = gaussian(rnd, 1, dim)[0];
                for (int h = 0; h < heads; h++) {
                    float[] out = sequence.attend(q, h, position);
                    int kvBase = h / config.groupSize() * headSize;
                    double[] want = reference(q, h * headSize, heldKeys, heldValues, kvBase, headSize, position);
                    for (int d = 0; d < headSize; d++) {
                        assertThat((double) out[h * headSize + d])
                                .as("position %d head %d dim %d", position, h, d)
                                .isCloseTo(want[d], Offset.offset(2e-5 * (1 + Math.abs(want[d]))));
                    }
                }
            }
        }
    }

    /**
     * F16 elements are read scaled by 2^-112 with the query (or weight) scaled by 2^112, the same real
     * products: the result equals float32 attention over the rounded rows bit for bit, also for a
     * query too large to scale, which takes the scalar path.
     */
    @ParameterizedTest(name = "dim {0}, {1} heads / {2} KV heads, blocks of {3}")
    @CsvSource({"256, 4, 2, 16", "160, 2, 1, 16", "120, 6, 2, 16", "256, 4, 2, 8", "96, 4, 1, 5"})
    void f16AttentionIsFloatAttentionOverTheRoundedRows(int dim, int heads, int kvHeads, int blockSize) {
        ModelConfig config = config(dim, heads, kvHeads);
        Random rnd = new Random(dim * 17L + blockSize);
        float[][] keys = gaussian(rnd, 150, config.kvDim());
        float[][] values = gaussian(rnd, 150, config.kvDim());
        try (Sequence halves = Sequence.of(config, KvType.F16, blockSize, keys, values, new Random(1));
                Sequence floats = Sequence.of(config, KvType.F32, blockSize, roundedToHalves(keys), roundedToHalves(values),
                        new Random(2))) {
            for (int position : POSITIONS) {
                float[] q = gaussian(rnd, 1, dim)[0];
                if (position % 2 == 0) {
                    q[dim - 1] = 1e5f; // the last head's query is too large to scale by 2^112
                }
                for (int h = 0; h < heads; h++) {
                    float[] got = halves.attend(q, h, position);
                    float[] want = floats.attend(q, h, position);
                    assertThat(got).as("position %d head %d", position, h).containsExactly(want);
                }
            }
        }
    }

    /** softmax(q . k_p / sqrt(headSize)) over p = 0..position, times v_p, in double. */
    private static double[] reference(float[] q, int qBase, float[][] keys, float[][] values, int kvBase, int headSize,
            int position) {
        double[] s = new double[position + 1];
        double max = Double.NEGATIVE_INFINITY;
        for (int p = 0; p <= position; p++) {
            double dot = 0;
            for (int d = 0; d < headSize; d++) {
                dot += (double) q[qBase + d] * keys[p][kvBase + d];
            }
            s[p] = dot / Math.sqrt(headSize);
            max = Math.max(max, s[p]);
        }
        double sum = 0;
        for (int p = 0; p <= position; p++) {
            s[p] = Math.exp(s[p] - max);
            sum += s[p];
        }
        double[] out = new double[headSize];
        for (int p = 0; p <= position; p++) {
            for (int d = 0; d < headSize; d++) {
                out[d] += s[p] / sum * values[p][kvBase + d];
            }
        }
        return out;
    }
}
