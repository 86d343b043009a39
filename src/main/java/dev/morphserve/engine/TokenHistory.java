package dev.morphserve.engine;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The tokens a request has seen, as penalties need them: every prompt and output token for the
 * repetition penalty, output counts for the frequency and presence penalties. Sparse, because a
 * request touches a few hundred of a vocabulary's tens of thousands of ids.
 */
final class TokenHistory {
    private final Set<Integer> seen = new HashSet<>();
    private final Map<Integer, Integer> outputCounts = new HashMap<>();

    TokenHistory(int[] prompt) {
        for (int id : prompt) {
            seen.add(id);
        }
    }

    void addOutput(int id) {
        seen.add(id);
        outputCounts.merge(id, 1, Integer::sum);
    }

    /** Applies the penalties of {@code params} to {@code logits[offset .. offset+vocab)} in place. */
    void applyPenalties(SamplingParams params, float[] logits, int offset) {
        if (params.repetitionPenalty() != 1f) {
            for (int id : seen) {
                float l = logits[offset + id];
                logits[offset + id] = l > 0 ? l / params.repetitionPenalty() : l * params.repetitionPenalty();
            }
        }
        for (Map.Entry<Integer, Integer> e : outputCounts.entrySet()) {
            logits[offset + e.getKey()] -= e.getValue() * params.frequencyPenalty() + params.presencePenalty();
        }
    }
}
