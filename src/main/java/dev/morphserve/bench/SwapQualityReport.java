package dev.morphserve.bench;

import dev.morphserve.morph.SwapQualityStudy.CurveResult;
import dev.morphserve.morph.SwapQualityStudy.Point;
import java.awt.Color;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.Styler;

/**
 * Renders a swap-quality study as a Markdown table and a PNG line plot (perplexity against the
 * number of low-precision layers, one line per swap order). Needs headless AWT only.
 */
public final class SwapQualityReport {
    // distinguishable in print and for common colour-vision deficiencies (Okabe-Ito), then greys
    private static final Color[] PALETTE = {new Color(0, 114, 178), new Color(230, 159, 0), new Color(0, 158, 115),
        new Color(204, 121, 167), new Color(90, 90, 90), new Color(170, 170, 170)};
    private SwapQualityReport() {}

    /**
     * Columns: k, then per curve the perplexity and its change against k = 0; curves averaged over
     * several orders also show their min-max range.
     */
    public static String markdown(List<CurveResult> results) {
        StringBuilder md = new StringBuilder("| swapped layers |");
        StringBuilder rule = new StringBuilder("|---:|");
        for (CurveResult r : results) {
            md.append(' ').append(r.curve().name()).append(" |");
            rule.append("---:|");
        }
        md.append('\n').append(rule).append('\n');
        int rows = results.getFirst().points().size();
        for (int k = 0; k < rows; k++) {
            md.append("| ").append(k).append(" |");
            for (CurveResult r : results) {
                Point p = r.points().get(k);
                double base = r.points().getFirst().meanPerplexity();
                md.append(String.format(Locale.ROOT, " %.4f (%+.2f%%)", p.meanPerplexity(),
                        100 * (p.meanPerplexity() / base - 1)));
                if (r.curve().orders().size() > 1 && p.maxPerplexity() > p.minPerplexity()) {
                    md.append(String.format(Locale.ROOT, " [%.4f–%.4f]", p.minPerplexity(), p.maxPerplexity()));
                }
                md.append(" |");
            }
            md.append('\n');
        }
        return md.toString();
    }

    /** One line per curve: its swap order(s), first to last. */
    public static String orders(List<CurveResult> results) {
        return results.stream()
                .map(r -> "- " + r.curve().name() + ": "
                        + r.curve().orders().stream().map(Object::toString).collect(Collectors.joining(", ")))
                .collect(Collectors.joining("\n", "", "\n"));
    }

    public static void writePlot(Path png, String title, List<CurveResult> results) throws IOException {
        // a CLI or CI run has no display; must be set before the first AWT class loads
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
        XYChart chart = new XYChartBuilder().width(800).height(500).title(title)
                .xAxisTitle("layers in low precision").yAxisTitle("perplexity").build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW).setMarkerSize(7);
        chart.getStyler().setXAxisDecimalPattern("0").setYAxisDecimalPattern("0.000");
        for (int i = 0; i < results.size(); i++) {
            CurveResult r = results.get(i);
            double[] x = r.points().stream().mapToDouble(Point::swapped).toArray();
            double[] y = r.points().stream().mapToDouble(Point::meanPerplexity).toArray();
            XYSeries series = chart.addSeries(r.curve().name(), x, y);
            Color color = PALETTE[i % PALETTE.length];
            series.setLineColor(color);
            series.setMarkerColor(color);
            if (r.curve().name().contains("oracle")) {
                // bounds, not orders: drawn thin and dashed so the orders stand out
                series.setLineStyle(SeriesLines.DASH_DASH);
            }
        }
        try (OutputStream out = Files.newOutputStream(png)) {
            BitmapEncoder.saveBitmap(chart, out, BitmapEncoder.BitmapFormat.PNG);
        }
    }
}
