package dev.morphserve.bench;

import java.io.IOException;
import java.util.List;

/**
 * Where the requests of a benchmark come from. Sealed so that the report can say exactly which
 * kinds exist; each kind turns its source into arrival offsets and token lengths, nothing more
 * (length mapping onto the model's context happens afterwards, in {@link LengthMapper}).
 */
public sealed interface Workload permits AzureTraceWorkload, MooncakeTraceWorkload, SyntheticWorkload {

    /** The requests ordered by arrival, the first one at or after 0 ms. */
    List<TimedRequest> requests() throws IOException;

    /** A short human-readable description for the report. */
    String describe();
}
