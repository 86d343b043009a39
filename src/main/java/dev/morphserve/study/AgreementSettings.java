package dev.morphserve.study;

/**
 * How {@link GreedyAgreement} samples the evaluation text: {@code prompts} windows of
 * {@code promptTokens} tokens each (BOS included), each continued greedily for {@code newTokens}.
 * {@code prompts = 0} turns the measure off.
 */
public record AgreementSettings(int prompts, int newTokens, int promptTokens) {
    /** 16 x 64 = 1,024 compared tokens: enough to separate swap orders on stories260K, cheap next to perplexity. */
    public static final AgreementSettings DEFAULT = new AgreementSettings(16, 64, 32);
    public static final AgreementSettings OFF = new AgreementSettings(0, 0, 0);

    public AgreementSettings {
        if (prompts < 0) {
            throw new IllegalArgumentException("agreement prompts must be >= 0, got " + prompts);
        }
        if (prompts > 0 && (newTokens < 1 || promptTokens < 1)) {
            throw new IllegalArgumentException("agreement needs at least 1 new token and 1 prompt token, got "
                    + newTokens + " and " + promptTokens);
        }
    }

    public boolean enabled() {
        return prompts > 0;
    }

    /** Positions one continuation occupies in the KV cache: the prompt, then every generated token but the last. */
    public int contextTokens() {
        return promptTokens + newTokens - 1;
    }
}
