package dev.morphserve.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;

/** Runs one command object in-process the way Main does and captures what it printed. */
record CommandRun(int code, String out, String err) {
    static CommandRun of(Object command, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(command);
        cli.setCaseInsensitiveEnumValuesAllowed(true);
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            commandLine.getErr().println("error: " + CliErrors.describe(e));
            return 1;
        });
        int code = cli.execute(args);
        return new CommandRun(code, out.toString(), err.toString());
    }
}
