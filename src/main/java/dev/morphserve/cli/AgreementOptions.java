package dev.morphserve.cli;

import dev.morphserve.study.AgreementSettings;
import picocli.CommandLine.Option;

/** The greedy-agreement measure's options, shared by {@code bench swap-quality} and {@code bench compare}. */
final class AgreementOptions {
    @Option(names = "--agreement-prompts", paramLabel = "P", defaultValue = "16", description = "Prompts for the greedy"
            + " agreement with full precision, evenly spaced over the evaluation text; 0 turns agreement off (default ${DEFAULT-VALUE}).")
    int prompts;

    @Option(names = "--agreement-tokens", paramLabel = "N", defaultValue = "64", description = "Greedy tokens generated per"
            + " prompt and compared position by position (default ${DEFAULT-VALUE}).")
    int newTokens;

    @Option(names = "--agreement-prompt-tokens", paramLabel = "N", defaultValue = "32", description = "Tokens per prompt,"
            + " BOS included (default ${DEFAULT-VALUE}).")
    int promptTokens;

    AgreementSettings settings() {
        return prompts == 0 ? AgreementSettings.OFF : new AgreementSettings(prompts, newTokens, promptTokens);
    }
}
