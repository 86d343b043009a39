package dev.morphserve.cli;

import io.quarkus.runtime.annotations.QuarkusMain;
import picocli.CommandLine;

/**
 * Entry point of the packaged jar. {@code serve} boots Quarkus; every other subcommand is plain
 * Java, so that {@code generate} or {@code bench} never opens an HTTP port or pays for CDI.
 */
@QuarkusMain
public final class Main {
    private Main() {}

    public static void main(String... args) {
        System.exit(run(args));
    }

    static int run(String... args) {
        return new CommandLine(new MorphServeCommand()).execute(args);
    }
}
