package dev.morphserve.api;

import dev.morphserve.engine.LogitBias;

/**
 * The validated output options of a request: how many choices, the logit bias, and which logprobs.
 *
 * @param logprobs       -1: none; k: each generated token's logprob and k alternatives
 * @param echo           completions only: the prompt text goes before each choice's text
 * @param promptLogprobs -1: none; k: echo with logprobs also scores the prompt's tokens
 */
public record OutputOptions(int n, LogitBias logitBias, int logprobs, boolean echo, int promptLogprobs) {
    public static final OutputOptions DEFAULT = new OutputOptions(1, LogitBias.NONE, -1, false, -1);
}
