package dev.morphserve.cli;

import dev.morphserve.gguf.GgmlType;
import dev.morphserve.morph.LayerProfile;
import dev.morphserve.morph.SwapOrder;
import dev.morphserve.study.AgreementSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** How {@code bench compare} measures quality: which model, on which text, with which low variant. */
final class QualityOptions {
    @Option(names = "--quality-model", paramLabel = "GGUF", description = "Model whose perplexity stands for quality"
            + " (default: the served model). A trained proxy with another layer count gets the same share of layers swapped.")
    Path model;

    @Option(names = "--quality-context", paramLabel = "TOKENS", defaultValue = "0",
            description = "Context of the quality model (default: its own; stories260K needs 512).")
    int contextTokens;

    @Option(names = "--quality-file", paramLabel = "FILE", defaultValue = "../shared/data/tinystories_validation_head.txt",
            description = "Evaluation text (default ${DEFAULT-VALUE}).")
    Path file;

    @Option(names = "--quality-chars", paramLabel = "N", defaultValue = "20000",
            description = "Characters of the evaluation text scored (default ${DEFAULT-VALUE}).")
    int chars;

    @Option(names = "--low-type", paramLabel = "TYPE", defaultValue = "Q4_0",
            description = "Low-precision variant of the servers and of the quality runs: Q4_0, Q4_K or Q8_0 (default ${DEFAULT-VALUE}).")
    GgmlType lowType;

    @Mixin
    AgreementOptions agreementOptions;

    @Option(names = "--quality-profile", paramLabel = "FILE", description = "LIS profile of the quality model (its swap order);"
            + " default: beside the quality model, else front-to-back. stories260K's ships in docs/results/swap-quality-alg1/.")
    Path profile;

    @Option(names = "--no-quality", description = "Skip the quality measurement.")
    boolean skip;

    AgreementSettings agreement() {
        return agreementOptions.settings();
    }

    /** @param servedModel the served model's file, null when serving from a URL */
    void validate(Path servedModel) {
        if (skip) {
            return;
        }
        if (lowType != GgmlType.Q4_0 && lowType != GgmlType.Q4_K && lowType != GgmlType.Q8_0) {
            throw new IllegalArgumentException("--low-type must be Q4_0, Q4_K or Q8_0, got " + lowType);
        }
        if (model == null && servedModel == null) {
            throw new IllegalArgumentException("with --url, give --quality-model (the served model's file) or --no-quality");
        }
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("--quality-file " + file + " not found: give the evaluation text, or --no-quality");
        }
        if (profile != null && !Files.isRegularFile(profile)) {
            throw new IllegalArgumentException("--quality-profile " + profile + " not found");
        }
        if (chars < 1000) {
            throw new IllegalArgumentException("--quality-chars must be at least 1000, got " + chars);
        }
    }

    /** The quality model's swap order: the given profile's, else the one beside the model (or front-to-back). */
    SwapOrder order(Path qualityModel, int layers) throws java.io.IOException {
        return profile != null ? new SwapOrder(LayerProfile.read(profile).swapOrder(), true, "LIS profile " + profile.getFileName())
                : LayerProfile.loadOrDefault(qualityModel, layers);
    }

    Path modelOr(Path servedModel) {
        return model != null ? model : servedModel;
    }
}
