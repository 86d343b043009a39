package dev.morphserve.cli;

import dev.morphserve.bench.AzureTraceWorkload;
import dev.morphserve.bench.LengthMapper;
import dev.morphserve.bench.LengthRange;
import dev.morphserve.bench.MooncakeTraceWorkload;
import dev.morphserve.bench.PromptFactory;
import dev.morphserve.bench.SloTargets;
import dev.morphserve.bench.SyntheticWorkload;
import dev.morphserve.bench.TraceWindow;
import dev.morphserve.bench.Workload;
import java.nio.file.Path;
import java.util.Locale;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;

/**
 * The load a serving benchmark sends, shared by {@code bench serve} and {@code bench compare}: a
 * trace replay (window, speed-up) or a synthetic arrival process, how lengths fit the context, and
 * the latency objectives.
 */
final class WorkloadOptions {
    enum WorkloadKind { SYNTHETIC, AZURE, MOONCAKE }

    @Option(names = "--workload", paramLabel = "KIND", converter = WorkloadKindConverter.class,
            description = "synthetic, azure or mooncake. Default: from --trace's extension (.csv azure, .jsonl mooncake), else synthetic.")
    WorkloadKind workload;

    @Option(names = "--trace", paramLabel = "FILE",
            description = "Trace file for azure/mooncake, e.g. ../shared/traces/AzureLLMInferenceTrace_conv.csv.")
    Path trace;

    @Option(names = "--window-start", paramLabel = "S", defaultValue = "0",
            description = "Trace window start, seconds after the first row (default ${DEFAULT-VALUE}).")
    double windowStartS;

    @Option(names = "--window-seconds", paramLabel = "S", defaultValue = "inf", converter = InfDoubleConverter.class,
            description = "Trace window length in trace seconds, inf for all of it (default ${DEFAULT-VALUE}).")
    double windowSeconds;

    @Option(names = "--speedup", paramLabel = "X", defaultValue = "1",
            description = "Divide trace inter-arrival times by this (default ${DEFAULT-VALUE}).")
    double speedup;

    @Option(names = "--rate", paramLabel = "R", defaultValue = "inf", converter = InfDoubleConverter.class,
            description = "Synthetic arrival rate, requests/s; inf sends all at once (default ${DEFAULT-VALUE}).")
    double ratePerS;

    @Option(names = "--burstiness", paramLabel = "B", defaultValue = "1",
            description = "Gamma shape of synthetic gaps: 1 Poisson, <1 burstier (default ${DEFAULT-VALUE}).")
    double burstiness;

    @Option(names = "--num-requests", paramLabel = "N", defaultValue = "100",
            description = "Synthetic requests (default ${DEFAULT-VALUE}).")
    int numRequests;

    @Option(names = "--prompt-tokens", paramLabel = "N|MIN:MAX", defaultValue = "256", converter = LengthRangeConverter.class,
            description = "Synthetic prompt length N or uniform range MIN:MAX (default ${DEFAULT-VALUE}).")
    LengthRange promptTokens;

    @Option(names = "--output-tokens", paramLabel = "N|MIN:MAX", defaultValue = "128", converter = LengthRangeConverter.class,
            description = "Synthetic output length N or MIN:MAX (default ${DEFAULT-VALUE}).")
    LengthRange outputTokens;

    @Option(names = "--seed", paramLabel = "SEED", defaultValue = "0",
            description = "Seed of arrivals, lengths and prompt words (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--length-mapping", paramLabel = "clip|scale", defaultValue = "scale", converter = MappingModeConverter.class,
            description = "clip: clip lengths that do not fit; scale: one factor so the p99 of prompt+output fits, then clip (default ${DEFAULT-VALUE}).")
    LengthMapper.Mode lengthMapping;

    @Option(names = "--slo-ttft-ms", paramLabel = "MS", defaultValue = "2000",
            description = "TTFT objective for goodput and the SLO violation share (default ${DEFAULT-VALUE}).")
    double sloTtftMs;

    @Option(names = "--slo-tpot-ms", paramLabel = "MS", description = "TPOT objective for goodput (default: none).")
    Double sloTpotMs;

    /** @throws IllegalArgumentException naming the option at fault */
    Workload workload() {
        WorkloadKind kind = workload != null ? workload : inferKind();
        TraceWindow window = new TraceWindow(windowStartS, windowSeconds, speedup);
        return switch (kind) {
            case SYNTHETIC -> new SyntheticWorkload(numRequests, ratePerS, burstiness, promptTokens, outputTokens, seed);
            case AZURE -> new AzureTraceWorkload(requireTrace(kind), window);
            case MOONCAKE -> new MooncakeTraceWorkload(requireTrace(kind), window);
        };
    }

    PromptFactory prompts() {
        return new PromptFactory(seed);
    }

    SloTargets slo() {
        return new SloTargets(sloTtftMs, sloTpotMs);
    }

    private WorkloadKind inferKind() {
        if (trace == null) {
            return WorkloadKind.SYNTHETIC;
        }
        String name = trace.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".csv")) {
            return WorkloadKind.AZURE;
        }
        if (name.endsWith(".jsonl") || name.endsWith(".json")) {
            return WorkloadKind.MOONCAKE;
        }
        throw new IllegalArgumentException("cannot tell the format of " + trace + " from its name: give --workload azure|mooncake");
    }

    private Path requireTrace(WorkloadKind kind) {
        if (trace == null) {
            throw new IllegalArgumentException("--workload " + kind.name().toLowerCase(Locale.ROOT) + " needs --trace FILE");
        }
        return trace;
    }

    /** Accepts "inf" and "infinity" besides numbers, for the options whose natural default is unbounded. */
    static final class InfDoubleConverter implements ITypeConverter<Double> {
        @Override
        public Double convert(String value) {
            String v = value.strip().toLowerCase(Locale.ROOT);
            return v.equals("inf") || v.equals("infinity") ? Double.POSITIVE_INFINITY : Double.valueOf(v);
        }
    }

    static final class LengthRangeConverter implements ITypeConverter<LengthRange> {
        @Override
        public LengthRange convert(String value) {
            return LengthRange.parse(value);
        }
    }

    static final class MappingModeConverter implements ITypeConverter<LengthMapper.Mode> {
        @Override
        public LengthMapper.Mode convert(String value) {
            return LengthMapper.Mode.valueOf(value.strip().toUpperCase(Locale.ROOT));
        }
    }

    static final class WorkloadKindConverter implements ITypeConverter<WorkloadKind> {
        @Override
        public WorkloadKind convert(String value) {
            return WorkloadKind.valueOf(value.strip().toUpperCase(Locale.ROOT));
        }
    }
}
