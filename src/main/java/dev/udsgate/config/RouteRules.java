package dev.udsgate.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Turns a written route into a checked {@link RouteConfig}, collecting every error with its key
 * path, so that a file or an API body is corrected in one go.
 */
public final class RouteRules {

    private static final Pattern NAME = Pattern.compile("[a-z0-9]([a-z0-9-]{0,62}[a-z0-9])?");
    private static final Pattern HOST_LABELS =
            Pattern.compile("[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*");

    /** A route's upstreams, at most: each has its own health checks, for as long as the route lives. */
    public static final int MAX_UPSTREAMS_PER_ROUTE = 64;

    /** The shortest health-check interval: checks are a cost on every upstream, for as long as the route lives. */
    public static final Duration MIN_HEALTH_CHECK_INTERVAL = Duration.ofSeconds(1);

    /**
     * The longest connect timeout: a local upstream accepts at once or refuses at once, and a
     * connect that waits longer is waiting for a listener that is not coming (nginx caps its
     * {@code proxy_connect_timeout} at 75 seconds).
     */
    public static final Duration MAX_CONNECT_TIMEOUT = Duration.ofSeconds(75);

    private RouteRules() {}

    /** Whether a path belongs to udsgate's own API, which no route may take. */
    public static boolean isApiPath(String path) {
        return path.equals("/_ping") || path.equals("/metrics") || path.equals("/v1") || path.startsWith("/v1/");
    }

    /** What is wrong with a route's name, if anything: the rules a name must follow, and what it is. */
    public static Optional<String> nameProblem(String name) {
        if (name != null && NAME.matcher(name).matches()) {
            return Optional.empty();
        }
        return Optional.of("must be 1 to 64 lower-case letters, digits and dashes, such as \"billing\"; got "
                + quoted(printable(name)));
    }

    /**
     * Checks one route.
     *
     * @param at the key path of the route, such as {@code routes[2]} (or "" for an API body)
     * @param errors where to add what is wrong
     * @return the route, or empty if anything was wrong
     */
    public static Optional<RouteConfig> check(RouteDocument doc, String at, List<FieldError> errors) {
        int before = errors.size();
        String prefix = at.isEmpty() ? "" : at + ".";
        if (doc == null) {
            errors.add(new FieldError(at.isEmpty() ? "(body)" : at, "a route is needed"));
            return Optional.empty();
        }
        String name = doc.name();
        nameProblem(name).ifPresent(reason -> errors.add(new FieldError(prefix + "name", reason)));
        Optional<String> host =
                Optional.ofNullable(doc.host()).map(String::strip).filter(h -> !h.isEmpty());
        host.ifPresent(h -> checkHost(h, prefix + "host", errors));
        String pathPrefix = doc.pathPrefix() == null ? "/" : doc.pathPrefix();
        checkPathPrefix(pathPrefix, prefix + "pathPrefix", errors);
        if (host.isEmpty() && doc.pathPrefix() == null) {
            errors.add(
                    new FieldError(prefix + "host", "a route matches on host, pathPrefix or both; give at least one"));
        }
        List<UpstreamAddress> upstreams = upstreams(doc.upstreams(), prefix + "upstreams", errors);
        Duration connect =
                duration(doc.connectTimeout(), RouteConfig.DEFAULT_CONNECT_TIMEOUT, prefix + "connectTimeout", errors);
        Duration response = duration(
                doc.responseTimeout(), RouteConfig.DEFAULT_RESPONSE_TIMEOUT, prefix + "responseTimeout", errors);
        if (connect.isZero()) {
            errors.add(new FieldError(prefix + "connectTimeout", "must be more than 0"));
        } else if (connect.compareTo(MAX_CONNECT_TIMEOUT) > 0) {
            errors.add(new FieldError(
                    prefix + "connectTimeout", "must be at most " + DurationText.format(MAX_CONNECT_TIMEOUT)));
        }
        Optional<HealthCheckConfig> check = healthCheck(doc.healthCheck(), prefix + "healthCheck", errors);
        IdentityForwarding identity = doc.identityHeaders() == null
                ? IdentityForwarding.KERNEL
                : IdentityForwarding.parse(doc.identityHeaders()).orElse(null);
        if (identity == null) {
            errors.add(new FieldError(
                    prefix + "identityHeaders",
                    "must be " + IdentityForwarding.CHOICES + ", got \"" + doc.identityHeaders() + "\""));
        }
        if (errors.size() > before) {
            return Optional.empty();
        }
        boolean strip = doc.stripPrefix() != null && doc.stripPrefix();
        return Optional.of(new RouteConfig(
                name,
                host.map(h -> h.toLowerCase(java.util.Locale.ROOT)),
                pathPrefix,
                strip,
                upstreams,
                connect,
                response,
                check,
                identity));
    }

    /**
     * A route must not lead back to udsgate's own listeners: each request would come back as a new
     * one, until the file descriptors run out. Compared by path once normalised (the folder's links
     * resolved where it exists), and by file identity (device and inode) where both files exist, so
     * a hard or symbolic link to the socket is seen too. It reads the file system: call it off the
     * selector.
     *
     * @param ownSockets the socket paths of udsgate's listeners
     * @param at the key path of the route, as for {@link #check}
     */
    public static void checkNotOwnSocket(
            RouteConfig route, Collection<Path> ownSockets, String at, List<FieldError> errors) {
        String prefix = at.isEmpty() ? "" : at + ".";
        List<UpstreamAddress> upstreams = route.upstreams();
        for (int i = 0; i < upstreams.size(); i++) {
            UpstreamAddress address = upstreams.get(i);
            if (!address.isUnix()) {
                continue;
            }
            for (Path own : ownSockets) {
                if (sameSocket(address.socketPath(), own)) {
                    errors.add(new FieldError(
                            prefix + "upstreams[" + i + "]",
                            quoted(address.text()) + " is udsgate's own socket (" + own
                                    + "): a route to it would loop; route to another service's socket"));
                }
            }
        }
    }

    private static boolean sameSocket(Path upstream, Path own) {
        Path a = resolvedFolder(upstream);
        Path b = resolvedFolder(own);
        if (a.equals(b)) {
            return true;
        }
        try {
            return Files.exists(a) && Files.exists(b) && Files.isSameFile(a, b);
        } catch (IOException e) {
            return false;
        }
    }

    /** The path normalised, with its folder's real path where the folder exists. */
    private static Path resolvedFolder(Path path) {
        Path absolute = path.toAbsolutePath().normalize();
        Path folder = absolute.getParent();
        if (folder == null) {
            return absolute;
        }
        try {
            return folder.toRealPath().resolve(absolute.getFileName());
        } catch (IOException e) {
            return absolute;
        }
    }

    /** Checks a list of routes; names must be unique. */
    public static List<RouteConfig> checkAll(List<RouteDocument> docs, String at, List<FieldError> errors) {
        List<RouteConfig> routes = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (int i = 0; i < docs.size(); i++) {
            String path = at + "[" + i + "]";
            check(docs.get(i), path, errors).ifPresent(route -> {
                if (!names.add(route.name())) {
                    errors.add(new FieldError(
                            path + ".name",
                            "\"" + route.name() + "\" is used by an earlier route; names must be unique"));
                } else {
                    routes.add(route);
                }
            });
        }
        return routes;
    }

    private static void checkHost(String host, String path, List<FieldError> errors) {
        String bare = host.startsWith("*.") ? host.substring(2) : host;
        if (!HOST_LABELS.matcher(bare.toLowerCase(java.util.Locale.ROOT)).matches()) {
            errors.add(new FieldError(
                    path,
                    "must be a host name such as \"billing\" or a wildcard such as \"*.internal\"; got "
                            + quoted(printable(host))));
        }
    }

    private static void checkPathPrefix(String prefix, String path, List<FieldError> errors) {
        if (!prefix.startsWith("/") || prefix.contains("?") || prefix.contains("#") || prefix.contains("//")) {
            errors.add(new FieldError(
                    path, "must be a path starting with /, such as \"/invoices\"; got " + quoted(printable(prefix))));
        } else if (!CanonicalPath.isCanonicalForm(prefix)) {
            // Requests are matched in canonical form: a prefix in another form would never match.
            errors.add(new FieldError(path, canonicalReason(prefix)));
        } else if (isApiPath(prefix)) {
            errors.add(new FieldError(
                    path,
                    quoted(prefix)
                            + " would shadow udsgate's own API (/_ping, /metrics, /v1/...): choose another prefix"));
        }
    }

    private static List<UpstreamAddress> upstreams(List<String> texts, String path, List<FieldError> errors) {
        if (texts == null || texts.isEmpty()) {
            errors.add(new FieldError(path, "at least one upstream is needed, such as [\"unix:/run/app.sock\"]"));
            return List.of();
        }
        if (texts.size() > MAX_UPSTREAMS_PER_ROUTE) {
            errors.add(new FieldError(
                    path, "has " + texts.size() + " upstreams; a route may have at most " + MAX_UPSTREAMS_PER_ROUTE));
            return List.of();
        }
        List<UpstreamAddress> upstreams = new ArrayList<>();
        for (int i = 0; i < texts.size(); i++) {
            try {
                UpstreamAddress address = UpstreamAddress.parse(texts.get(i));
                if (upstreams.contains(address)) {
                    errors.add(new FieldError(path + "[" + i + "]", quoted(texts.get(i)) + " is listed twice"));
                }
                upstreams.add(address);
            } catch (IllegalArgumentException e) {
                errors.add(new FieldError(path + "[" + i + "]", e.getMessage()));
            }
        }
        return upstreams;
    }

    private static Optional<HealthCheckConfig> healthCheck(
            RouteDocument.HealthCheckDocument doc, String at, List<FieldError> errors) {
        if (doc == null) {
            return Optional.empty();
        }
        String checkPath = doc.path() == null ? "/" : doc.path();
        checkHealthPath(checkPath, at + ".path", errors);
        Duration interval = duration(doc.interval(), HealthCheckConfig.DEFAULT_INTERVAL, at + ".interval", errors);
        Duration timeout = duration(doc.timeout(), HealthCheckConfig.DEFAULT_TIMEOUT, at + ".timeout", errors);
        if (interval.compareTo(MIN_HEALTH_CHECK_INTERVAL) < 0) {
            errors.add(new FieldError(
                    at + ".interval",
                    "must be at least " + DurationText.format(MIN_HEALTH_CHECK_INTERVAL) + "; got "
                            + DurationText.format(interval)));
        }
        if (timeout.isZero()) {
            errors.add(new FieldError(at + ".timeout", "must be more than 0"));
        }
        int healthy = threshold(
                doc.healthyThreshold(), HealthCheckConfig.DEFAULT_HEALTHY_THRESHOLD, at + ".healthyThreshold", errors);
        int unhealthy = threshold(
                doc.unhealthyThreshold(),
                HealthCheckConfig.DEFAULT_UNHEALTHY_THRESHOLD,
                at + ".unhealthyThreshold",
                errors);
        return Optional.of(new HealthCheckConfig(checkPath, interval, timeout, healthy, unhealthy));
    }

    /**
     * The check's path goes into a request line as it is: a path in canonical form and an optional
     * query, printable ASCII only, so no CR, LF or space can start a second request.
     */
    private static void checkHealthPath(String checkPath, String at, List<FieldError> errors) {
        int question = checkPath.indexOf('?');
        String path = question < 0 ? checkPath : checkPath.substring(0, question);
        String query = question < 0 ? "" : checkPath.substring(question + 1);
        if (!path.startsWith("/")) {
            errors.add(
                    new FieldError(at, "must start with /, such as \"/health\"; got " + quoted(printable(checkPath))));
        } else if (!isPrintableAscii(query) || query.indexOf('#') >= 0) {
            errors.add(new FieldError(
                    at,
                    "must be a path and query of printable ASCII, without spaces, control characters or #;" + " got "
                            + quoted(printable(checkPath))));
        } else if (!CanonicalPath.isCanonicalForm(path)) {
            errors.add(new FieldError(at, canonicalReason(path)));
        }
    }

    private static String canonicalReason(String path) {
        try {
            return "must be a path in canonical form, such as " + quoted(CanonicalPath.of(path)) + "; got "
                    + quoted(printable(path));
        } catch (CanonicalPath.Refused refused) {
            return "must be a path such as \"/health\" (" + refused.getMessage() + "); got " + quoted(printable(path));
        }
    }

    static boolean isPrintableAscii(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x21 || c > 0x7e) {
                return false;
            }
        }
        return true;
    }

    static boolean hasControlCharacter(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                return true;
            }
        }
        return false;
    }

    /** The text with control characters shown as escapes, so that an error message is one clean line. */
    static String printable(String text) {
        if (text == null) {
            return null;
        }
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '\r' -> out.append("\\r");
                case '\n' -> out.append("\\n");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x7f) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.toString();
    }

    private static int threshold(Integer value, int fallback, String path, List<FieldError> errors) {
        int threshold = value == null ? fallback : value;
        if (threshold < 1 || threshold > 100) {
            errors.add(new FieldError(path, "must be between 1 and 100; got " + threshold));
        }
        return threshold;
    }

    private static Duration duration(String text, Duration fallback, String path, List<FieldError> errors) {
        return parsed(text, fallback, DurationText::parse, path, errors);
    }

    private static <T> T parsed(
            String text, T fallback, Function<String, T> parser, String path, List<FieldError> errors) {
        if (text == null) {
            return fallback;
        }
        try {
            return parser.apply(text);
        } catch (IllegalArgumentException e) {
            errors.add(new FieldError(path, e.getMessage()));
            return fallback;
        }
    }

    private static String quoted(String text) {
        return text == null ? "nothing" : "\"" + text + "\"";
    }
}
