package dev.morphserve.gguf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GgufMetadataTest {
    private final GgufMetadata m = GgufMetadata.of(new LinkedHashMap<>(Map.of(
            "u32", GgufValue.uint32(4_294_967_295L),
            "u8", GgufValue.uint8(200),
            "i64", GgufValue.int64(42),
            "big", GgufValue.uint64(-1L),
            "f64", GgufValue.float64(0.25),
            "s", GgufValue.string("llama"),
            "b", GgufValue.bool(true),
            "tokens", GgufValue.array(GgufArray.ofStrings(List.of("a", "b"))),
            "types", GgufValue.array(GgufArray.ofUInt8(new byte[] {1, (byte) 255})),
            "scores", GgufValue.array(GgufArray.ofFloat32(new float[] {-1f, 2f})))));

    @Test
    void lenientWhereNothingIsLost() {
        assertThat(m.getInt("u8")).isEqualTo(200);
        assertThat(m.getInt("i64")).isEqualTo(42);
        assertThat(m.getLong("u32")).isEqualTo(4_294_967_295L);
        assertThat(m.getFloat("f64")).isEqualTo(0.25f);
        assertThat(m.getFloat("i64")).isEqualTo(42f);
        assertThat(m.getFloat("missing", 1e-5f)).isEqualTo(1e-5f);
        assertThat(m.getInt("missing", 7)).isEqualTo(7);
        assertThat(m.getBool("b", false)).isTrue();
        assertThat(m.getBool("missing", true)).isTrue();
        assertThat(m.findString("s")).contains("llama");
        assertThat(m.findString("missing")).isEmpty();
        assertThat(m.getStringArray("tokens")).containsExactly("a", "b");
        assertThat(m.getIntArray("types")).containsExactly(1, 255);
        assertThat(m.getFloatArray("scores")).containsExactly(-1f, 2f);
    }

    @Test
    void strictOtherwiseAndNamesTheKey() {
        assertThatThrownBy(() -> m.getString("missing")).isInstanceOf(GgufMetadataException.class)
                .hasMessageContaining("'missing'").hasMessageContaining("STRING");
        assertThatThrownBy(() -> m.getInt("u32")).hasMessageContaining("'u32'").hasMessageContaining("4294967295")
                .hasMessageContaining("int");
        assertThatThrownBy(() -> m.getLong("big")).hasMessageContaining("'big'").hasMessageContaining("long");
        assertThatThrownBy(() -> m.getInt("s")).hasMessageContaining("'s'").hasMessageContaining("integer");
        assertThatThrownBy(() -> m.getString("u8")).hasMessageContaining("'u8'").hasMessageContaining("UINT8");
        assertThatThrownBy(() -> m.getBool("u8", false)).hasMessageContaining("BOOL");
        assertThatThrownBy(() -> m.getFloat("s")).hasMessageContaining("number");
        assertThatThrownBy(() -> m.getStringArray("scores")).hasMessageContaining("'scores'")
                .hasMessageContaining("array of FLOAT32").hasMessageContaining("expected an array of STRING");
        assertThatThrownBy(() -> m.getFloatArray("s")).hasMessageContaining("FLOAT32");
        assertThatThrownBy(() -> m.getIntArray("tokens")).hasMessageContaining("integers");
        assertThatThrownBy(() -> m.keys().clear()).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> m.getStringArray("tokens").set(0, "x")).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void valuesDisplayUnsignedAndAbbreviateArrays() {
        assertThat(GgufValue.uint64(-1L).display(3)).isEqualTo("18446744073709551615");
        assertThat(GgufArray.ofInt32(new int[] {1, 2, 3, 4, 5}).display(2)).isEqualTo("[INT32 x5: 1, 2, ...]");
        assertThat(GgufValue.string("a\nb").display(1)).isEqualTo("\"a\\nb\"");
        assertThatThrownBy(() -> GgufValue.uint8(256)).hasMessageContaining("UINT8");
        assertThatThrownBy(() -> new GgufValue(GgufValueType.INT32, "x")).hasMessageContaining("Integer");
    }
}
