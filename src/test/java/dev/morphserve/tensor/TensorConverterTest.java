package dev.morphserve.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.morphserve.gguf.GgmlType;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TensorConverterTest {

    static Tensor random(String name, GgmlType type, int rows, int cols, long seed, Arena arena) {
        Random rnd = new Random(seed);
        float[] row = new float[cols];
        MemorySegment data = arena.allocate(rows * type.bytesFor(cols), 64);
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                row[c] = (float) rnd.nextGaussian();
            }
            TensorCodec.encode(type, row, 0, cols, data, r * type.bytesFor(cols));
        }
        return new Tensor(name, type, rows, cols, data);
    }

    @Test
    void f16ToQ8_0_matchesDirectQuantizationOfDecodedRows() {
        try (Arena arena = Arena.ofConfined()) {
            Tensor f16 = random("w", GgmlType.F16, 5, 96, 1, arena);
            Tensor q8 = TensorConverter.convert(f16, GgmlType.Q8_0, arena);
            assertThat(q8.type()).isEqualTo(GgmlType.Q8_0);
            assertThat(q8.rows()).isEqualTo(5);
            for (int r = 0; r < 5; r++) {
                float[] row = new float[96];
                TensorCodec.decodeRow(f16, r, row, 0);
                MemorySegment expected = arena.allocate(GgmlType.Q8_0.bytesFor(96));
                TensorCodec.encode(GgmlType.Q8_0, row, 0, 96, expected, 0);
                assertThat(q8.data().asSlice(r * q8.rowBytes(), q8.rowBytes()).mismatch(expected)).isEqualTo(-1);
                float[] back = new float[96];
                TensorCodec.decodeRow(q8, r, back, 0);
                for (int c = 0; c < 96; c++) {
                    assertThat(back[c]).isCloseTo(row[c], org.assertj.core.data.Offset.offset(0.05f));
                }
            }
        }
    }

    @Test
    void f32ToF16_roundTripsThroughF16Rounding() {
        try (Arena arena = Arena.ofConfined()) {
            Tensor f32 = random("x", GgmlType.F32, 3, 7, 2, arena);
            Tensor f16 = TensorConverter.convert(f32, GgmlType.F16, arena);
            float[] a = new float[7];
            float[] b = new float[7];
            TensorCodec.decodeRow(f32, 2, a, 0);
            TensorCodec.decodeRow(f16, 2, b, 0);
            for (int c = 0; c < 7; c++) {
                assertThat(b[c]).isEqualTo(Float.float16ToFloat(Float.floatToFloat16(a[c])));
            }
        }
    }

    @Test
    void rowsThatDoNotSplitIntoBlocks_areRefusedByName() {
        try (Arena arena = Arena.ofConfined()) {
            Tensor ffn = random("blk.0.ffn_down.weight", GgmlType.F16, 2, 172, 3, arena);
            assertThat(TensorConverter.canConvert(ffn, GgmlType.Q4_0)).isFalse();
            assertThat(TensorConverter.canConvert(ffn, GgmlType.BF16)).isTrue();
            assertThatThrownBy(() -> TensorConverter.convert(ffn, GgmlType.Q4_0, arena))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("blk.0.ffn_down.weight")
                    .hasMessageContaining("172");
        }
    }
}
