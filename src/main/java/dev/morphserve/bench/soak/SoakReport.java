package dev.morphserve.bench.soak;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Everything a soak run found, as {@code soak.json} holds it.
 *
 * @param totals       requests by outcome over the whole run
 * @param byKind       the same per request kind of the mix
 * @param morphAnswers answers to the scheduled swap commands by status
 * @param quiescence   the check after the load; null when the server was gone by then
 * @param serverAlive  whether the server process was still running after the load
 * @param serverLogErrors ERROR lines in the server's log: not a failure by itself, but each deserves a look
 */
public record SoakReport(Settings settings, List<SoakSample> samples, Map<SoakOutcome, Long> totals,
        Map<String, Map<SoakOutcome, Long>> byKind, Map<String, Long> morphAnswers, int morphPasses, SoakDrift drift,
        Quiescence quiescence, boolean serverAlive, long serverLogErrors, List<String> failureExamples) {

    /** How the run was set up. */
    public record Settings(String model, Integer contextTokens, double durationSeconds, int concurrency, double morphEverySeconds,
            double sampleEverySeconds, long seed, List<Integer> swapOrder, String startedAt) {}

    /** 5xx answers of any kind, 503 included: at a bounded concurrency the queue should never be full. */
    @JsonIgnore
    public long serverErrors() {
        return totals.get(SoakOutcome.SERVER_ERROR) + totals.get(SoakOutcome.OVERLOADED);
    }

    /** Why the run failed, or null when it passed. */
    @JsonIgnore
    public String failure() {
        if (!serverAlive) {
            return "the server died";
        }
        if (serverErrors() > 0) {
            return serverErrors() + " requests answered 5xx";
        }
        if (quiescence == null || !quiescence.passed()) {
            return "the server did not come back to rest and answer a fresh request"
                    + (quiescence != null && quiescence.detail() != null ? ": " + quiescence.detail() : "");
        }
        return null;
    }

    public void writeJson(Path file) throws IOException {
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), this);
    }
}
