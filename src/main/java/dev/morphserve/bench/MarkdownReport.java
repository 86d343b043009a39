package dev.morphserve.bench;

import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/** Renders a {@link BenchReport} as Markdown tables for the terminal and for pasting into issues. */
public final class MarkdownReport {
    private MarkdownReport() {}

    public static String render(BenchReport report) {
        BenchConfig c = report.config();
        ServingMetrics m = report.metrics();
        StringBuilder out = new StringBuilder();
        line(out, "## bench serve: %s (model %s)", c.url(), c.modelName() != null ? c.modelName() : "server default");
        line(out, "");
        line(out, "- workload: %s", c.workload());
        line(out, "- length mapping: %s (context from %s)", report.lengthMapping().describe(), c.contextSource());
        line(out, "- max concurrency: %s", c.maxConcurrency() != null ? c.maxConcurrency() : "unlimited");
        line(out, "");
        line(out, "| metric | value |");
        line(out, "|---|---:|");
        line(out, "| requests completed / failed / total | %d / %d / %d |", m.completed(), m.failed(), m.totalRequests());
        line(out, "| errors | %s |", errors(m.errors()));
        line(out, "| duration (s) | %.2f |", m.durationS());
        line(out, "| prompt / output tokens (completed) | %d / %d |", m.totalPromptTokens(), m.totalOutputTokens());
        line(out, "| completed with fewer output tokens than asked | %d |", m.shortOutputRequests());
        line(out, "| request throughput (req/s) | %.2f |", m.requestThroughputPerS());
        line(out, "| output token throughput (tok/s) | %.2f |", m.outputTokenThroughputPerS());
        line(out, "| total token throughput (tok/s) | %.2f |", m.totalTokenThroughputPerS());
        line(out, "| goodput (req/s, %s) | %.2f (%d requests) |", slo(m.slo()), m.goodputPerS(), m.goodRequests());
        line(out, "| missed TTFT SLO (failed included) | %.1f %% |", 100 * m.ttftMissShare());
        line(out, "| missed TPOT SLO (failed included) | %s |",
                m.tpotMissShare() == null ? "no TPOT SLO" : String.format(Locale.ROOT, "%.1f %%", 100 * m.tpotMissShare()));
        line(out, "");
        line(out, "| latency (ms) | n | mean | p50 | p90 | p95 | p99 |");
        line(out, "|---|---:|---:|---:|---:|---:|---:|");
        latency(out, "TTFT", m.ttft());
        latency(out, "TPOT", m.tpot());
        latency(out, "ITL", m.itl());
        latency(out, "E2E", m.e2e());
        return out.toString();
    }

    private static String slo(SloTargets slo) {
        String ttft = String.format(Locale.ROOT, "TTFT <= %.0f ms", slo.ttftMs());
        return slo.tpotMs() == null ? ttft : ttft + String.format(Locale.ROOT, ", TPOT <= %.0f ms", slo.tpotMs());
    }

    private static String errors(Map<String, Integer> errors) {
        if (errors.isEmpty()) {
            return "none";
        }
        return errors.entrySet().stream().map(e -> e.getKey() + ": " + e.getValue()).collect(Collectors.joining(", "));
    }

    private static void latency(StringBuilder out, String name, LatencyStats s) {
        if (s.count() == 0) {
            line(out, "| %s | 0 | - | - | - | - | - |", name);
            return;
        }
        line(out, "| %s | %d | %.2f | %.2f | %.2f | %.2f | %.2f |", name, s.count(), s.meanMs(), s.p50Ms(), s.p90Ms(), s.p95Ms(), s.p99Ms());
    }

    private static void line(StringBuilder out, String format, Object... args) {
        out.append(String.format(Locale.ROOT, format, args)).append('\n');
    }
}
