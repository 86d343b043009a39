package dev.morphserve.morph;

import java.util.List;

/**
 * The order in which layers are swapped down, and where it came from (so that tools can say
 * whether they used a measured profile or the fallback).
 *
 * @param layers      layer indices, swapped first to last
 * @param fromProfile whether {@code layers} comes from a layer importance profile
 * @param source      one line for users: the profile file, or why the fallback was used
 */
public record SwapOrder(List<Integer> layers, boolean fromProfile, String source) {
    public SwapOrder {
        layers = List.copyOf(layers);
    }

    /** The first {@code count} layers of the order. */
    public List<Integer> first(int count) {
        if (count < 0 || count > layers.size()) {
            throw new IllegalArgumentException("cannot swap " + count + " layers of " + layers.size());
        }
        return layers.subList(0, count);
    }
}
