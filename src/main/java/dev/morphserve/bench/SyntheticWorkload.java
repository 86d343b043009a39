package dev.morphserve.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Synthetic open-loop load as vLLM's benchmark generates it: the first request at 0 ms, then gaps
 * drawn from a gamma distribution with shape {@code burstiness} and mean {@code 1/rate}
 * (burstiness 1 = Poisson arrivals). An infinite rate sends every request at once.
 * Arrivals and lengths use separate seeded streams, so changing the length range does not move
 * the arrival times of a given seed.
 */
public record SyntheticWorkload(
        int numRequests, double ratePerSecond, double burstiness, LengthRange promptTokens, LengthRange outputTokens, long seed)
        implements Workload {

    public SyntheticWorkload {
        if (numRequests < 1) {
            throw new IllegalArgumentException("--num-requests must be >= 1, got " + numRequests);
        }
        if (!(ratePerSecond > 0)) {
            throw new IllegalArgumentException("--rate must be > 0 (or inf), got " + ratePerSecond);
        }
        if (!(burstiness > 0) || Double.isInfinite(burstiness)) {
            throw new IllegalArgumentException("--burstiness must be a finite number > 0, got " + burstiness);
        }
    }

    @Override
    public List<TimedRequest> requests() {
        SplittableRandom root = new SplittableRandom(seed);
        SplittableRandom arrivalRandom = root.split();
        SplittableRandom lengthRandom = root.split();
        double[] arrivals = arrivalOffsetsMs(arrivalRandom);
        List<TimedRequest> out = new ArrayList<>(numRequests);
        for (int i = 0; i < numRequests; i++) {
            out.add(new TimedRequest(arrivals[i], promptTokens.sample(lengthRandom), outputTokens.sample(lengthRandom)));
        }
        return List.copyOf(out);
    }

    double[] arrivalOffsetsMs(SplittableRandom random) {
        double[] arrivals = new double[numRequests];
        if (Double.isInfinite(ratePerSecond)) {
            return arrivals;
        }
        double meanGapMs = 1000.0 / ratePerSecond;
        GammaSampler gaps = new GammaSampler(burstiness, meanGapMs / burstiness, random);
        for (int i = 1; i < numRequests; i++) {
            arrivals[i] = arrivals[i - 1] + gaps.next();
        }
        return arrivals;
    }

    @Override
    public String describe() {
        String arrivals = Double.isInfinite(ratePerSecond)
                ? "all at once"
                : (burstiness == 1 ? "Poisson" : "gamma (burstiness " + burstiness + ")") + " at " + ratePerSecond + " req/s";
        return "synthetic: " + numRequests + " requests, " + arrivals + ", prompt " + promptTokens + ", output " + outputTokens
                + " tokens, seed " + seed;
    }
}
