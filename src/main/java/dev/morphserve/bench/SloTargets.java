package dev.morphserve.bench;

/**
 * Service-level objectives for goodput. A request meets them when it completed, its TTFT is at most
 * {@code ttftMs} and, when {@code tpotMs} is set, its TPOT is at most that (a one-token output has no
 * TPOT and meets the TPOT objective).
 *
 * @param tpotMs null when no TPOT objective was given
 */
public record SloTargets(double ttftMs, Double tpotMs) {
    public SloTargets {
        if (!(ttftMs > 0)) {
            throw new IllegalArgumentException("--slo-ttft-ms must be > 0, got " + ttftMs);
        }
        if (tpotMs != null && !(tpotMs > 0)) {
            throw new IllegalArgumentException("--slo-tpot-ms must be > 0, got " + tpotMs);
        }
    }

    boolean meetsTtft(RequestRecord r) {
        return r.success() && r.ttftMs() != null && r.ttftMs() <= ttftMs;
    }

    boolean meetsTpot(RequestRecord r) {
        if (!r.success()) {
            return false;
        }
        Double tpot = r.tpotMs();
        return tpotMs == null || tpot == null || tpot <= tpotMs;
    }
}
