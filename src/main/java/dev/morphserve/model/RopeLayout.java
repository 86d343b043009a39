package dev.morphserve.model;

/**
 * Which elements of a head RoPE rotates together.
 *
 * <pre>
 * NORMAL (llama, llama2.c): pairs (0,1) (2,3) (4,5) ...          adjacent elements
 * NEOX   (qwen2, phi3, ...): pairs (0,d/2) (1,d/2+1) ...          first half with second half
 * </pre>
 */
public enum RopeLayout {
    NORMAL,
    NEOX;

    /** llama.cpp's choice per architecture (llama_model_rope_type). */
    public static RopeLayout forArchitecture(String architecture) {
        return switch (architecture) {
            case "llama", "mistral", "granite", "baichuan" -> NORMAL;
            default -> NEOX;
        };
    }
}
