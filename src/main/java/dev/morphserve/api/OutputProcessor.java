package dev.morphserve.api;

import dev.morphserve.tokenizer.TokenDecoder;
import dev.morphserve.tokenizer.Tokenizer;
import java.util.List;

/**
 * Turns one request's generated token ids into the text a client may see: incremental
 * detokenization (partial UTF-8 held back by {@link TokenDecoder}) and stop strings. A matched
 * stop string and everything after it are never returned; while the tail of the text could still
 * become a stop string it is held back, so a streaming client never sees text that a later token
 * would have to take back. Not thread-safe: one instance per request, fed in order.
 */
public final class OutputProcessor {
    private final TokenDecoder decoder;
    private final List<String> stops;
    /** Decoded text not yet released: at most the longest stop string minus one character. */
    private final StringBuilder pending = new StringBuilder();
    private int previousId;
    private boolean stopped;

    /**
     * @param lastPromptToken the token before the first generated one: SentencePiece decoding of a
     *                        piece depends on its predecessor (a leading space after BOS is dropped)
     */
    public OutputProcessor(Tokenizer tokenizer, List<String> stops, int lastPromptToken) {
        this.decoder = new TokenDecoder(tokenizer);
        this.stops = List.copyOf(stops);
        this.previousId = lastPromptToken;
    }

    /** Text that became safe to show with this token (often empty while held back). */
    public String accept(int tokenId) {
        String text = decoder.next(previousId, tokenId);
        previousId = tokenId;
        return release(text, false);
    }

    /** At the end of generation: everything still held back (a partial stop string is just text). */
    public String finish() {
        return release(decoder.flush(), true);
    }

    /** True once a stop string matched; the caller then aborts generation. */
    public boolean stopped() {
        return stopped;
    }

    private String release(String text, boolean end) {
        if (stopped) {
            return "";
        }
        pending.append(text);
        int match = earliestStop();
        if (match >= 0) {
            stopped = true;
            String out = pending.substring(0, match);
            pending.setLength(0);
            return out;
        }
        int keep = end ? 0 : possibleStopPrefixLength();
        String out = pending.substring(0, pending.length() - keep);
        pending.delete(0, pending.length() - keep);
        return out;
    }

    private int earliestStop() {
        int earliest = -1;
        for (String stop : stops) {
            int at = pending.indexOf(stop);
            if (at >= 0 && (earliest < 0 || at < earliest)) {
                earliest = at;
            }
        }
        return earliest;
    }

    /** Length of the longest tail of {@code pending} that is a proper prefix of some stop string. */
    private int possibleStopPrefixLength() {
        int longest = 0;
        for (String stop : stops) {
            for (int k = Math.min(stop.length() - 1, pending.length()); k > longest; k--) {
                if (endsWith(stop, k)) {
                    longest = k;
                    break;
                }
            }
        }
        return longest;
    }

    private boolean endsWith(String stop, int prefixLength) {
        int offset = pending.length() - prefixLength;
        for (int i = 0; i < prefixLength; i++) {
            if (pending.charAt(offset + i) != stop.charAt(i)) {
                return false;
            }
        }
        return true;
    }
}
