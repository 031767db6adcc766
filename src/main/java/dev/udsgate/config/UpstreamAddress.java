package dev.udsgate.config;

import java.net.URI;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;

/**
 * Where an upstream listens: a Unix socket ({@code unix:/run/billing.sock}) or a loopback TCP port
 * ({@code http://127.0.0.1:8081}).
 *
 * @param text as written in the configuration, and as the API shows it
 * @param socketPath the Unix socket, or null for TCP
 * @param host the TCP host, or null for a Unix socket
 * @param port the TCP port, or 0 for a Unix socket
 */
public record UpstreamAddress(String text, Path socketPath, String host, int port) {

    public UpstreamAddress {
        Objects.requireNonNull(text, "text");
    }

    public boolean isUnix() {
        return socketPath != null;
    }

    /**
     * Parses an upstream address.
     *
     * @throws IllegalArgumentException with a message that says what is expected
     */
    public static UpstreamAddress parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException(
                    "an upstream is needed, such as \"unix:/run/app.sock\" or \"http://127.0.0.1:8080\"");
        }
        if (RouteRules.hasControlCharacter(text)) {
            // It ends up in logs, events and the API's answers, and its host in request headers.
            throw new IllegalArgumentException(
                    "\"" + RouteRules.printable(text) + "\" has a control character (such as CR or LF)");
        }
        if (text.startsWith("unix:")) {
            String path = text.substring("unix:".length());
            if (!path.startsWith("/")) {
                throw new IllegalArgumentException(
                        "\"" + text + "\" must be an absolute path, such as \"unix:/run/app.sock\"");
            }
            return new UpstreamAddress(text, Path.of(path).normalize(), null, 0);
        }
        URI uri;
        try {
            uri = URI.create(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "\"" + text + "\" is not an upstream: use \"unix:/abs/path.sock\" or \"http://127.0.0.1:PORT\"");
        }
        if (!"http".equals(uri.getScheme())
                || uri.getHost() == null
                || uri.getPort() < 1
                || (uri.getRawPath() != null
                        && !uri.getRawPath().isEmpty()
                        && !uri.getRawPath().equals("/"))
                || uri.getRawQuery() != null) {
            throw new IllegalArgumentException(
                    "\"" + text + "\" is not an upstream: use \"unix:/abs/path.sock\" or \"http://127.0.0.1:PORT\"");
        }
        if (uri.getPort() > 65535) {
            throw new IllegalArgumentException("\"" + text + "\" has port " + uri.getPort() + ": a port is 1 to 65535");
        }
        String host = uri.getHost().toLowerCase(Locale.ROOT);
        if (!isLoopback(host)) {
            throw new IllegalArgumentException("\"" + text
                    + "\" is not on this host: TCP upstreams must be on loopback (127.0.0.0/8, [::1], localhost)");
        }
        return new UpstreamAddress(text, null, host, uri.getPort());
    }

    private static boolean isLoopback(String host) {
        return host.equals("localhost")
                || host.equals("[::1]")
                || host.equals("::1")
                || host.matches("127(\\.\\d{1,3}){3}");
    }

    @Override
    public String toString() {
        return text;
    }
}
