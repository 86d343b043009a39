package dev.morphserve.bench;

import dev.morphserve.study.AgreementSettings;
import dev.morphserve.study.SwapQualityStudy.CurveResult;
import dev.morphserve.study.SwapQualityStudy.Point;
import java.awt.Color;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;
import java.util.stream.Collectors;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.Styler;

/**
 * Renders a swap-quality study as a Markdown table and a PNG line plot (perplexity, and greedy
 * agreement when measured, against the number of low-precision layers, one line per swap order).
 * Needs headless AWT only.
 */
public final class SwapQualityReport {
    // distinguishable in print and for common colour-vision deficiencies (Okabe-Ito), then greys
    private static final Color[] PALETTE = {new Color(0, 114, 178), new Color(230, 159, 0), new Color(0, 158, 115),
        new Color(204, 121, 167), new Color(90, 90, 90), new Color(170, 170, 170)};
    private SwapQualityReport() {}

    /**
     * Columns: k, then per curve the perplexity and its change against k = 0, and beside it (when
     * measured) the greedy agreement with its mean common prefix; curves averaged over several
     * orders also show their min-max range.
     */
    public static String markdown(List<CurveResult> results) {
        boolean agreement = hasAgreement(results);
        StringBuilder md = new StringBuilder("| swapped layers |");
        StringBuilder rule = new StringBuilder("|---:|");
        for (CurveResult r : results) {
            md.append(' ').append(r.curve().name()).append(agreement ? ": perplexity |" : " |");
            rule.append("---:|");
            if (agreement) {
                md.append(' ').append(r.curve().name()).append(": agreement (prefix) |");
                rule.append("---:|");
            }
        }
        md.append('\n').append(rule).append('\n');
        int rows = results.getFirst().points().size();
        for (int k = 0; k < rows; k++) {
            md.append("| ").append(k).append(" |");
            for (CurveResult r : results) {
                Point p = r.points().get(k);
                boolean ranged = r.curve().orders().size() > 1;
                md.append(' ').append(perplexityCell(p, r.points().getFirst().meanPerplexity(), ranged)).append(" |");
                if (agreement) {
                    md.append(' ').append(agreementCell(p, ranged)).append(" |");
                }
            }
            md.append('\n');
        }
        return md.toString();
    }

    /** What the agreement column means, for the text above the table. */
    public static String agreementLegend(AgreementSettings settings) {
        return String.format(Locale.ROOT, "Agreement: share of greedy tokens equal to full precision's at the same"
                + " position, over %d prompts of %d tokens (BOS + text, evenly spaced over the evaluation text) x %d"
                + " generated tokens, each model continuing its own output; in brackets: mean tokens before the first"
                + " difference (of %d).", settings.prompts(), settings.promptTokens(), settings.newTokens(),
                settings.newTokens());
    }

    private static String perplexityCell(Point p, double base, boolean ranged) {
        String cell = String.format(Locale.ROOT, "%.4f (%+.2f%%)", p.meanPerplexity(), 100 * (p.meanPerplexity() / base - 1));
        if (ranged && p.maxPerplexity() > p.minPerplexity()) {
            cell += String.format(Locale.ROOT, " [%.4f–%.4f]", p.minPerplexity(), p.maxPerplexity());
        }
        return cell;
    }

    private static String agreementCell(Point p, boolean ranged) {
        String cell = String.format(Locale.ROOT, "%.1f%%", 100 * p.meanAgreement());
        if (ranged && p.maxAgreement() > p.minAgreement()) {
            cell += String.format(Locale.ROOT, " [%.1f–%.1f%%]", 100 * p.minAgreement(), 100 * p.maxAgreement());
        }
        return cell + String.format(Locale.ROOT, " (%.1f)", p.meanCommonPrefixTokens());
    }

    private static boolean hasAgreement(List<CurveResult> results) {
        return !Double.isNaN(results.getFirst().points().getFirst().meanAgreement());
    }

    /** One line per curve: its swap order(s), first to last. */
    public static String orders(List<CurveResult> results) {
        return results.stream()
                .map(r -> "- " + r.curve().name() + ": "
                        + r.curve().orders().stream().map(Object::toString).collect(Collectors.joining(", ")))
                .collect(Collectors.joining("\n", "", "\n"));
    }

    /** Perplexity against k; below it, when measured, greedy agreement against k (same lines, same colours). */
    public static void writePlot(Path png, String title, List<CurveResult> results) throws IOException {
        // a CLI or CI run has no display; must be set before the first AWT class loads
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
        XYChart perplexity = chart(title + ": perplexity", "perplexity", "0.000", results, Point::meanPerplexity);
        if (!hasAgreement(results)) {
            try (OutputStream out = Files.newOutputStream(png)) {
                BitmapEncoder.saveBitmap(perplexity, out, BitmapEncoder.BitmapFormat.PNG);
            }
            return;
        }
        XYChart agreement = chart(title + ": greedy agreement with full precision", "tokens equal to full precision (%)",
                "0", results, p -> 100 * p.meanAgreement());
        agreement.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE); // lines fall from 100 % at k = 0
        List<Chart<?, ?>> panels = List.of(perplexity, agreement);
        BitmapEncoder.saveBitmap(panels, 2, 1, png.toString(), BitmapEncoder.BitmapFormat.PNG);
    }

    private static XYChart chart(String title, String yTitle, String yPattern, List<CurveResult> results,
            ToDoubleFunction<Point> y) {
        XYChart chart = new XYChartBuilder().width(800).height(500).title(title)
                .xAxisTitle("layers in low precision").yAxisTitle(yTitle).build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW).setMarkerSize(7);
        chart.getStyler().setXAxisDecimalPattern("0").setYAxisDecimalPattern(yPattern);
        for (int i = 0; i < results.size(); i++) {
            CurveResult r = results.get(i);
            double[] xs = r.points().stream().mapToDouble(Point::swapped).toArray();
            double[] ys = r.points().stream().mapToDouble(y).toArray();
            XYSeries series = chart.addSeries(r.curve().name(), xs, ys);
            Color color = PALETTE[i % PALETTE.length];
            series.setLineColor(color);
            series.setMarkerColor(color);
            if (r.curve().name().contains("oracle")) {
                // bounds, not orders: drawn thin and dashed so the orders stand out
                series.setLineStyle(SeriesLines.DASH_DASH);
            }
        }
        return chart;
    }
}
