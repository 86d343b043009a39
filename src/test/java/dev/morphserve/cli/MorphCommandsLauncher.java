package dev.morphserve.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Runs the morph commands from the test classpath until they are registered in MorphServeCommand
 * (profile at the top level, swap-quality under bench): {@code java -cp target/classes:target/test-classes:<deps>
 * dev.morphserve.cli.MorphCommandsLauncher swap-quality ...}.
 */
@Command(name = "morph-dev", subcommands = {ProfileCommand.class, SwapQualityCommand.class, PerplexityCommand.class})
public final class MorphCommandsLauncher {
    public static void main(String... args) {
        CommandLine cli = new CommandLine(new MorphCommandsLauncher());
        cli.setCaseInsensitiveEnumValuesAllowed(true);
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            commandLine.getErr().println("error: " + commandLine.getCommandName() + ": " + CliErrors.describe(e));
            return 1;
        });
        System.exit(cli.execute(args));
    }
}
