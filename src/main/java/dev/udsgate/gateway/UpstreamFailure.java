package dev.udsgate.gateway;

import dev.udsgate.config.UpstreamAddress;
import java.io.EOFException;
import java.net.ConnectException;
import java.nio.file.Files;
import java.util.concurrent.TimeoutException;

/**
 * The closed set of ways an upstream fails a forwarded request or a health check, whichever
 * transport saw it. Classified once, from what the transport knows (whether the connection was
 * made) and the failure's type, never from an exception's message: the retry decision, the
 * client's problem and a health check's result all read this.
 */
public enum UpstreamFailure {
    /** Nothing accepted the connection. */
    REFUSED("connection refused"),
    /** A Unix upstream whose socket file is not there. */
    NO_SOCKET("no socket"),
    /** The connection was not made within the route's connect timeout. */
    CONNECT_TIMEOUT("connect timeout"),
    /** A kept-alive connection the upstream closed as it was reused: nothing reached the upstream. */
    STALE("stale connection"),
    /** The upstream said nothing for the route's response timeout. */
    TIMEOUT("timeout"),
    /** The upstream closed the connection mid-answer, or sent what is not a valid HTTP answer. */
    BROKEN("broken answer");

    private final String seen;

    UpstreamFailure(String seen) {
        this.seen = seen;
    }

    /** What a health check records, and {@code GET /v1/upstreams} shows, for this failure. */
    String seen() {
        return seen;
    }

    /** True if no connection was made: another upstream may be tried, whatever the request. */
    boolean couldNotConnect() {
        return this == REFUSED || this == NO_SOCKET || this == CONNECT_TIMEOUT;
    }

    /**
     * @param connected whether a connection to the upstream had been made when it failed
     */
    static UpstreamFailure of(Throwable failure, boolean connected, UpstreamAddress address) {
        if (!connected) {
            if (has(failure, ConnectTimeout.class)
                    || has(failure, TimeoutException.class)
                    || has(failure, java.net.SocketTimeoutException.class)) {
                return CONNECT_TIMEOUT;
            }
            // What the kernel said (ECONNREFUSED, ENOENT) reaches Java only as a message; the file
            // itself says whether there is a socket to refuse.
            return address.isUnix() && !Files.exists(address.socketPath()) ? NO_SOCKET : REFUSED;
        }
        if (has(failure, Stale.class)) {
            return STALE;
        }
        if (has(failure, TimeoutException.class)) {
            return TIMEOUT;
        }
        return BROKEN;
    }

    private static boolean has(Throwable failure, Class<? extends Throwable> type) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    /** A connect that did not finish within the route's connect timeout. */
    public static final class ConnectTimeout extends ConnectException {
        public ConnectTimeout() {
            super("connect timed out");
        }
    }

    /** The upstream closed a kept-alive connection just as it was reused: nothing was answered. */
    public static final class Stale extends EOFException {
        public Stale() {
            super("the upstream closed a kept-alive connection before answering");
        }
    }
}
