package dev.morphserve.gguf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Hand-crafted malformed files: each must fail with a GgufFormatException that says what and where. */
class GgufCorruptFileTest {
    @TempDir
    Path dir;

    /** header + kvs + tensor infos + padding to 32 + dataBytes zero bytes. */
    private Path craft(int version, long kvCount, Consumer<GgufEncoder> kvs, long tensorCount,
            Consumer<GgufEncoder> infos, int dataBytes) throws Exception {
        GgufEncoder enc = new GgufEncoder();
        enc.u32(GgufParser.MAGIC);
        enc.u32(version);
        enc.u64(tensorCount);
        enc.u64(kvCount);
        kvs.accept(enc);
        infos.accept(enc);
        enc.padTo(32);
        ByteBuffer head = enc.finish();
        byte[] bytes = new byte[head.remaining() + dataBytes];
        head.get(bytes, 0, head.remaining());
        Path p = dir.resolve("crafted.gguf");
        Files.write(p, bytes);
        return p;
    }

    private static Consumer<GgufEncoder> tensor(String name, int typeId, long offset, long... ne) {
        return e -> {
            e.string(name);
            e.u32(ne.length);
            for (long d : ne) e.u64(d);
            e.u32(typeId);
            e.u64(offset);
        };
    }

    private static final Consumer<GgufEncoder> NONE = e -> {};

    private AbstractThrowableAssert<?, ? extends Throwable> assertOpenFails(Path p) {
        return assertThatThrownBy(() -> GgufFile.open(p).close()).isInstanceOf(GgufFormatException.class);
    }

    @Test
    void validCraftedFileOpens() throws Exception {
        Path p = craft(2, 0, NONE, 1, tensor("w", 0, 0, 4, 2), 32);
        try (GgufFile g = GgufFile.open(p)) {
            assertThat(g.version()).isEqualTo(2);
            assertThat(g.tensor("w").rows()).isEqualTo(2);
        }
    }

    @Test
    void headerProblemsAreNamed() throws Exception {
        Path p = dir.resolve("x.gguf");
        Files.write(p, "GGML\3\0\0\0".getBytes());
        assertOpenFails(p).hasMessageContaining("not a GGUF file").hasMessageContaining("\"GGML\"");
        assertOpenFails(craft(1, 0, NONE, 0, NONE, 0)).hasMessageContaining("version 1");
        assertOpenFails(craft(0x03000000, 0, NONE, 0, NONE, 0)).hasMessageContaining("big-endian");
        assertOpenFails(craft(7, 0, NONE, 0, NONE, 0)).hasMessageContaining("version 7");
        Files.write(p, new byte[0]);
        assertOpenFails(p).hasMessageContaining("truncated").hasMessageContaining("magic");
    }

    @Test
    void everyTruncationOfAValidFileFailsCleanly() throws Exception {
        Path valid = dir.resolve("valid.gguf");
        GgufRoundTripTest.everyValueType()
                .addTensor("t", dev.morphserve.gguf.GgmlType.F32, new long[] {8}, java.lang.foreign.MemorySegment.ofArray(new float[8]))
                .write(valid);
        byte[] bytes = Files.readAllBytes(valid);
        Path cut = dir.resolve("cut.gguf");
        for (int len = 0; len < bytes.length; len++) {
            Files.write(cut, java.util.Arrays.copyOf(bytes, len));
            assertOpenFails(cut).hasMessageContaining("byte offset");
        }
    }

    @Test
    void unknownTypesAreNamed() throws Exception {
        assertThatThrownBy(() -> GgufFile.open(craft(3, 0, NONE, 1, tensor("blk.0.attn_q.weight", 99, 0, 4), 32)))
                .isInstanceOf(GgufFormatException.class)
                .hasMessageContaining("tensor 'blk.0.attn_q.weight' has ggml type id 99, unknown");
        Path badValue = craft(3, 1, e -> {
            e.string("general.name");
            e.u32(13);
        }, 0, NONE, 0);
        assertOpenFails(badValue).hasMessageContaining("'general.name'").hasMessageContaining("id 13");
    }

    @Test
    void tensorInfoProblemsAreNamed() throws Exception {
        assertOpenFails(craft(3, 0, NONE, 1, tensor("w", 0, 16, 4), 64))
                .hasMessageContaining("'w'").hasMessageContaining("not a multiple of the alignment 32");
        assertOpenFails(craft(3, 0, NONE, 1, tensor("w", 0, 0, 64), 32))
                .hasMessageContaining("'w'").hasMessageContaining("past the end");
        assertOpenFails(craft(3, 0, NONE, 1, tensor("w", 0, 1L << 62, 4), 32))
                .hasMessageContaining("past the end");
        assertOpenFails(craft(3, 0, NONE, 1, tensor("w", 0, 0, 4, 0), 32))
                .hasMessageContaining("ne[1] = 0").hasMessageContaining("positive");
        assertOpenFails(craft(3, 0, NONE, 1, tensor("w", 0, 0, -1L), 32))
                .hasMessageContaining("18446744073709551615");
        assertOpenFails(craft(3, 0, NONE, 1, tensor("w", 0, 0, 1L << 40, 1L << 40), 32))
                .hasMessageContaining("overflows");
        assertOpenFails(craft(3, 0, NONE, 1, tensor("w", 0, 0, 1, 1, 1, 1, 1), 32))
                .hasMessageContaining("n_dimensions 5");
        assertOpenFails(craft(3, 0, NONE, 1, tensor("q", 8, 0, 31), 64)).hasMessageContaining("block size 32");
        assertOpenFails(craft(3, 0, NONE, 2, tensor("w", 0, 0, 4).andThen(tensor("w", 0, 0, 4)), 32))
                .hasMessageContaining("duplicate tensor name 'w'");
    }

    @Test
    void impossibleCountsAndLengthsAreRejectedBeforeAllocating() throws Exception {
        assertOpenFails(craft(3, Long.MAX_VALUE, NONE, 0, NONE, 0)).hasMessageContaining("metadata_kv_count");
        assertOpenFails(craft(3, 0, NONE, -1L, NONE, 0)).hasMessageContaining("tensor_count");
        assertOpenFails(craft(3, 1, e -> e.u64(1L << 40), 0, NONE, 64)).hasMessageContaining("length 1099511627776");
        assertOpenFails(craft(3, 1, e -> {
            e.string("tokenizer.ggml.tokens");
            e.u32(GgufValueType.ARRAY.id());
            e.u32(GgufValueType.STRING.id());
            e.u64(1L << 31);
        }, 0, NONE, 64)).hasMessageContaining("'tokenizer.ggml.tokens'").hasMessageContaining("array length");
        assertOpenFails(craft(3, 1, e -> {
            e.string("deep");
            e.u32(GgufValueType.ARRAY.id());
            for (int i = 0; i < 100; i++) {
                e.u32(GgufValueType.ARRAY.id());
                e.u64(1);
            }
        }, 0, NONE, 0)).hasMessageContaining("nested deeper");
    }

    @Test
    void metadataProblemsAreNamed() throws Exception {
        Consumer<GgufEncoder> twice = e -> {
            for (int i = 0; i < 2; i++) {
                e.string("general.name");
                e.u32(GgufValueType.STRING.id());
                e.string("n");
            }
        };
        assertOpenFails(craft(3, 2, twice, 0, NONE, 0)).hasMessageContaining("duplicate metadata key 'general.name'");
        Consumer<GgufEncoder> badAlign = e -> {
            e.string("general.alignment");
            e.u32(GgufValueType.UINT32.id());
            e.u32(48);
        };
        assertOpenFails(craft(3, 1, badAlign, 0, NONE, 0)).hasMessageContaining("general.alignment").hasMessageContaining("48");
    }

    @Test
    void knownButUncomputableTypeIsNamedWhenATensorIsRequested() throws Exception {
        Path p = craft(3, 0, NONE, 1, tensor("blk.0.ffn_down.weight", GgmlType.IQ4_XS.id(), 0, 256), 160);
        try (GgufFile g = GgufFile.open(p)) {
            assertThat(g.data(g.tensors().getFirst()).byteSize()).isEqualTo(136);
            assertThatThrownBy(() -> g.tensor("blk.0.ffn_down.weight"))
                    .isInstanceOf(GgufFormatException.class)
                    .hasMessageContaining("'blk.0.ffn_down.weight'").hasMessageContaining("IQ4_XS")
                    .hasMessageContaining("Q4_K"); // the list of what is supported
        }
    }
}
