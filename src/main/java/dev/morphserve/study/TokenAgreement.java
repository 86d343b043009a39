package dev.morphserve.study;

/**
 * How closely one set of continuations follows a reference, position by position.
 *
 * <ul>
 *   <li>{@code matchRate}: positions j where candidate[p][j] == reference[p][j], over all prompts
 *       p and positions j, divided by (prompts x tokens per continuation). Each side ran free
 *       (every model continues its own output), so after a first divergence later positions
 *       only match when the two texts happen to line up again.
 *   <li>{@code meanCommonPrefixTokens}: per prompt, the number of tokens before the first
 *       mismatch (the whole length when none), averaged over prompts: how long a user reads the
 *       same text.
 * </ul>
 */
public record TokenAgreement(double matchRate, double meanCommonPrefixTokens) {
    /** @param reference and candidate: [prompts][tokens], every row the same length */
    public static TokenAgreement of(int[][] reference, int[][] candidate) {
        if (reference.length != candidate.length || reference.length == 0) {
            throw new IllegalArgumentException("need the same, non-zero number of continuations, got "
                    + reference.length + " and " + candidate.length);
        }
        long matches = 0;
        long positions = 0;
        long prefixSum = 0;
        for (int p = 0; p < reference.length; p++) {
            int[] ref = reference[p];
            int[] cand = candidate[p];
            if (ref.length != cand.length) {
                throw new IllegalArgumentException("continuation " + p + " has " + cand.length + " tokens, reference "
                        + ref.length);
            }
            int prefix = ref.length;
            for (int j = 0; j < ref.length; j++) {
                if (ref[j] == cand[j]) {
                    matches++;
                } else if (prefix == ref.length) {
                    prefix = j;
                }
            }
            positions += ref.length;
            prefixSum += prefix;
        }
        return new TokenAgreement((double) matches / positions, (double) prefixSum / reference.length);
    }
}
