package dev.morphserve.bench;

import java.util.random.RandomGenerator;

/** A token length: fixed ({@code 128}) or uniform over an inclusive range ({@code 64:256}). */
public record LengthRange(int min, int max) {
    public LengthRange {
        if (min < 1 || max < min) {
            throw new IllegalArgumentException("length range needs 1 <= min <= max, got " + min + ":" + max);
        }
    }

    public static LengthRange fixed(int tokens) {
        return new LengthRange(tokens, tokens);
    }

    /** Parses {@code N} or {@code MIN:MAX}. */
    public static LengthRange parse(String text) {
        String s = text.strip();
        int colon = s.indexOf(':');
        try {
            if (colon < 0) {
                return fixed(Integer.parseInt(s));
            }
            return new LengthRange(Integer.parseInt(s.substring(0, colon).strip()), Integer.parseInt(s.substring(colon + 1).strip()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("expected a length N or a range MIN:MAX, got '" + text + "'");
        }
    }

    int sample(RandomGenerator random) {
        return min == max ? min : random.nextInt(min, max + 1);
    }

    @Override
    public String toString() {
        return min == max ? Integer.toString(min) : min + ":" + max;
    }
}
