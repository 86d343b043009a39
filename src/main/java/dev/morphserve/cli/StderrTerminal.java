package dev.morphserve.cli;

import java.io.Console;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Whether the process's stderr is an interactive terminal, where redrawing a line with '\r' makes sense. */
final class StderrTerminal {
    private static final Path STDERR_LINK = Path.of("/proc/self/fd/2");

    private StderrTerminal() {}

    static boolean isTerminal() {
        // Console.isTerminal looks at stdin and stdout only; `cmd 2> log` on a terminal would still
        // count as one, so on Linux stderr's own file descriptor decides.
        if (Files.isSymbolicLink(STDERR_LINK)) {
            try {
                String target = Files.readSymbolicLink(STDERR_LINK).toString();
                return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
            } catch (IOException | SecurityException e) {
                // fall through to the portable answer
            }
        }
        Console console = System.console();
        return console != null && console.isTerminal();
    }
}
