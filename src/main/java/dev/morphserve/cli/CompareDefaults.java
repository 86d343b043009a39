package dev.morphserve.cli;

import java.util.Map;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * {@code bench compare}'s own defaults for the load options it shares with {@code bench serve}: a
 * bursty window of the Azure conversation trace, slowed down so that a 2-core machine running the
 * ~200M-parameter synthetic {@code medium} model queues under full precision and the four runs
 * together take about 10 minutes.
 */
final class CompareDefaults implements IDefaultValueProvider {
    private static final Map<String, String> DEFAULTS = Map.of(
            "--trace", "../shared/traces/AzureLLMInferenceTrace_conv.csv",
            "--window-start", "600",
            "--window-seconds", "10",
            "--speedup", "0.1");

    @Override
    public String defaultValue(ArgSpec argSpec) {
        return argSpec instanceof OptionSpec option ? DEFAULTS.get(option.longestName()) : null;
    }
}
