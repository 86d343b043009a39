package dev.morphserve.bench;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * What happened to one request. Times are milliseconds; {@code scheduledMs} and {@code sendMs} are
 * offsets from the start of the run (their difference shows the client falling behind its
 * schedule), the latencies are measured from the actual send. Latencies are null when never reached.
 *
 * @param outputTokens  from the server's usage chunk when it sent one ({@code usageReported}), else
 *                      the number of content chunks
 * @param httpStatus    0 when no response arrived (connection refused, timeout)
 * @param errorKind     short key for the error breakdown ("HTTP 503", "ConnectException", ...), null on success
 */
public record RequestRecord(
        int index,
        double scheduledMs,
        double sendMs,
        int promptTokens,
        int requestedOutputTokens,
        boolean success,
        int httpStatus,
        String errorKind,
        String error,
        Double ttftMs,
        List<Double> itlMs,
        Double e2eMs,
        int outputTokens,
        boolean usageReported) {

    public RequestRecord {
        itlMs = List.copyOf(itlMs);
    }

    /**
     * Time per output token after the first, (e2e - ttft) / (outputTokens - 1); null for failed
     * requests and for single-token outputs, where it is undefined.
     */
    @JsonProperty("tpotMs")
    public Double tpotMs() {
        if (!success || ttftMs == null || e2eMs == null || outputTokens < 2) {
            return null;
        }
        return (e2eMs - ttftMs) / (outputTokens - 1);
    }

    static RequestRecord failed(int index, double scheduledMs, double sendMs, TimedRequest request, int status, String kind, String error) {
        return new RequestRecord(index, scheduledMs, sendMs, request.promptTokens(), request.outputTokens(), false, status, kind,
                error, null, List.of(), null, 0, false);
    }
}
