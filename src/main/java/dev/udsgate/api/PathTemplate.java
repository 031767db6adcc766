package dev.udsgate.api;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** A route path such as {@code /v1/connections/{id}}: literal segments, and named ones that match any one segment. */
final class PathTemplate {

    private final String text;
    private final List<String> segments;

    PathTemplate(String text) {
        if (!text.startsWith("/")) {
            throw new IllegalArgumentException("a route path starts with /: " + text);
        }
        this.text = text;
        this.segments = List.of(text.substring(1).split("/", -1));
    }

    /** The template as written, such as {@code /v1/connections/{id}}. */
    String template() {
        return text;
    }

    /** The values of the named segments if {@code path} matches, or null. */
    Map<String, String> match(String path) {
        if (path.isEmpty() || path.charAt(0) != '/') {
            return null;
        }
        Map<String, String> parameters = Map.of();
        int start = 1;
        for (int i = 0; i < segments.size(); i++) {
            int end = path.indexOf('/', start);
            boolean last = i == segments.size() - 1;
            if (last != (end < 0)) {
                return null;
            }
            String actual = path.substring(start, last ? path.length() : end);
            String expected = segments.get(i);
            if (isParameter(expected)) {
                if (actual.isEmpty()) {
                    return null;
                }
                if (parameters.isEmpty()) {
                    parameters = new HashMap<>();
                }
                parameters.put(expected.substring(1, expected.length() - 1), actual);
            } else if (!expected.equals(actual)) {
                return null;
            }
            start = end + 1;
        }
        return parameters;
    }

    private static boolean isParameter(String segment) {
        return segment.length() > 2 && segment.startsWith("{") && segment.endsWith("}");
    }

    @Override
    public String toString() {
        return text;
    }
}
