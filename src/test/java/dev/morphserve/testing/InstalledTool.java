package dev.morphserve.testing;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Tests that need a tool installed outside Maven (Chromium, Prometheus, the Node packages): they
 * skip with what to install where it is missing, but fail in CI ({@code CI=true}, which
 * {@code .ci/run} sets), whose set-up is meant to install it.
 */
public final class InstalledTool {
    private InstalledTool() {}

    public static void require(boolean present, String missing) {
        if (!present && "true".equals(System.getenv("CI"))) {
            fail(missing);
        }
        assumeTrue(present, "skipped: " + missing);
    }
}
