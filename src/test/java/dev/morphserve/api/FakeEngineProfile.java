package dev.morphserve.api;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.Set;

/** Runs the application with {@link FakeEngineClient} as its engine; other tests see no engine bean. */
public class FakeEngineProfile implements QuarkusTestProfile {
    @Override
    public Set<Class<?>> getEnabledAlternatives() {
        return Set.of(FakeEngineClient.class);
    }
}
