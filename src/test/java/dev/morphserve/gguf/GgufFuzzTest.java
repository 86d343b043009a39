package dev.morphserve.gguf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded mutation fuzzing: random byte flips, truncations and huge values written over counts and
 * lengths. Opening a mutant (and touching its metadata and every tensor slice) must succeed or
 * throw {@link GgufFormatException}; anything else (IndexOutOfBounds, NegativeArraySize, OOM,
 * StackOverflow, a hang) fails with the seed and iteration to replay it.
 */
class GgufFuzzTest {
    static final Path STORIES = Path.of("../shared/models/stories260K/stories260K.gguf");
    private static final long SEED = 0x6775_6666L;

    @TempDir
    Path dir;

    @Test
    void mutantsOfASmallWrittenFileFailOnlyWithFormatErrors() throws Exception {
        Path valid = dir.resolve("valid.gguf");
        GgufRoundTripTest.everyValueType()
                .addTensor("w", GgmlType.F32, new long[] {4, 2}, MemorySegment.ofArray(new float[8]))
                .addTensor("q", GgmlType.Q8_0, new long[] {32}, MemorySegment.ofArray(new byte[34]))
                .addTensor("k", GgmlType.Q4_K, new long[] {256}, MemorySegment.ofArray(new byte[144]))
                .addTensor("i", GgmlType.IQ4_XS, new long[] {256}, MemorySegment.ofArray(new byte[136])) // not computable
                .write(valid);
        fuzz(Files.readAllBytes(valid), 2000, SEED);
    }

    @Test
    void mutantsOfStories260KFailOnlyWithFormatErrors() throws Exception {
        Assumptions.assumeTrue(Files.exists(STORIES),
                "skipped: " + STORIES.toAbsolutePath() + " not found (shared test data absent)");
        fuzz(Files.readAllBytes(STORIES), 2000, SEED + 1);
    }

    private void fuzz(byte[] original, int iterations, long seed) throws Exception {
        long headBytes;
        Path mutantPath = dir.resolve("mutant.gguf");
        Files.write(mutantPath, original);
        try (GgufFile g = GgufFile.open(mutantPath)) {
            headBytes = g.dataSectionOffset();
        }
        List<Integer> lengthFields = lengthLikeFields(original, (int) headBytes);
        Random rnd = new Random(seed);
        int opened = 0;
        int rejected = 0;
        for (int it = 0; it < iterations; it++) {
            byte[] mutant = mutate(original, (int) headBytes, lengthFields, rnd);
            Files.write(mutantPath, mutant);
            try (GgufFile g = GgufFile.open(mutantPath)) {
                touch(g);
                opened++;
            } catch (GgufFormatException expected) {
                assertThat(expected.getMessage()).isNotBlank();
                rejected++;
            } catch (Throwable t) {
                fail("seed " + seed + " iteration " + it + ": " + t, t);
            }
        }
        // both outcomes must occur, or the mutations are not reaching the parser
        assertThat(opened).as("mutants that opened").isPositive();
        assertThat(rejected).as("mutants rejected").isGreaterThan(iterations / 4);
    }

    private static byte[] mutate(byte[] original, int headBytes, List<Integer> lengthFields, Random rnd) {
        byte[] b = original.clone();
        switch (rnd.nextInt(4)) {
            case 0 -> { // truncate, mostly inside the header and tables
                int len = rnd.nextInt(10) < 8 ? rnd.nextInt(headBytes + 1) : rnd.nextInt(b.length);
                return java.util.Arrays.copyOf(b, len);
            }
            case 1 -> { // flip a few bytes, mostly in the header and tables
                int n = 1 + rnd.nextInt(8);
                for (int i = 0; i < n; i++) {
                    int at = rnd.nextInt(10) < 9 ? rnd.nextInt(headBytes) : rnd.nextInt(b.length);
                    b[at] = (byte) rnd.nextInt(256);
                }
            }
            case 2 -> { // a huge or negative value over a count or length field
                int at = lengthFields.get(rnd.nextInt(lengthFields.size()));
                long[] evil = {-1L, Long.MAX_VALUE, 1L << 31, 1L << 32, 1L << 40, 0, rnd.nextLong(), 65};
                put64(b, at, evil[rnd.nextInt(evil.length)]);
            }
            default -> { // a huge value anywhere in the header and tables
                int at = rnd.nextInt(Math.max(1, headBytes - 8));
                put64(b, at, rnd.nextBoolean() ? -1L : (1L << rnd.nextInt(63)));
            }
        }
        return b;
    }

    private static void put64(byte[] b, int at, long v) {
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(at, v);
    }

    /** Offsets of uint64 values that look like counts or string lengths (small and non-negative). */
    private static List<Integer> lengthLikeFields(byte[] file, int headBytes) {
        ByteBuffer bb = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        List<Integer> out = new ArrayList<>();
        for (int at = 8; at + 8 <= headBytes; at++) {
            long v = bb.getLong(at);
            if (v > 0 && v < 1_000_000) {
                out.add(at);
            }
        }
        return out;
    }

    /** Reads everything a loader would: every metadata value and the ends of every tensor's data. */
    static void touch(GgufFile g) throws GgufFormatException {
        for (Map.Entry<String, GgufValue> e : g.metadata().asMap().entrySet()) {
            e.getValue().display(4);
            if (e.getValue().type() == GgufValueType.ARRAY) {
                GgufArray a = e.getValue().asArray();
                for (int i = 0; i < a.size(); i++) {
                    a.get(i);
                }
            }
        }
        for (GgufTensorInfo t : g.tensors()) {
            MemorySegment data = g.data(t);
            data.get(ValueLayout.JAVA_BYTE, 0);
            data.get(ValueLayout.JAVA_BYTE, data.byteSize() - 1);
            try {
                g.tensor(t.name());
            } catch (GgufFormatException uncomputable) {
                assertThat(uncomputable.getMessage()).contains(t.name());
            }
        }
    }
}
