package dev.morphserve.study;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TokenAgreementTest {
    @Test
    void countsEqualPositionsAndTheTokensBeforeTheFirstDifference() {
        int[][] reference = {{1, 2, 3, 4}, {5, 6, 7, 8}, {9, 9, 9, 9}};
        int[][] candidate = {{1, 2, 0, 4}, {0, 6, 7, 8}, {9, 9, 9, 9}};

        TokenAgreement a = TokenAgreement.of(reference, candidate);

        // 3 + 3 + 4 equal positions of 12; prefixes 2, 0, 4
        assertThat(a.matchRate()).isEqualTo(10.0 / 12);
        assertThat(a.meanCommonPrefixTokens()).isEqualTo(2.0);
    }

    @Test
    void identicalIsOneAndDisjointIsZero() {
        int[][] reference = {{1, 2}, {3, 4}};
        assertThat(TokenAgreement.of(reference, new int[][] {{1, 2}, {3, 4}}))
                .isEqualTo(new TokenAgreement(1.0, 2.0));
        assertThat(TokenAgreement.of(reference, new int[][] {{0, 0}, {0, 0}}))
                .isEqualTo(new TokenAgreement(0.0, 0.0));
    }

    @Test
    void rejectsContinuationsOfDifferentShape() {
        assertThatThrownBy(() -> TokenAgreement.of(new int[][] {{1, 2}}, new int[][] {{1}}))
                .hasMessageContaining("has 1 tokens, reference 2");
        assertThatThrownBy(() -> TokenAgreement.of(new int[][] {{1}}, new int[][] {{1}, {2}}))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
