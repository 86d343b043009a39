package dev.morphserve.bench;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/** The Markdown page of a comparison: one row per configuration, the quality curve, and the plots. */
public final class CompareReport {
    private CompareReport() {}

    /**
     * @param quality     null when quality was not measured
     * @param qualityNote which model, text and mapping the quality figures come from
     */
    public static String markdown(String setup, List<CompareRun> runs, CompareQuality quality, String qualityNote) {
        StringBuilder out = new StringBuilder();
        line(out, "# bench compare");
        line(out, "");
        line(out, "%s.", setup);
        line(out, "");
        line(out, "| configuration | over TTFT SLO | over TPOT SLO | TTFT p50 | TTFT p95 | TTFT p99 | TPOT p50 | TPOT p99 | goodput (req/s) "
                + "| output tok/s | req/s | failed | preemptions | swapped layers (time-weighted / max) | tokens under swapped layers "
                + "| perplexity (token-weighted) | greedy agreement (token-weighted) |");
        line(out, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        for (CompareRun run : runs) {
            ServingMetrics m = run.report().metrics();
            line(out, "| %s | %.1f %% | %s | %s | %s | %s | %s | %s | %.3f | %.1f | %.3f | %d | %d | %.2f / %d | %.1f %% | %s | %s |",
                    run.config().label(), 100 * m.ttftMissShare(),
                    m.tpotMissShare() == null ? "no TPOT SLO" : String.format(Locale.ROOT, "%.1f %%", 100 * m.tpotMissShare()),
                    seconds(m.ttft().p50Ms()), seconds(m.ttft().p95Ms()),
                    seconds(m.ttft().p99Ms()), millis(m.tpot().p50Ms()), millis(m.tpot().p99Ms()), m.goodputPerS(),
                    m.outputTokenThroughputPerS(), m.requestThroughputPerS(), m.failed(), run.preemptions(),
                    run.timeWeightedSwappedLayers(), run.maxSwappedLayers(), 100 * run.swappedTokenShare(),
                    quality == null ? "not measured" : perplexity(quality, run),
                    quality == null ? "not measured" : percent(quality.weightedAgreement(run.tokensBySwappedLayers())));
        }
        line(out, "");
        CompareRun baseline = runs.stream().filter(r -> r.config() == CompareConfig.OFF).findFirst().orElse(null);
        if (baseline != null) {
            line(out, "Against full precision (morph off):");
            line(out, "");
            for (CompareRun run : runs) {
                if (run != baseline) {
                    line(out, "- %s: %s", run.config().label(), against(baseline.report().metrics(), run.report().metrics()));
                }
            }
            line(out, "");
        }
        if (quality != null) {
            qualityTable(out, runs, quality, qualityNote);
        }
        line(out, "![latency against quality](latency-quality.png)");
        line(out, "");
        line(out, "![KV capacity, swapped layers and queue over time](timeline.png)");
        line(out, "");
        line(out, "![TTFT CDF](ttft-cdf.png)");
        line(out, "");
        line(out, "Per-request records: `<configuration>.json`; server logs: `<configuration>.server.log`.");
        return out.toString();
    }

    /** "SLO violations -83 %, P95 TTFT 4.1x lower" style comparison of one run against the baseline. */
    static String against(ServingMetrics off, ServingMetrics m) {
        double cut = off.ttftMissShare() == 0 ? Double.NaN : 1 - m.ttftMissShare() / off.ttftMissShare();
        return String.format(Locale.ROOT, "share over the TTFT SLO %.1f %% -> %.1f %% (%s), P95 TTFT %.2fx lower, goodput %.2fx",
                100 * off.ttftMissShare(), 100 * m.ttftMissShare(),
                Double.isNaN(cut) ? "off met the SLO" : String.format(Locale.ROOT, "cut by %.0f %%", 100 * cut),
                off.ttft().p95Ms() / m.ttft().p95Ms(), off.goodputPerS() == 0 ? Double.NaN : m.goodputPerS() / off.goodputPerS());
    }

    private static void qualityTable(StringBuilder out, List<CompareRun> runs, CompareQuality quality, String note) {
        line(out, "Quality: %s. Tokens generated at each swapped-layer count, and the perplexity there:", note);
        line(out, "");
        StringBuilder header = new StringBuilder("| swapped layers (served) | quality-model layers swapped | perplexity | greedy agreement |");
        StringBuilder rule = new StringBuilder("|---:|---:|---:|---:|");
        for (CompareRun run : runs) {
            header.append(' ').append(run.config().id()).append(" tokens |");
            rule.append("---:|");
        }
        line(out, "%s", header);
        line(out, "%s", rule);
        TreeSet<Integer> counts = new TreeSet<>();
        runs.forEach(r -> counts.addAll(r.tokensBySwappedLayers().keySet()));
        counts.add(0);
        for (int k : counts) {
            CompareQuality.Point p = quality.byServedLayers().get(k);
            StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "| %d | %.2f | %.4f (%+.2f %%) | %s |", k, p.qualityLayers(),
                    p.perplexity(), 100 * (p.perplexity() / quality.fullPrecisionPerplexity() - 1), percent(p.agreement())));
            for (CompareRun run : runs) {
                row.append(' ').append(run.tokensBySwappedLayers().getOrDefault(k, 0L)).append(" |");
            }
            line(out, "%s", row);
        }
        line(out, "");
    }

    private static String perplexity(CompareQuality quality, CompareRun run) {
        Map<Integer, Long> tokens = run.tokensBySwappedLayers();
        double p = quality.weightedPerplexity(tokens);
        return Double.isNaN(p) ? "no tokens" : String.format(Locale.ROOT, "%.4f (%+.2f %%)", p, 100 * (p / quality.fullPrecisionPerplexity() - 1));
    }

    private static String percent(double share) {
        return Double.isNaN(share) ? "-" : String.format(Locale.ROOT, "%.1f %%", 100 * share);
    }

    private static String seconds(double ms) {
        return Double.isNaN(ms) ? "-" : String.format(Locale.ROOT, "%.2f s", ms / 1000);
    }

    private static String millis(double ms) {
        return Double.isNaN(ms) ? "-" : String.format(Locale.ROOT, "%.0f ms", ms);
    }

    private static void line(StringBuilder out, String format, Object... args) {
        out.append(String.format(Locale.ROOT, format, args)).append('\n');
    }
}
