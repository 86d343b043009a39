package dev.morphserve.bench.soak;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** {@code soak.png}: server RSS, threads and per-window TTFT p90 over the run, one panel each on the same time axis. */
public final class SoakPlot {
    private SoakPlot() {}

    public static void write(List<SoakSample> samples, Path png) throws IOException {
        System.setProperty("java.awt.headless", "true");
        List<Double> t = new ArrayList<>();
        List<Double> rssMb = new ArrayList<>();
        List<Double> threads = new ArrayList<>();
        List<Double> ttftT = new ArrayList<>();
        List<Double> ttftP90 = new ArrayList<>();
        for (SoakSample s : samples) {
            t.add(s.tSeconds());
            rssMb.add(s.rssBytes() / 1e6);
            threads.add((double) s.threads());
            if (s.window().ttftP90Ms() != null) {
                ttftT.add(s.tSeconds());
                ttftP90.add(s.window().ttftP90Ms());
            }
        }
        List<Chart<?, ?>> charts = List.of(panel("Server RSS", "MB", t, rssMb), panel("Server threads", "threads", t, threads),
                panel("TTFT p90 per window", "ms", ttftT, ttftP90));
        BitmapEncoder.saveBitmap(charts, 3, 1, png.toString(), BitmapEncoder.BitmapFormat.PNG);
    }

    private static XYChart panel(String title, String yTitle, List<Double> x, List<Double> y) {
        XYChart chart = new XYChartBuilder().width(900).height(260).title(title).xAxisTitle("time (s)").yAxisTitle(yTitle).build();
        chart.getStyler().setLegendVisible(false);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
        if (x.isEmpty()) {
            x = List.of(0.0);
            y = List.of(0.0); // xchart refuses an empty series; a lone zero reads as "no data"
        }
        chart.addSeries(title, x, y).setMarker(SeriesMarkers.NONE);
        return chart;
    }
}
