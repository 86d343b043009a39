package dev.morphserve.api;

import jakarta.ws.rs.HttpMethod;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * The completion endpoints answer JSON or an event stream depending on the body's
 * {@code stream} flag, not on {@code Accept}; OpenAI's SDKs send {@code Accept: application/json}
 * even for streams and others send {@code text/event-stream}. Content negotiation would answer
 * 406 to one or the other, so the header is neutralized before matching.
 */
public class AcceptAnyFilter {

    @ServerRequestFilter(preMatching = true)
    public void acceptAnything(ContainerRequestContext request) {
        if (HttpMethod.POST.equals(request.getMethod())) {
            String path = request.getUriInfo().getPath();
            if (path.equals("/v1/completions") || path.equals("/v1/chat/completions")) {
                request.getHeaders().putSingle(HttpHeaders.ACCEPT, MediaType.WILDCARD);
            }
        }
    }
}
