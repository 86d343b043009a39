package dev.morphserve.study;

import java.util.Locale;

/**
 * What a candidate's Model Deviation Score is measured against in the greedy rounds of the LIS
 * order. The paper's Algorithm 1 compares the model with the layers already chosen swapped, with
 * and without the candidate (f^(Q) vs f^(Q ∪ {p})): how much this one more swap changes what the
 * served model would compute. Full precision compares f^(Q ∪ {p}) with the base model instead:
 * the deviation accumulated by the whole set. The first round is the same for both (Q is empty).
 */
public enum MdsReference {
    /** Algorithm 1 as written: f^(Q) vs f^(Q ∪ {p}). */
    CHOSEN_SWAPPED,
    /** The base model vs f^(Q ∪ {p}). */
    FULL_PRECISION;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** A profile written before this choice existed was measured against full precision. */
    public static MdsReference parse(String wireName) {
        if (wireName == null) {
            return FULL_PRECISION;
        }
        for (MdsReference r : values()) {
            if (r.wireName().equalsIgnoreCase(wireName)) {
                return r;
            }
        }
        throw new IllegalArgumentException("unknown MDS reference '" + wireName + "': use chosen-swapped or full-precision");
    }
}
