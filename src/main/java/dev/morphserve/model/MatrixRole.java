package dev.morphserve.model;

/**
 * What a weight matrix does in a Llama-family model, read from its GGUF name the way llama.cpp's
 * quantizer categorizes tensors ({@code tensor_get_category}): the unit of a {@link LlamaMix} rule.
 */
public enum MatrixRole {
    OUTPUT,
    TOKEN_EMBD,
    ATTN_Q,
    ATTN_K,
    ATTN_V,
    ATTN_OUTPUT,
    FFN_GATE,
    FFN_UP,
    FFN_DOWN,
    OTHER;

    /** The role of tensor {@code name}; llama.cpp's order of checks, so "ffn_up" wins over "ffn_down" nowhere. */
    public static MatrixRole of(String name) {
        if (name.equals("output.weight")) {
            return OUTPUT;
        }
        if (name.equals("token_embd.weight")) {
            return TOKEN_EMBD;
        }
        if (name.contains("attn_v.weight")) {
            return ATTN_V;
        }
        if (name.contains("attn_k.weight")) {
            return ATTN_K;
        }
        if (name.contains("attn_q.weight")) {
            return ATTN_Q;
        }
        if (name.contains("attn_output.weight")) {
            return ATTN_OUTPUT;
        }
        if (name.contains("ffn_up")) {
            return FFN_UP;
        }
        if (name.contains("ffn_gate")) {
            return FFN_GATE;
        }
        if (name.contains("ffn_down")) {
            return FFN_DOWN;
        }
        return OTHER;
    }
}
