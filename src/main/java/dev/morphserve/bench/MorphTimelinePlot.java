package dev.morphserve.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The paper's Figure 5 for our runs: per `bench serve` report, TTFT of each request against its
 * send time, and the server's swapped layers and KV capacity (tokens) over the same time axis.
 */
public final class MorphTimelinePlot {
    private MorphTimelinePlot() {}

    /** One run to draw: its label and its JSON report. */
    public record Run(String label, Path report) {}

    public static void write(List<Run> runs, Path png) throws IOException {
        System.setProperty("java.awt.headless", "true");
        XYChart ttft = chart("TTFT of each request", "TTFT (s)");
        XYChart layers = chart("Layers swapped to the low variant", "layers");
        XYChart capacity = chart("KV cache capacity", "tokens");
        ObjectMapper json = new ObjectMapper();
        for (Run run : runs) {
            JsonNode report = json.readTree(run.report().toFile());
            List<Double> sent = new ArrayList<>();
            List<Double> firstToken = new ArrayList<>();
            for (JsonNode r : report.path("requests")) {
                if (r.path("success").asBoolean() && r.hasNonNull("ttftMs")) {
                    sent.add(r.path("sendMs").asDouble() / 1000);
                    firstToken.add(r.path("ttftMs").asDouble() / 1000);
                }
            }
            if (!sent.isEmpty()) {
                XYSeries s = ttft.addSeries(run.label(), sent, firstToken);
                s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
            }
            List<Double> t = new ArrayList<>();
            List<Double> swapped = new ArrayList<>();
            List<Double> tokens = new ArrayList<>();
            for (JsonNode s : report.path("serverState")) {
                t.add(s.path("tMs").asDouble() / 1000);
                swapped.add(s.path("swappedLayers").asDouble());
                tokens.add(s.path("kvTotalBlocks").asDouble() * s.path("kvBlockTokens").asDouble());
            }
            if (!t.isEmpty()) {
                layers.addSeries(run.label(), t, swapped).setMarker(SeriesMarkers.NONE);
                capacity.addSeries(run.label(), t, tokens).setMarker(SeriesMarkers.NONE);
            }
        }
        List<Chart> charts = List.of(ttft, layers, capacity);
        BitmapEncoder.saveBitmap(charts.stream().map(c -> (org.knowm.xchart.internal.chartpart.Chart<?, ?>) c).toList(),
                3, 1, png.toString(), BitmapEncoder.BitmapFormat.PNG);
    }

    private static XYChart chart(String title, String yTitle) {
        XYChart chart = new XYChartBuilder().width(900).height(300).title(title).xAxisTitle("time since the run started (s)")
                .yAxisTitle(yTitle).build();
        chart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.InsideNE);
        return chart;
    }
}
