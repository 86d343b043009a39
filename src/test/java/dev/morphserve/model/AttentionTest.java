package dev.morphserve.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.morphserve.kvcache.BlockPool;
import dev.morphserve.kvcache.BlockTable;
import dev.morphserve.kvcache.KvLayout;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@link Attention} against attention written out in double precision from its definition, over
 * a sequence whose blocks are shuffled across two chunks of the pool: every block-size and
 * head-size case of the kernel (4 whole blocks at a time, single and partial blocks, 4-vector
 * value sums and the per-position tail).
 */
class AttentionTest {

    @ParameterizedTest(name = "dim {0}, {1} heads / {2} KV heads, blocks of {3}")
    @CsvSource({
        "256, 4, 2, 16", // headSize 64: 4 blocks at a time when blocks hold one vector of positions
        "256, 4, 2, 8", //  blocks smaller than a vector
        "256, 4, 4, 32", // blocks of two vectors
        "160, 2, 1, 16", // headSize 80: a 4-vector sum plus a tail
        "64, 8, 8, 16", //  headSize 8 (stories260K): no 4-vector sums
    })
    void matchesAttentionFromItsDefinition(int dim, int heads, int kvHeads, int blockSize) {
        ModelConfig config = new ModelConfig("llama", dim, 4 * dim, 1, heads, kvHeads, 32, 512, 1e-5f, 10000f,
                dim / heads, RopeLayout.NORMAL);
        Attention attention = new Attention(config);
        int kvDim = config.kvDim();
        int headSize = config.headSize();
        int positions = 150;
        Random rnd = new Random(dim * 31L + blockSize);
        int blocks = (positions + blockSize - 1) / blockSize;
        try (BlockPool pool = new BlockPool(new KvLayout(1, blockSize, kvDim), blocks / 2)) {
            pool.attachChunk(blocks - blocks / 2);
            List<Integer> ids = new ArrayList<>();
            for (int i = 0; i < blocks; i++) {
                ids.add(pool.allocate());
            }
            Collections.shuffle(ids, rnd);
            BlockTable table = new BlockTable();
            ids.forEach(table::add);

            float[][] keys = new float[positions][kvDim];
            float[][] values = new float[positions][kvDim];
            for (int p = 0; p < positions; p++) {
                for (int d = 0; d < kvDim; d++) {
                    keys[p][d] = (float) rnd.nextGaussian();
                    values[p][d] = (float) rnd.nextGaussian();
                }
                attention.store(keys[p], values[p], 0, p, table, pool, 0);
            }
            float[] q = new float[dim];
            float[] out = new float[dim];
            float[] scores = new float[positions];
            for (int position : new int[] {0, 5, 15, 16, 63, 64, 65, 100, 127, 128, 149}) {
                for (int i = 0; i < dim; i++) {
                    q[i] = (float) rnd.nextGaussian();
                }
                for (int h = 0; h < heads; h++) {
                    attention.attendHead(q, 0, h, position, table, pool, 0, out, scores);
                    int kvBase = h / (heads / kvHeads) * headSize;
                    double[] want = reference(q, h * headSize, keys, values, kvBase, headSize, position);
                    for (int d = 0; d < headSize; d++) {
                        assertThat((double) out[h * headSize + d])
                                .as("position %d head %d dim %d", position, h, d)
                                .isCloseTo(want[d], org.assertj.core.data.Offset.offset(2e-5 * (1 + Math.abs(want[d]))));
                    }
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
