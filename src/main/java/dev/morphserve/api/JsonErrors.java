package dev.morphserve.api;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.InputCoercionException;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.PropertyBindingException;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Deque;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Turns Jackson's refusals into 400s in the client's terms: the field as a JSON path
 * ({@code messages[0].role}) and the reason in JSON's words ("expected an integer"). Jackson's
 * own messages name Java types and its feature switches, which mean nothing to a client.
 */
final class JsonErrors {
    private JsonErrors() {}

    static ApiException describe(JsonProcessingException e) {
        return switch (e) {
            case PropertyBindingException unknown -> ApiException.unsupportedParameter(path(unknown),
                    "Unsupported parameter '" + path(unknown) + "': this server does not implement it; remove it from the request");
            case InvalidFormatException format when format.getValue() != null -> typeError(format, " (got " + format.getValue() + ")");
            case MismatchedInputException trailing when String.valueOf(trailing.getOriginalMessage()).startsWith("Trailing token") -> malformed(trailing);
            case MismatchedInputException mismatch -> typeError(mismatch, "");
            case JsonMappingException other -> new ApiException(400, "invalid_request_error", emptyToNull(path(other)),
                    "invalid_value", "Invalid value" + at(path(other)) + ": " + clean(other.getOriginalMessage()));
            case InputCoercionException range -> ApiException.badRequest(emptyToNull(parserPath(range)),
                    "Invalid value" + at(parserPath(range)) + ": " + clean(range.getOriginalMessage()).replace("Numeric value", "the number")
                            .replace(" of int ", " for an integer ").replace(" of long ", " for a 64-bit integer "));
            case StreamReadException parse -> malformed(parse);
            default -> malformed(e);
        };
    }

    private static ApiException typeError(MismatchedInputException e, String got) {
        String param = path(e);
        if (param.isEmpty()) {
            return new ApiException(400, "invalid_request_error", null, "invalid_type",
                    "The request body must be a JSON object with the request's fields");
        }
        return new ApiException(400, "invalid_request_error", param, "invalid_type",
                "Invalid type for '" + param + "': expected " + expected(e.getTargetType()) + got);
    }

    private static ApiException malformed(JsonProcessingException e) {
        String param = valueFieldPath(e);
        JsonLocation where = e.getLocation();
        String position = where == null ? "" : " at line " + where.getLineNr() + ", column " + where.getColumnNr();
        String reason = clean(e.getOriginalMessage());
        Matcher duplicate = DUPLICATE.matcher(String.valueOf(e.getOriginalMessage()));
        if (reason.contains("'NaN'") || reason.contains("Infinity")) {
            reason = "NaN and Infinity are not JSON numbers";
        } else if (duplicate.find()) {
            param = parentPath(e, duplicate.group(1));
            reason = "duplicate field '" + param + "'";
        } else if (reason.startsWith("Trailing token")) {
            reason = "unexpected text after the JSON object";
        }
        return new ApiException(400, "invalid_request_error", emptyToNull(param), "invalid_json",
                "Malformed JSON" + position + (param.isEmpty() ? "" : " (field '" + param + "')") + ": " + reason);
    }

    private static final Pattern DUPLICATE = Pattern.compile("Duplicate (?:field|Object property) ['\"]([^'\"]*)['\"]");

    /**
     * The field whose value the parser choked on: only while it stands right after a field name
     * ({@code "temperature": NaN}); after a complete value the name would be the previous field's.
     */
    private static String valueFieldPath(JsonProcessingException e) {
        return e.getProcessor() instanceof JsonParser parser && parser.currentToken() == JsonToken.FIELD_NAME
                ? contextPath(parser.getParsingContext()) : "";
    }

    private static String parentPath(JsonProcessingException e, String field) {
        String parent = e.getProcessor() instanceof JsonParser parser && parser.getParsingContext().getParent() != null
                ? contextPath(parser.getParsingContext().getParent()) : "";
        return parent.isEmpty() ? field : parent + "." + field;
    }

    /** What a Java target type is called in JSON. */
    private static String expected(Class<?> type) {
        if (type == null) {
            return "a different value";
        }
        if (type == Integer.class || type == int.class || type == Long.class || type == long.class) {
            return "an integer";
        }
        if (type == Double.class || type == double.class || type == Float.class || type == float.class) {
            return "a number";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "a boolean";
        }
        if (type == String.class) {
            return "a string";
        }
        if (Collection.class.isAssignableFrom(type) || type.isArray()) {
            return "an array";
        }
        if (JsonNode.class.isAssignableFrom(type)) {
            return "a JSON value";
        }
        return "an object";
    }

    /** {@code messages[0].role}, from the mapping exception's reference chain. */
    private static String path(JsonMappingException e) {
        return e.getPath().stream()
                .map(ref -> ref.getFieldName() != null ? ref.getFieldName() : "[" + ref.getIndex() + "]")
                .collect(Collectors.joining(".")).replace(".[", "[");
    }

    /** The same path for a failure inside the parser (before any mapping started). */
    private static String parserPath(JsonProcessingException e) {
        return e.getProcessor() instanceof JsonParser parser ? contextPath(parser.getParsingContext()) : "";
    }

    private static String contextPath(JsonStreamContext context) {
        Deque<String> parts = new ArrayDeque<>();
        for (JsonStreamContext c = context; c != null && !c.inRoot(); c = c.getParent()) {
            if (c.inObject() && c.getCurrentName() != null) {
                parts.addFirst("." + c.getCurrentName());
            } else if (c.inArray()) {
                parts.addFirst("[" + Math.max(0, c.getCurrentIndex()) + "]");
            }
        }
        String joined = String.join("", parts);
        return joined.startsWith(".") ? joined.substring(1) : joined;
    }

    /** The first line of Jackson's message without its Java type names and feature hints. */
    private static String clean(String message) {
        if (message == null) {
            return "invalid input";
        }
        String line = message.lines().findFirst().orElse("");
        int hint = line.indexOf(": enable ");
        if (hint < 0) {
            hint = line.indexOf("; enable ");
        }
        if (hint >= 0) {
            line = line.substring(0, hint);
        }
        line = line.replaceAll("`[^`]*`", "value").replaceAll("\\b(java|dev|com)\\.[\\w.$]+", "value");
        return line.strip();
    }

    private static String at(String param) {
        return param.isEmpty() ? "" : " for '" + param + "'";
    }

    private static String emptyToNull(String s) {
        return s.isEmpty() ? null : s;
    }
}
