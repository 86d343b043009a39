package dev.morphserve.cli;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.enterprise.event.ObserverException;
import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import org.junit.jupiter.api.Test;

class StartupFailureTest {

    @Test
    void theMessageComesFromTheFirstExceptionBelowQuarkussWrappers() {
        IOException ours = new IOException("cannot download http://h/x.gguf: no network connection to h (ConnectException)."
                + " Download the file elsewhere and pass its path with --model", new ConnectException("Connection refused"));
        Throwable wrapped = new RuntimeException("Failed to start quarkus", new ObserverException(ours));

        assertThat(StartupFailure.explaining(wrapped)).isSameAs(ours);
        assertThat(StartupFailure.describe(wrapped))
                .isEqualTo("error: serve: the server could not start: cannot download http://h/x.gguf: no network connection to h"
                        + " (ConnectException). Download the file elsewhere and pass its path with --model."
                        + " (MORPHSERVE_DEBUG=1 shows the stack trace.)");
    }

    @Test
    void aTakenPortSaysWhatToDo() {
        Throwable wrapped = new RuntimeException("Failed to start quarkus", new BindException("Address already in use"));
        assertThat(StartupFailure.describe(wrapped)).contains("Address already in use.", "pass --port N");
    }

    @Test
    void withoutAnyMessageTheRootCauseIsNamed() {
        Throwable wrapped = new RuntimeException(new IllegalStateException());
        assertThat(StartupFailure.describe(wrapped)).contains("could not start: java.lang.IllegalStateException.");
    }
}
