package dev.morphserve.morph;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** What a morph command or event does; JSON and metrics tags spell it in lower case ({@code swap_down}). */
public enum MorphAction {
    /** A layer steps one precision level down (its next variant copied in, then switched). */
    SWAP_DOWN,
    /** A layer steps one precision level back up. */
    SWAP_UP,
    /** A KV chunk is attached with memory that a swap-down freed. */
    KV_GROW,
    /** KV chunks are detached (live blocks moved) so that their memory goes back to the budget. */
    KV_SHRINK;

    @JsonValue
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The action a wire name (any case) stands for; a clear error naming the choices otherwise. */
    public static MorphAction parse(String wireName) {
        for (MorphAction a : values()) {
            if (a.wireName().equalsIgnoreCase(wireName)) {
                return a;
            }
        }
        throw new IllegalArgumentException("unknown morph action '" + wireName + "': use swap_down, swap_up or kv_shrink");
    }
}
