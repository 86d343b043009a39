package dev.morphserve.cli;

import dev.morphserve.bench.MorphTimelinePlot;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "plot", mixinStandardHelpOptions = true,
        description = "Plots TTFT, swapped layers and KV capacity over time from bench serve JSON reports (LABEL=FILE ...).")
final class BenchPlotCommand implements Callable<Integer> {
    @Parameters(arity = "1..*", paramLabel = "LABEL=REPORT", description = "A label and a bench serve --output-json file.")
    List<String> runs;

    @Option(names = {"-o", "--output"}, required = true, description = "PNG file to write.")
    Path output;

    @Override
    public Integer call() throws Exception {
        List<MorphTimelinePlot.Run> parsed = new ArrayList<>();
        for (String run : runs) {
            int eq = run.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("'" + run + "' is not LABEL=REPORT.json");
            }
            parsed.add(new MorphTimelinePlot.Run(run.substring(0, eq), Path.of(run.substring(eq + 1))));
        }
        MorphTimelinePlot.write(parsed, output);
        System.out.println("wrote " + output);
        return 0;
    }
}
