package dev.udsgate.config;

import java.util.List;
import java.util.Objects;

/**
 * A path an access rule matches, as written in the configuration: {@code /containers/json} exactly,
 * {@code *} for any one segment ({@code /containers/*}{@code /json}), and a last {@code /**} for the
 * path up to there and anything below it ({@code /containers/**}).
 *
 * <p>It is matched against the request's {@link CanonicalPath}, the one form the gateway routes and
 * forwards, so a pattern is written in that form too ({@code %2e} or {@code //} in a pattern could
 * never match and are refused). A request path's one trailing {@code /} is not significant:
 * {@code /version/} matches {@code /version}, as the upstream may well read it so.
 *
 * @param text the pattern as written
 */
public record PathPattern(String text, List<String> segments, boolean anyRest) {

    private static final String ONE = "*";
    private static final String REST = "**";

    public PathPattern {
        Objects.requireNonNull(text, "text");
        segments = List.copyOf(segments);
    }

    /**
     * @throws IllegalArgumentException saying what is wrong with {@code text}
     */
    public static PathPattern parse(String text) {
        if (text == null || !text.startsWith("/")) {
            throw new IllegalArgumentException("must be a path starting with /, such as /containers/*/json");
        }
        if (text.equals("/**")) {
            return new PathPattern(text, List.of(), true);
        }
        String body = text.length() > 1 && text.endsWith("/") ? text.substring(0, text.length() - 1) : text;
        String[] parts = body.substring(1).split("/", -1);
        boolean anyRest = parts[parts.length - 1].equals(REST);
        int fixed = anyRest ? parts.length - 1 : parts.length;
        for (int i = 0; i < fixed; i++) {
            String part = parts[i];
            if (part.equals(REST)) {
                throw new IllegalArgumentException("has ** before its end: ** may only be its last segment, as in "
                        + "/containers/**; use * for one segment");
            }
            if (part.isEmpty() && !(fixed == 1 && parts.length == 1)) {
                throw new IllegalArgumentException("has an empty segment (//), which no request path has");
            }
            if (!part.equals(ONE) && part.contains("*")) {
                throw new IllegalArgumentException(
                        "has a * inside a segment (\"" + part + "\"): * stands for one whole segment only");
            }
            if (!part.equals(ONE) && !part.isEmpty() && !CanonicalPath.isCanonicalForm("/" + part)) {
                throw new IllegalArgumentException("has a segment that is not in canonical form (\"" + part
                        + "\"): write it as the gateway reads it, without . or .., ; or needless escapes");
            }
        }
        List<String> segments = List.of(parts).subList(0, fixed);
        return new PathPattern(text, segments.size() == 1 && segments.get(0).isEmpty() ? List.of() : segments, anyRest);
    }

    /** @param path a canonical path ({@link CanonicalPath#of}) */
    public boolean matches(String path) {
        return matches(path, 0);
    }

    /**
     * @param path a canonical path ({@link CanonicalPath#of})
     * @param from where in {@code path} the part to match begins, at a {@code /}: 0 for the whole
     *     path, the end of an API version segment to match what follows it (nothing is copied)
     */
    public boolean matches(String path, int from) {
        int end = path.length();
        if (end > from + 1 && path.charAt(end - 1) == '/') {
            end--;
        }
        int at = from + 1; // past the leading '/'
        for (String segment : segments) {
            if (at >= end) {
                return false; // the path has no segment left for this one
            }
            int next = path.indexOf('/', at);
            if (next < 0 || next > end) {
                next = end;
            }
            boolean same = next - at == segment.length() && path.startsWith(segment, at);
            if (!segment.equals(ONE) && !same) {
                return false;
            }
            at = next + 1;
        }
        return anyRest || at >= end;
    }

    /**
     * The first segment a matching path must have, or null when any will do ({@code /*}{@code /x},
     * {@code /**}): what an index of rules by a path's first segment files this pattern under. The
     * root pattern {@code /} has the empty segment.
     */
    public String firstSegment() {
        if (segments.isEmpty()) {
            return anyRest ? null : "";
        }
        String first = segments.get(0);
        return first.equals(ONE) ? null : first;
    }
}
