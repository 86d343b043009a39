package dev.morphserve.bench.soak;

/** How one soak request ended, as the report counts them. */
public enum SoakOutcome {
    /** 200 and, when streamed, a clean end with {@code data: [DONE]}. */
    OK,
    /** 4xx: expected for the deliberately bad requests, a bug for any other. */
    CLIENT_ERROR,
    /** 503: the server's admission control turned the request away. */
    OVERLOADED,
    /** Any other 5xx: always a bug. */
    SERVER_ERROR,
    /** The client hung up mid-stream on purpose. */
    DISCONNECT,
    /** Transport failure, timeout, or a 200 stream that carried an error or no [DONE]. */
    ERROR;

    public static SoakOutcome ofStatus(int status) {
        if (status == 200) {
            return OK;
        }
        if (status == 503) {
            return OVERLOADED;
        }
        if (status >= 500) {
            return SERVER_ERROR;
        }
        return status >= 400 ? CLIENT_ERROR : ERROR;
    }

    public boolean isServerError() {
        return this == OVERLOADED || this == SERVER_ERROR;
    }
}
