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
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
            System.err.println("error: the Java Vector API module is missing; start the JVM with"
                    + " --add-modules jdk.incubator.vector (the ./morphserve script does)");
            return 2;
        }
        return commandLine().execute(args);
    }

    /** The configured command tree; tests drive it directly. */
    static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new MorphServeCommand());
        cli.setCaseInsensitiveEnumValuesAllowed(true);
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            // Users get one line that says what is wrong; MORPHSERVE_DEBUG=1 adds the stack trace.
            commandLine.getErr().println("error: " + commandLine.getCommandName() + ": " + CliErrors.describe(e));
            if (DebugMode.enabled()) {
                e.printStackTrace(commandLine.getErr());
            }
            return 1;
        });
        return cli;
    }
}
