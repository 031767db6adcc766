package dev.udsgate.config;

/**
 * The one form of a request path that the gateway matches routes on, strips prefixes from and
 * forwards: computed once per request, so that udsgate and the upstream can never read one path
 * two ways.
 *
 * <p>From the raw (still percent-encoded) path: percent-encoded unreserved characters ({@code A-Z
 * a-z 0-9 - . _ ~}) are decoded and every other escape is kept, with upper-case hex (RFC 3986
 * §6.2.2); {@code .} and {@code ..} segments are resolved. A trailing {@code /} is kept.
 *
 * <p>Refused, because an upstream may read them otherwise than udsgate does: an encoded {@code /}
 * ({@code %2F}) or {@code \} ({@code %5C}), an empty segment ({@code //}: one server merges it,
 * another keeps it, and Jetty's parser refuses it before the gateway sees it), an encoded NUL ({@code %00}), a dot segment written with
 * an escape ({@code %2e%2e}), a {@code \}, a {@code ;} (path parameters, which Java servers cut out
 * and others keep), a {@code ..} above the root, a broken escape, and anything that is not a path
 * ({@code *}, or text that does not start with {@code /}). Printable characters that a path may
 * not carry as they are ({@code | " < > [ ] ^ ` { }}) are percent-encoded.
 *
 * <p>A path that needs none of this (nearly all) is returned as it is, with nothing allocated.
 */
public final class CanonicalPath {

    private CanonicalPath() {}

    /** Why a path is refused, in words for the client. */
    public static final class Refused extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        Refused(String reason) {
            super(reason, null);
        }
    }

    /**
     * @param raw the path of the request target, as sent (percent-encoded), without the query
     * @return the canonical path
     * @throws Refused if the path is ambiguous or not a path
     */
    public static String of(String raw) {
        if (raw == null || raw.isEmpty() || raw.charAt(0) != '/') {
            throw new Refused("the request target must be a path starting with /");
        }
        if (isCanonical(raw)) {
            return raw;
        }
        return canonicalise(raw);
    }

    /** True if {@code path} is a path in canonical form: as {@link #of} would return it. */
    public static boolean isCanonicalForm(String path) {
        try {
            return of(path).equals(path);
        } catch (Refused e) {
            return false;
        }
    }

    /** The quick scan: no escape, no forbidden character, no empty or dot segment. */
    private static boolean isCanonical(String raw) {
        int n = raw.length();
        for (int i = 0; i < n; i++) {
            char c = raw.charAt(i);
            if (c != '/' && !isPchar(c)) {
                return false;
            }
            if (c == '/' && i + 1 < n) {
                char next = raw.charAt(i + 1);
                if (next == '/' || (next == '.' && isDotSegment(raw, i + 1))) {
                    return false;
                }
            }
        }
        return true;
    }

    /** Whether the segment starting at {@code start} is exactly "." or "..". */
    private static boolean isDotSegment(String raw, int start) {
        int end = raw.indexOf('/', start);
        int length = (end < 0 ? raw.length() : end) - start;
        return (length == 1) || (length == 2 && raw.charAt(start + 1) == '.');
    }

    private static String canonicalise(String raw) {
        StringBuilder out = new StringBuilder(raw.length());
        int n = raw.length();
        int i = 1; // past the leading '/'
        boolean endsWithSlash = raw.charAt(n - 1) == '/';
        StringBuilder segment = new StringBuilder();
        while (i <= n) {
            int end = raw.indexOf('/', i);
            if (end < 0) {
                end = n;
            }
            segment.setLength(0);
            boolean escapedDot = decodeSegment(raw, i, end, segment);
            i = end + 1;
            if (segment.length() == 0) {
                if (i <= n) {
                    throw new Refused("the path has an empty segment (//)");
                }
                continue; // the trailing slash
            }
            boolean dot = segment.length() == 1 && segment.charAt(0) == '.';
            boolean dotDot = segment.length() == 2 && segment.charAt(0) == '.' && segment.charAt(1) == '.';
            if ((dot || dotDot) && escapedDot) {
                throw new Refused("the path has a dot segment written with %2E: send . or .. as they are");
            }
            if (dot) {
                continue;
            }
            if (dotDot) {
                int cut = out.lastIndexOf("/");
                if (cut < 0) {
                    throw new Refused("the path goes above the root with ..");
                }
                out.setLength(cut);
                continue;
            }
            out.append('/').append(segment);
        }
        if (out.length() == 0 || endsWithSlash || endsInDotSegment(raw)) {
            out.append('/');
        }
        return out.toString();
    }

    /** "/a/." and "/a/b/.." name a folder, as RFC 3986's remove_dot_segments leaves them: "/a/". */
    private static boolean endsInDotSegment(String raw) {
        int slash = raw.lastIndexOf('/');
        String last = raw.substring(slash + 1);
        return last.equals(".") || last.equals("..");
    }

    /**
     * Appends the segment {@code raw[start, end)} to {@code out}, unreserved escapes decoded and
     * the others upper-cased.
     *
     * @return whether an escape decoded to '.'
     */
    private static boolean decodeSegment(String raw, int start, int end, StringBuilder out) {
        boolean escapedDot = false;
        for (int i = start; i < end; i++) {
            char c = raw.charAt(i);
            if (c == ';') {
                throw new Refused("the path has a ';' (path parameters are read differently by different servers):"
                        + " send it as %3B if it is part of a name");
            }
            if (c == '\\') {
                throw new Refused("the path has a '\\': send it as %5C only if it is data, or use /");
            }
            if (c < 0x21 || c > 0x7e) {
                throw new Refused("the path has a character that must be percent-encoded");
            }
            if (c != '%') {
                if (isPchar(c)) {
                    out.append(c);
                } else {
                    // Printable but not allowed in a path as it is ({@code | " < > [ ] ^ ` { }}): the
                    // same character, escaped, so every upstream and java.net.URI read one path.
                    out.append('%').append(HEX[c >> 4]).append(HEX[c & 0xf]);
                }
                continue;
            }
            if (i + 2 >= end) {
                throw new Refused("the path has a broken percent-escape");
            }
            int high = Character.digit(raw.charAt(i + 1), 16);
            int low = Character.digit(raw.charAt(i + 2), 16);
            if (high < 0 || low < 0) {
                throw new Refused("the path has a broken percent-escape");
            }
            char decoded = (char) (high * 16 + low);
            switch (decoded) {
                case '/' -> throw new Refused("the path has an encoded / (%2F), which upstreams read differently");
                case '\\' -> throw new Refused("the path has an encoded \\ (%5C), which upstreams read differently");
                case 0 -> throw new Refused("the path has an encoded NUL (%00)");
                default -> {}
            }
            if (isUnreserved(decoded)) {
                out.append(decoded);
                escapedDot |= decoded == '.';
            } else {
                out.append('%')
                        .append(Character.toUpperCase(raw.charAt(i + 1)))
                        .append(Character.toUpperCase(raw.charAt(i + 2)));
            }
            i += 2;
        }
        return escapedDot;
    }

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    /** RFC 3986's pchar, less '%' and ';' (which are never taken as they are). */
    private static boolean isPchar(char c) {
        if (isUnreserved(c)) {
            return true;
        }
        return switch (c) {
            case '!', '$', '&', '\'', '(', ')', '*', '+', ',', '=', ':', '@' -> true;
            default -> false;
        };
    }

    private static boolean isUnreserved(char c) {
        return (c >= 'a' && c <= 'z')
                || (c >= 'A' && c <= 'Z')
                || (c >= '0' && c <= '9')
                || c == '-'
                || c == '.'
                || c == '_'
                || c == '~';
    }
}
