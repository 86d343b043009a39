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
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The paper's Figure 5 for our runs, on one time axis: TTFT of each request against its send time,
 * the server's KV capacity (with the full-precision capacity as a reference line), the layers
 * swapped to the low variant, and the requests waiting in the queue.
 */
public final class MorphTimelinePlot {
    private MorphTimelinePlot() {}

    /** One run to draw from a {@code bench serve} JSON report file. */
    public record Run(String label, Path report) {}

    /** One run's points: request send times and TTFTs (seconds), and the server samples. */
    public record Timeline(String label, List<Double> sendS, List<Double> ttftS, List<ServerStateSampler.ServerSample> server) {
        public static Timeline of(String label, BenchReport report) {
            List<Double> sent = new ArrayList<>();
            List<Double> ttft = new ArrayList<>();
            for (RequestRecord r : report.requests()) {
                if (r.success() && r.ttftMs() != null) {
                    sent.add(r.sendMs() / 1000);
                    ttft.add(r.ttftMs() / 1000);
                }
            }
            return new Timeline(label, sent, ttft, report.serverState());
        }
    }

    public static void write(List<Run> runs, Path png) throws IOException {
        ObjectMapper json = new ObjectMapper();
        List<Timeline> timelines = new ArrayList<>();
        for (Run run : runs) {
            JsonNode report = json.readTree(run.report().toFile());
            List<Double> sent = new ArrayList<>();
            List<Double> ttft = new ArrayList<>();
            for (JsonNode r : report.path("requests")) {
                if (r.path("success").asBoolean() && r.hasNonNull("ttftMs")) {
                    sent.add(r.path("sendMs").asDouble() / 1000);
                    ttft.add(r.path("ttftMs").asDouble() / 1000);
                }
            }
            List<ServerStateSampler.ServerSample> server = new ArrayList<>();
            for (JsonNode s : report.path("serverState")) {
                server.add(new ServerStateSampler.ServerSample(s.path("tMs").asDouble(), s.path("swappedLayers").asInt(),
                        s.path("kvTotalBlocks").asInt(), s.path("kvFreeBlocks").asInt(), s.path("kvBlockTokens").asInt(),
                        s.path("waitingRequests").asInt(), s.path("runningRequests").asInt(), s.path("preemptions").asLong()));
            }
            timelines.add(new Timeline(run.label(), sent, ttft, server));
        }
        write(timelines, null, png);
    }

    /** @param fullPrecisionKvTokens drawn as a reference line on the capacity chart; null for none */
    public static void write(List<Timeline> timelines, Integer fullPrecisionKvTokens, Path png) throws IOException {
        System.setProperty("java.awt.headless", "true");
        XYChart ttft = chart("TTFT of each request", "TTFT (s)");
        XYChart capacity = chart("KV cache capacity", "tokens");
        XYChart layers = chart("Layers swapped to the low variant", "layers");
        XYChart queue = chart("Requests waiting", "requests");
        double endS = 0;
        for (Timeline run : timelines) {
            if (!run.sendS().isEmpty()) {
                ttft.addSeries(run.label(), run.sendS(), run.ttftS()).setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
            }
            List<Double> t = new ArrayList<>();
            List<Double> swapped = new ArrayList<>();
            List<Double> tokens = new ArrayList<>();
            List<Double> waiting = new ArrayList<>();
            for (var s : run.server()) {
                t.add(s.tMs() / 1000);
                swapped.add((double) s.swappedLayers());
                tokens.add((double) s.kvTotalBlocks() * s.kvBlockTokens());
                waiting.add((double) s.waitingRequests());
            }
            if (!t.isEmpty()) {
                endS = Math.max(endS, t.getLast());
                capacity.addSeries(run.label(), t, tokens).setMarker(SeriesMarkers.NONE);
                layers.addSeries(run.label(), t, swapped).setMarker(SeriesMarkers.NONE);
                queue.addSeries(run.label(), t, waiting).setMarker(SeriesMarkers.NONE);
            }
        }
        if (fullPrecisionKvTokens != null && endS > 0) {
            var line = capacity.addSeries("full-precision capacity", List.of(0.0, endS),
                    List.of((double) fullPrecisionKvTokens, (double) fullPrecisionKvTokens));
            line.setMarker(SeriesMarkers.NONE);
            line.setLineStyle(new java.awt.BasicStroke(2f, java.awt.BasicStroke.CAP_BUTT, java.awt.BasicStroke.JOIN_MITER, 10f,
                    new float[] {6f, 6f}, 0f));
        }
        List<Chart<?, ?>> charts = List.of(ttft, capacity, layers, queue);
        BitmapEncoder.saveBitmap(charts, 4, 1, png.toString(), BitmapEncoder.BitmapFormat.PNG);
    }

    private static XYChart chart(String title, String yTitle) {
        XYChart chart = new XYChartBuilder().width(900).height(280).title(title).xAxisTitle("time since the run started (s)")
                .yAxisTitle(yTitle).build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
        return chart;
    }
}
