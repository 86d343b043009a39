package dev.morphserve.model;

import static dev.morphserve.gguf.GgmlType.Q2_K;
import static dev.morphserve.gguf.GgmlType.Q3_K;
import static dev.morphserve.gguf.GgmlType.Q4_0;
import static dev.morphserve.gguf.GgmlType.Q4_K;
import static dev.morphserve.gguf.GgmlType.Q5_K;
import static dev.morphserve.gguf.GgmlType.Q6_K;
import static dev.morphserve.gguf.GgmlType.Q8_0;
import static dev.morphserve.model.MatrixRole.ATTN_OUTPUT;
import static dev.morphserve.model.MatrixRole.ATTN_V;
import static dev.morphserve.model.MatrixRole.FFN_DOWN;
import static dev.morphserve.model.MatrixRole.OUTPUT;

import dev.morphserve.gguf.GgmlType;
import java.util.List;
import java.util.Optional;

/**
 * One of llama.cpp's tensor-type mixes ({@code llama_tensor_get_type} in src/llama-quant.cpp) for a dense
 * Llama-family model: a base type and rules that give some matrices more bits, first match wins.
 *
 * <pre>
 * Q4_K_M: base Q4_K; output Q6_K; attn_v and ffn_down Q6_K where use_more_bits(i, n)
 * Q4_K_S: base Q4_K; output Q6_K; attn_v Q5_K for i < 4; ffn_down Q5_K for i < n/8
 * Q2_K  : base Q2_K; output Q6_K; attn_v Q4_K if gqa >= 4 else Q3_K; ffn_down, attn_output Q3_K
 * use_more_bits(i, n) = i < n/8 || i >= 7n/8 || (i - n/8) % 3 == 2
 * </pre>
 *
 * Then, as llama.cpp: an output matrix whose rows do not split into base blocks is Q8_0, and a type whose
 * blocks do not split a row falls back (Q2_K/Q3_K to Q4_0, Q4_K to Q5_0, Q5_K to Q5_1, Q6_K to Q8_0, else
 * F16). Not modelled: mixture-of-experts and Falcon rules, and the 70B rule (attn_v Q3_K/Q4_K to Q5_K).
 */
public record LlamaMix(String name, int fileType, GgmlType base, List<Rule> rules) implements QuantScheme {

    /** Matrices of {@code role} in {@code layers} get {@code type}, on models with at least {@code minGqa}. */
    public record Rule(MatrixRole role, Layers layers, int minGqa, GgmlType type) {
        Rule(MatrixRole role, Layers layers, GgmlType type) {
            this(role, layers, 0, type);
        }
    }

    /** Which of a role's matrices (index i of n) a rule covers. */
    public sealed interface Layers {
        boolean contains(int i, int n);
    }

    public record All() implements Layers {
        public boolean contains(int i, int n) {
            return true;
        }
    }

    /** llama.cpp's {@code use_more_bits}: the first and last eighth, and every third one between. */
    public record MoreBits() implements Layers {
        public boolean contains(int i, int n) {
            return i < n / 8 || i >= 7 * n / 8 || (i - n / 8) % 3 == 2;
        }
    }

    /** The first {@code count}. */
    public record First(int count) implements Layers {
        public boolean contains(int i, int n) {
            return i < count;
        }
    }

    /** The first n / {@code divisor}. */
    public record FirstFraction(int divisor) implements Layers {
        public boolean contains(int i, int n) {
            return i < n / divisor;
        }
    }

    private static final Layers ALL_LAYERS = new All();
    private static final Rule OUTPUT_Q6_K = new Rule(OUTPUT, ALL_LAYERS, Q6_K);

    public static final LlamaMix Q4_K_M = new LlamaMix("Q4_K_M", 15, Q4_K, List.of(OUTPUT_Q6_K,
            new Rule(ATTN_V, new MoreBits(), Q6_K), new Rule(FFN_DOWN, new MoreBits(), Q6_K)));
    public static final LlamaMix Q4_K_S = new LlamaMix("Q4_K_S", 14, Q4_K, List.of(OUTPUT_Q6_K,
            new Rule(ATTN_V, new First(4), Q5_K), new Rule(FFN_DOWN, new FirstFraction(8), Q5_K)));
    public static final LlamaMix Q5_K_M = new LlamaMix("Q5_K_M", 17, Q5_K, List.of(OUTPUT_Q6_K,
            new Rule(ATTN_V, new MoreBits(), Q6_K), new Rule(FFN_DOWN, new MoreBits(), Q6_K)));
    public static final LlamaMix Q5_K_S = new LlamaMix("Q5_K_S", 16, Q5_K, List.of(OUTPUT_Q6_K));
    public static final LlamaMix Q2_K_MIX = new LlamaMix("Q2_K", 10, Q2_K, List.of(OUTPUT_Q6_K,
            new Rule(ATTN_V, ALL_LAYERS, 4, Q4_K), new Rule(ATTN_V, ALL_LAYERS, Q3_K),
            new Rule(FFN_DOWN, ALL_LAYERS, Q3_K), new Rule(ATTN_OUTPUT, ALL_LAYERS, Q3_K)));
    public static final LlamaMix Q6_K_MIX = new LlamaMix("Q6_K", 18, Q6_K, List.of(OUTPUT_Q6_K));
    public static final LlamaMix Q4_0_MIX = new LlamaMix("Q4_0", 2, Q4_0, List.of(OUTPUT_Q6_K));
    /** The output stays Q8_0: llama.cpp moves it to Q6_K only from lower types. */
    public static final LlamaMix Q8_0_MIX = new LlamaMix("Q8_0", 7, Q8_0, List.of());

    /** Mixes whose names are not tensor types. */
    static final List<LlamaMix> NAMED = List.of(Q4_K_M, Q4_K_S, Q5_K_M, Q5_K_S);
    static final List<LlamaMix> ALL = List.of(Q4_K_M, Q4_K_S, Q5_K_M, Q5_K_S, Q2_K_MIX, Q6_K_MIX, Q4_0_MIX, Q8_0_MIX);

    /** llama-quantize's mix for a type name (its aliases: Q4_K is Q4_K_M, Q5_K is Q5_K_M). */
    static Optional<LlamaMix> forType(GgmlType type) {
        return switch (type) {
            case Q4_K -> Optional.of(Q4_K_M);
            case Q5_K -> Optional.of(Q5_K_M);
            default -> ALL.stream().filter(m -> m.name().equals(type.name())).findFirst();
        };
    }

    @Override
    public GgmlType typeFor(MatrixSlot slot) {
        if (slot.role() == OUTPUT && slot.cols() % base.blockSize() != 0) {
            return fallback(Q8_0, slot.cols());
        }
        for (Rule r : rules) {
            if (r.role() == slot.role() && slot.gqa() >= r.minGqa() && r.layers().contains(slot.index(), slot.count())) {
                return fallback(r.type(), slot.cols());
            }
        }
        return fallback(base, slot.cols());
    }

    /** llama.cpp's {@code tensor_type_fallback} for rows that do not split into blocks of {@code type}. */
    static GgmlType fallback(GgmlType type, int cols) {
        if (cols % type.blockSize() == 0) {
            return type;
        }
        GgmlType next = switch (type) {
            case Q2_K, Q3_K -> Q4_0;
            case Q4_K -> GgmlType.Q5_0;
            case Q5_K -> GgmlType.Q5_1;
            case Q6_K -> Q8_0;
            default -> type;
        };
        return cols % next.blockSize() == 0 ? next : GgmlType.F16;
    }
}
