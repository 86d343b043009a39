package dev.morphserve.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What test vectors alone say about a vocabulary they came from: the bytes of token ids, learnt
 * without any vocabulary file. A vector whose ids are all known but one (or one id repeated) gives
 * that id the bytes its known neighbours leave over; repeated until nothing more is learnt. Uses
 * no pre-tokenizer, so it can judge one.
 */
final class TokenBytes {
    private TokenBytes() {}

    static Map<Integer, byte[]> learn(List<VocabVectors.Vector> vectors, List<String> conflicts) {
        Map<Integer, byte[]> learnt = new HashMap<>();
        for (boolean changed = true; changed; ) {
            changed = false;
            for (VocabVectors.Vector v : vectors) {
                byte[] text = v.text().getBytes(StandardCharsets.UTF_8);
                int[] ids = v.ids();
                int first = 0;
                int lo = 0;
                while (first < ids.length && learnt.containsKey(ids[first]) && matches(text, lo, learnt.get(ids[first]))) {
                    lo += learnt.get(ids[first++]).length;
                }
                int last = ids.length - 1;
                int hi = text.length;
                while (last >= first && learnt.containsKey(ids[last])
                        && matches(text, hi - learnt.get(ids[last]).length, learnt.get(ids[last]))) {
                    hi -= learnt.get(ids[last--]).length;
                }
                if (first > last) {
                    if (lo != hi) {
                        conflicts.add(v + ": the learnt token bytes do not spell the text");
                    }
                    continue;
                }
                int unknownId = ids[first];
                int count = last - first + 1;
                boolean oneUnknown = Arrays.stream(ids, first, last + 1).allMatch(id -> id == unknownId);
                if (learnt.containsKey(unknownId)) {
                    conflicts.add(v + ": token " + unknownId + " does not fit where it stands");
                } else if (oneUnknown && hi > lo && (hi - lo) % count == 0) {
                    byte[] bytes = Arrays.copyOfRange(text, lo, lo + (hi - lo) / count);
                    boolean repeats = true;
                    for (int k = 1; k < count; k++) {
                        repeats &= matches(text, lo + k * bytes.length, bytes);
                    }
                    if (repeats) {
                        learnt.put(unknownId, bytes);
                        changed = true;
                    }
                }
            }
        }
        return learnt;
    }

    /** Token boundaries known from the learnt bytes at both ends of a vector's ids. */
    record Spans(List<int[]> tokens) {
        /** True when a known token covers both sides of {@code offset}. */
        boolean crossed(int offset) {
            return tokens.stream().anyMatch(t -> t[0] < offset && offset < t[1]);
        }

        /** True when a known token starts or ends at {@code offset}. */
        boolean known(int offset) {
            return tokens.stream().anyMatch(t -> t[0] == offset || t[1] == offset);
        }
    }

    static Spans spans(VocabVectors.Vector v, Map<Integer, byte[]> learnt) {
        List<int[]> tokens = new ArrayList<>();
        int[] ids = v.ids();
        int at = 0;
        int first = 0;
        for (; first < ids.length && learnt.containsKey(ids[first]); first++) {
            tokens.add(new int[] {at, at + learnt.get(ids[first]).length});
            at += learnt.get(ids[first]).length;
        }
        at = v.text().getBytes(StandardCharsets.UTF_8).length;
        for (int last = ids.length - 1; last >= first && learnt.containsKey(ids[last]); last--) {
            tokens.add(new int[] {at - learnt.get(ids[last]).length, at});
            at -= learnt.get(ids[last]).length;
        }
        return new Spans(tokens);
    }

    private static boolean matches(byte[] text, int at, byte[] piece) {
        return at >= 0 && at + piece.length <= text.length && Arrays.equals(text, at, at + piece.length, piece, 0, piece.length);
    }
}
