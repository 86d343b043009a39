package dev.morphserve.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.morphserve.gguf.GgufFile;
import dev.morphserve.gguf.GgufTensorInfo;
import java.nio.file.Path;

/** Comparisons of whole GGUF files for the quantization tests. */
public final class GgufAssertions {
    private GgufAssertions() {}

    /**
     * {@code ours} holds the same tensors as {@code reference} (names, types, shapes, bytes), in any order
     * (llama-quantize writes them sorted by layer, we keep the source's order), and general.file_type
     * {@code fileType}.
     */
    public static void assertSameTensors(Path ours, Path reference, int fileType) throws Exception {
        try (GgufFile a = GgufFile.open(ours);
                GgufFile b = GgufFile.open(reference)) {
            assertThat(a.metadata().getInt("general.file_type")).isEqualTo(fileType);
            assertThat(a.tensors().stream().map(GgufTensorInfo::name).toList())
                    .containsExactlyInAnyOrderElementsOf(b.tensors().stream().map(GgufTensorInfo::name).toList());
            for (GgufTensorInfo want : b.tensors()) {
                GgufTensorInfo got = a.findTensor(want.name()).orElseThrow();
                assertThat(got.type()).as(want.name()).isEqualTo(want.type());
                assertThat(got.ne()).as(want.name()).containsExactly(want.ne());
                assertThat(a.data(got).mismatch(b.data(want))).as(want.name() + ": first differing byte").isEqualTo(-1L);
            }
        }
    }
}
