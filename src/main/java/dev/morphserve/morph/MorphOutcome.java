package dev.morphserve.morph;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** What became of a command at a step boundary. */
public enum MorphOutcome {
    /** Took effect: the next step runs with it. */
    APPLIED,
    /** Started (a variant is being copied in); an APPLIED or REFUSED event with the same id follows. */
    ACCEPTED,
    /** Not done, nothing changed; the event's detail says why. */
    REFUSED;

    @JsonValue
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Whether no further event will follow for this command. */
    public boolean isFinal() {
        return this != ACCEPTED;
    }
}
