package dev.morphserve.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.morphserve.gguf.GgmlType;
import dev.morphserve.gguf.GgufFile;
import dev.morphserve.gguf.GgufTensorInfo;
import dev.morphserve.testing.SharedData;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.EnumMap;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Our K-quant encoders against llama-quantize's own files (../shared/models/refs, made from
 * ref-llama-F16.gguf): every K-quant tensor of a reference file must be byte for byte what our
 * encoder makes of the F16 source tensor of the same name, decoded to floats as llama-quantize does.
 * And decoding the reference tensors must land close to the F16 originals.
 */
class KQuantReferenceTest {
    private static final String REFS = "models/refs/models/";

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "ref-llama-pure-Q4_K.gguf, Q4_K:30",
        "ref-llama-Q6_K.gguf,      Q6_K:30",
        "ref-llama-Q4_K_M.gguf,    Q4_K:25 Q6_K:5",
        "ref-llama-Q4_K_S.gguf,    Q4_K:25 Q5_K:4 Q6_K:1",
        "ref-llama-Q2_K.gguf,      Q2_K:17 Q3_K:12 Q6_K:1",
        "ref-llama-Q4_0.gguf,      Q6_K:1",
    })
    void encoders_reproduceLlamaQuantizeByteForByte(String file, String expectedCounts) throws Exception {
        var source = SharedData.require(REFS + "ref-llama-F16.gguf");
        var reference = SharedData.require(REFS + file);
        Map<GgmlType, Integer> checked = new EnumMap<>(GgmlType.class);
        try (GgufFile f16 = GgufFile.open(source);
                GgufFile ref = GgufFile.open(reference);
                Arena arena = Arena.ofConfined()) {
            for (GgufTensorInfo info : ref.tensors()) {
                GgmlType type = info.type();
                if (type.blockSize() != GgmlType.Q4_K.blockSize()) {
                    continue;
                }
                Tensor src = f16.tensor(info.name());
                Tensor ours = TensorConverter.convert(src, type, arena);
                MemorySegment theirs = ref.data(info);
                long mismatch = ours.data().mismatch(theirs);
                assertThat(mismatch)
                        .as("%s %s: first differing byte (block %d of %d bytes)", file, info.name(),
                                mismatch / type.typeSize(), type.typeSize())
                        .isEqualTo(-1L);
                checked.merge(type, 1, Integer::sum);
                checkDecodedNear(src, new Tensor(info.name(), type, src.rows(), src.cols(), theirs));
            }
        }
        StringBuilder counts = new StringBuilder();
        checked.forEach((t, n) -> counts.append(counts.isEmpty() ? "" : " ").append(t).append(':').append(n));
        assertThat(counts.toString()).isEqualTo(expectedCounts);
    }

    /**
     * Decoded values within the format's error of the originals: per super-block, the RMS error
     * relative to the block's RMS stays under what the bit width allows: about halving with each
     * extra bit (worst measured on these files: Q2_K 0.37, Q3_K 0.18, Q4_K 0.087, Q5_K 0.040, Q6_K 0.021;
     * the bounds leave 20-50 % on top).
     */
    private static void checkDecodedNear(Tensor original, Tensor quantized) {
        double bound = switch (quantized.type()) {
            case Q2_K -> 0.45;
            case Q3_K -> 0.25;
            case Q4_K -> 0.12;
            case Q5_K -> 0.06;
            case Q6_K -> 0.03;
            default -> throw new IllegalArgumentException(quantized.type().name());
        };
        int cols = original.cols();
        int qk = quantized.type().blockSize();
        float[] want = new float[cols];
        float[] got = new float[cols];
        double worst = 0;
        for (int r = 0; r < original.rows(); r++) {
            TensorCodec.decodeRow(original, r, want, 0);
            TensorCodec.decodeRow(quantized, r, got, 0);
            for (int b = 0; b < cols; b += qk) {
                double err = 0;
                double norm = 0;
                for (int i = b; i < b + qk; i++) {
                    err += (got[i] - want[i]) * (double) (got[i] - want[i]);
                    norm += want[i] * (double) want[i];
                }
                worst = Math.max(worst, Math.sqrt(err / norm));
            }
        }
        assertThat(worst).as("%s %s: worst relative RMS error of a super-block", quantized.name(), quantized.type())
                .isLessThan(bound);
    }
}
