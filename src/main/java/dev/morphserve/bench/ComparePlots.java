package dev.morphserve.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** The comparison's pictures besides the timeline: latency against quality (paper Figure 4), and TTFT CDFs. */
public final class ComparePlots {
    private ComparePlots() {}

    /** One point per configuration: P95 TTFT and the share over the TTFT SLO against token-weighted perplexity. */
    public static void latencyVsQuality(List<CompareRun> runs, CompareQuality quality, Path png) throws IOException {
        System.setProperty("java.awt.headless", "true");
        XYChart p95 = scatter("P95 TTFT against quality", "P95 TTFT (s)");
        XYChart slo = scatter("Requests over the TTFT SLO against quality", "over the TTFT SLO (%)");
        for (CompareRun run : runs) {
            double ppl = quality.weightedPerplexity(run.tokensBySwappedLayers());
            if (Double.isNaN(ppl)) {
                continue;
            }
            ServingMetrics m = run.report().metrics();
            p95.addSeries(run.config().label(), new double[] {ppl}, new double[] {m.ttft().p95Ms() / 1000});
            slo.addSeries(run.config().label(), new double[] {ppl}, new double[] {100 * m.ttftMissShare()});
        }
        List<Chart<?, ?>> charts = List.of(p95, slo);
        BitmapEncoder.saveBitmap(charts, 1, 2, png.toString(), BitmapEncoder.BitmapFormat.PNG);
    }

    /** Cumulative share of completed requests against TTFT, per configuration, with the SLO as a vertical line. */
    public static void ttftCdf(List<CompareRun> runs, double sloTtftMs, Path png) throws IOException {
        System.setProperty("java.awt.headless", "true");
        XYChart chart = new XYChartBuilder().width(900).height(450).title("TTFT CDF").xAxisTitle("TTFT (s, log scale)")
                .yAxisTitle("share of completed requests").build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideSE);
        chart.getStyler().setXAxisLogarithmic(true);
        chart.getStyler().setYAxisDecimalPattern("0.00");
        chart.getStyler().setYAxisMin(0.0);
        chart.getStyler().setYAxisMax(1.0);
        double minS = Double.POSITIVE_INFINITY;
        for (CompareRun run : runs) {
            double[] ttftS = run.report().requests().stream().filter(r -> r.success() && r.ttftMs() != null)
                    .mapToDouble(r -> Math.max(r.ttftMs(), 1) / 1000).sorted().toArray();
            if (ttftS.length == 0) {
                continue;
            }
            minS = Math.min(minS, ttftS[0]);
            double[] share = new double[ttftS.length];
            Arrays.setAll(share, i -> (i + 1.0) / ttftS.length);
            chart.addSeries(run.config().label(), ttftS, share).setMarker(SeriesMarkers.NONE);
        }
        if (minS < Double.POSITIVE_INFINITY) {
            chart.addSeries("TTFT SLO", new double[] {sloTtftMs / 1000, sloTtftMs / 1000}, new double[] {0, 1})
                    .setMarker(SeriesMarkers.NONE);
        }
        BitmapEncoder.saveBitmap(chart, png.toString(), BitmapEncoder.BitmapFormat.PNG);
    }

    private static XYChart scatter(String title, String yTitle) {
        XYChart chart = new XYChartBuilder().width(600).height(450).title(title).xAxisTitle("perplexity (token-weighted)")
                .yAxisTitle(yTitle).build();
        chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        chart.getStyler().setMarkerSize(12);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
        return chart;
    }
}
