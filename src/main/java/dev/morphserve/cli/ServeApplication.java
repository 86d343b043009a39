package dev.morphserve.cli;

import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.QuarkusApplication;

/** What Quarkus runs for {@code serve}: the HTTP server until a signal or {@code Quarkus.asyncExit}. */
public final class ServeApplication implements QuarkusApplication {
    @Override
    public int run(String... args) {
        Quarkus.waitForExit();
        return 0;
    }
}
