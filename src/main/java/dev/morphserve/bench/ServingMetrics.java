package dev.morphserve.bench;

import java.util.Map;

/**
 * The serving metrics of one run, with the names and definitions of vLLM's benchmark_serving.
 * Throughputs divide by the run's duration (first send to last finish) and count completed
 * requests only; latency statistics cover completed requests only. Failed requests count as SLO
 * misses, so a server cannot improve its goodput by rejecting load.
 *
 * @param errors          failed requests by kind ("HTTP 503": 12, ...)
 * @param shortOutputRequests completed requests that got fewer output tokens than {@code max_tokens}:
 *                        a server that ignores {@code ignore_eos} makes output lengths (and TPOT)
 *                        drift from the workload, and this says so instead of hiding it
 * @param ttftMissShare   share of all requests that failed or missed the TTFT objective
 * @param tpotMissShare   the same for TPOT; null when no TPOT objective was given
 */
public record ServingMetrics(
        int totalRequests,
        int completed,
        int failed,
        Map<String, Integer> errors,
        double durationS,
        long totalPromptTokens,
        long totalOutputTokens,
        int shortOutputRequests,
        double requestThroughputPerS,
        double outputTokenThroughputPerS,
        double totalTokenThroughputPerS,
        LatencyStats ttft,
        LatencyStats tpot,
        LatencyStats itl,
        LatencyStats e2e,
        SloTargets slo,
        int goodRequests,
        double goodputPerS,
        double ttftMissShare,
        Double tpotMissShare) {}
