package dev.morphserve.morph;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.morphserve.gguf.GgmlType;
import java.util.List;
import org.junit.jupiter.api.Test;

class PrecisionLevelsTest {
    @Test
    void acceptsQ8_0_Q4_0_andQ4_K_highestFirst() {
        assertThat(PrecisionLevels.parse("Q8_0,Q4_0").types()).containsExactly(GgmlType.Q8_0, GgmlType.Q4_0);
        assertThat(PrecisionLevels.parse(" q8_0 , q4_k ").types()).containsExactly(GgmlType.Q8_0, GgmlType.Q4_K);
        assertThat(PrecisionLevels.parse("Q4_K").type(1)).isEqualTo(GgmlType.Q4_K);
        assertThat(PrecisionLevels.parse("Q8_0,Q4_K")).hasToString("Q8_0,Q4_K");
    }

    @Test
    void levelsThatFreeNothing_orGoUp_areRefused() {
        // Q4_K and Q4_0 both take 4.5 bits per weight: one below the other would free no memory
        assertThatThrownBy(() -> PrecisionLevels.parse("Q4_K,Q4_0"))
                .hasMessageContaining("higher to lower precision")
                .hasMessageContaining("Q4_K 4.5 bits per weight");
        assertThatThrownBy(() -> PrecisionLevels.parse("Q4_0,Q8_0")).hasMessageContaining("higher to lower");
        assertThatThrownBy(() -> PrecisionLevels.parse("Q8_0,Q8_0")).hasMessageContaining("higher to lower");
        assertThatThrownBy(() -> new PrecisionLevels(List.of())).hasMessageContaining("at least one type");
    }

    @Test
    void otherTypes_areRefusedNamingTheKey() {
        assertThatThrownBy(() -> PrecisionLevels.parse("Q6_K"))
                .hasMessageContaining("morphserve.morph.levels: Q6_K is not a low precision this server makes")
                .hasMessageContaining("Q4_K");
        assertThatThrownBy(() -> PrecisionLevels.parse("Q4_X")).hasMessageContaining("unknown type 'Q4_X'");
    }
}
