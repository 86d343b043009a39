package dev.morphserve.bench.soak;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/** {@code soak.md}: settings, the verdict, the drift summary, totals, morph answers, quiescence and a table of samples. */
public final class SoakMarkdown {
    /** Runs this long get a sample row per minute in the table instead of every sample. */
    private static final double PER_MINUTE_FROM_SECONDS = 600;

    private SoakMarkdown() {}

    public static String render(SoakReport report) {
        StringBuilder md = new StringBuilder();
        SoakReport.Settings s = report.settings();
        md.append("# Soak\n\n");
        md.append(String.format(Locale.ROOT, "Model `%s`, context %s, %.0f s of mixed load at concurrency %d, a morph pass every %.0f s"
                + " (swap order %s), a sample every %.0f s, seed %d, started %s.%n%n", s.model(),
                s.contextTokens() == null ? "the model's" : s.contextTokens() + " tokens", s.durationSeconds(), s.concurrency(),
                s.morphEverySeconds(), s.swapOrder(), s.sampleEverySeconds(), s.seed(), s.startedAt()));
        String failure = report.failure();
        md.append(failure == null ? "**Passed**: no 5xx, the server stayed up, came back to rest and answered a fresh request.\n\n"
                : "**Failed**: " + failure + ".\n\n");
        drift(md, report.drift());
        totals(md, report);
        quiescence(md, report.quiescence());
        samples(md, report.samples(), s.durationSeconds() >= PER_MINUTE_FROM_SECONDS ? 60 : 0);
        return md.toString();
    }

    private static void drift(StringBuilder md, SoakDrift drift) {
        md.append(String.format(Locale.ROOT, "## Drift%n%nEarly phase %.0f-%.0f s against late phase %.0f-%.0f s (ratio late / early).%n%n",
                drift.first().fromSeconds(), drift.first().toSeconds(), drift.last().fromSeconds(), drift.last().toSeconds()));
        md.append("| metric | early | late | ratio |\n|---|---:|---:|---:|\n");
        for (SoakDrift.Row row : drift.rows()) {
            md.append("| ").append(row.metric()).append(" | ").append(number(row.first(), 1)).append(" | ").append(number(row.last(), 1))
                    .append(" | ").append(number(row.ratio(), 2)).append(" |\n");
        }
        md.append('\n');
    }

    private static void totals(StringBuilder md, SoakReport report) {
        md.append("## Requests\n\n| kind |");
        SoakOutcome[] outcomes = SoakOutcome.values();
        for (SoakOutcome o : outcomes) {
            md.append(' ').append(label(o)).append(" |");
        }
        md.append("\n|---|").append("---:|".repeat(outcomes.length)).append('\n');
        for (Map.Entry<String, Map<SoakOutcome, Long>> kind : report.byKind().entrySet()) {
            row(md, "`" + kind.getKey() + "`", kind.getValue());
        }
        row(md, "**all**", report.totals());
        md.append("\n5xx answers: ").append(report.serverErrors()).append(" (of which 503: ")
                .append(report.totals().get(SoakOutcome.OVERLOADED)).append(").\n");
        if (!report.failureExamples().isEmpty()) {
            md.append("\nFirst unexpected failures:\n\n");
            report.failureExamples().forEach(f -> md.append("- ").append(f.replace('|', '/')).append('\n'));
        }
        md.append("\nMorph commands (").append(report.morphPasses()).append(" passes over the layers), answers by status: ")
                .append(report.morphAnswers().isEmpty() ? "none" : report.morphAnswers().toString()).append(".\n\n")
                .append("ERROR lines in server.log: ").append(report.serverLogErrors()).append(".\n\n");
    }

    private static void row(StringBuilder md, String name, Map<SoakOutcome, Long> counts) {
        md.append("| ").append(name).append(" |");
        for (SoakOutcome o : SoakOutcome.values()) {
            md.append(' ').append(counts.getOrDefault(o, 0L)).append(" |");
        }
        md.append('\n');
    }

    private static void quiescence(StringBuilder md, Quiescence q) {
        md.append("## After the load\n\n");
        if (q == null) {
            md.append("Not checked: the server was gone.\n\n");
            return;
        }
        ServerProbe.MorphSnapshot last = q.last();
        md.append(String.format(Locale.ROOT, "Quiescence %s after %.1f s: running %s, waiting %s, KV free blocks %s of %s;"
                + " fresh request answered %d.%s%n%n", q.passed() ? "**passed**" : "**failed**", q.waitedSeconds(),
                last == null ? "?" : last.queueRunning(), last == null ? "?" : last.queueWaiting(),
                last == null ? "?" : last.kvFreeBlocks(), last == null ? "?" : last.kvTotalBlocks(), q.freshStatus(),
                q.detail() == null ? "" : " " + q.detail()));
    }

    private static void samples(StringBuilder md, List<SoakSample> samples, double rowEverySeconds) {
        md.append("## Samples\n\n").append(rowEverySeconds > 0 ? "One row per minute; every sample is in soak.json. " : "")
                .append("Latencies and counts cover the requests that ended in the sample's window.\n\n")
                .append("| t (s) | RSS (MB) | threads | heap (MB) | running | waiting | KV free/total | swapped | TTFT p50 (ms) | TTFT p90 (ms) | TPOT p50 (ms) | ok | 4xx | 5xx | hung up | errors |\n")
                .append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        double nextRow = 0;
        for (SoakSample s : samples) {
            if (s.tSeconds() + 1e-6 < nextRow) {
                continue;
            }
            nextRow = s.tSeconds() + rowEverySeconds;
            WindowStats w = s.window();
            md.append(String.format(Locale.ROOT, "| %.0f | %.1f | %d | %s | %s | %s | %s/%s | %s | %s | %s | %s | %d | %d | %d | %d | %d |%n",
                    s.tSeconds(), s.rssBytes() / 1e6, s.threads(), s.heapUsedBytes() == null ? "-" : number(s.heapUsedBytes() / 1e6, 1),
                    dash(s.queueRunning()), dash(s.queueWaiting()), dash(s.kvFreeBlocks()), dash(s.kvTotalBlocks()), dash(s.swappedLayers()),
                    number(w.ttftP50Ms(), 1), number(w.ttftP90Ms(), 1), number(w.tpotP50Ms(), 2), w.outcomes().get(SoakOutcome.OK),
                    w.outcomes().get(SoakOutcome.CLIENT_ERROR),
                    w.outcomes().get(SoakOutcome.OVERLOADED) + w.outcomes().get(SoakOutcome.SERVER_ERROR),
                    w.outcomes().get(SoakOutcome.DISCONNECT), w.outcomes().get(SoakOutcome.ERROR)));
        }
    }

    private static String label(SoakOutcome o) {
        return switch (o) {
            case OK -> "200";
            case CLIENT_ERROR -> "4xx";
            case OVERLOADED -> "503";
            case SERVER_ERROR -> "other 5xx";
            case DISCONNECT -> "hung up";
            case ERROR -> "error";
        };
    }

    private static String dash(Integer value) {
        return value == null ? "-" : value.toString();
    }

    private static String number(Double value, int decimals) {
        return value == null ? "-" : String.format(Locale.ROOT, "%." + decimals + "f", value);
    }
}
