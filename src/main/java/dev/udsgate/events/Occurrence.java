package dev.udsgate.events;

import dev.udsgate.config.FieldError;
import dev.udsgate.reload.ReloadSummary;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What can happen, one record per kind of event: the compiler lists them, and a test checks that
 * the contract describes each. {@link EventLog#publish} turns one into a logged {@link Event}.
 */
public sealed interface Occurrence {

    /** The event's {@code type}, such as {@code connection.opened}. */
    String type();

    /** The listener it happened on, or null for the server as a whole. */
    default String listener() {
        return null;
    }

    /** The connection it is about, or null. */
    default String connectionId() {
        return null;
    }

    /** The peer user of that connection (its name, or its uid when nameless), or null. */
    default String user() {
        return null;
    }

    /** The event's own fields, in the order the contract lists them. */
    Map<String, Object> data();

    /** A listener entered a state ({@code created}, {@code bound}, {@code listening}, …). */
    record ListenerEntered(String listener, String state, String path) implements Occurrence {
        @Override
        public String type() {
            return "listener." + state;
        }

        @Override
        public Map<String, Object> data() {
            return Map.of("path", path);
        }
    }

    /** @param peer the connection's {@code Peer} as the registry read it from the kernel, or null */
    record ConnectionOpened(String listener, String connectionId, String user, Object peer, String socketPath)
            implements Occurrence {
        @Override
        public String type() {
            return "connection.opened";
        }

        @Override
        public Map<String, Object> data() {
            return fields("peer", peer, "socketPath", socketPath);
        }
    }

    record ConnectionClosed(
            String listener,
            String connectionId,
            String user,
            String reason,
            long durationMillis,
            long requests,
            long bytesIn,
            long bytesOut)
            implements Occurrence {
        @Override
        public String type() {
            return "connection.closed";
        }

        @Override
        public Map<String, Object> data() {
            return fields(
                    "reason", reason,
                    "durationMillis", durationMillis,
                    "requests", requests,
                    "bytesIn", bytesIn,
                    "bytesOut", bytesOut);
        }
    }

    /** @param byConnectionId the connection that asked for it, or null; {@code byUser} its peer user */
    record ConnectionKilled(String listener, String connectionId, String user, String byConnectionId, String byUser)
            implements Occurrence {
        @Override
        public String type() {
            return "connection.killed";
        }

        @Override
        public Map<String, Object> data() {
            return fields("byConnectionId", byConnectionId, "byUser", byUser);
        }
    }

    /**
     * A client closed as soon as it was accepted, over a connection limit; it never got an id.
     *
     * @param user the peer user, or null when the refusal came before the peer was read
     * @param reason {@code listenerFull} or {@code userLimit}
     * @param limit the limit it met
     */
    record ConnectionRefused(String listener, String user, String reason, int limit) implements Occurrence {
        @Override
        public String type() {
            return "connection.refused";
        }

        @Override
        public Map<String, Object> data() {
            return fields("reason", reason, "limit", limit);
        }
    }

    record ServerStopping(long shutdownTimeoutMillis) implements Occurrence {
        @Override
        public String type() {
            return "server.stopping";
        }

        @Override
        public Map<String, Object> data() {
            return Map.of("shutdownTimeoutMillis", shutdownTimeoutMillis);
        }
    }

    /**
     * The configuration was read again and applied (SIGHUP or {@code POST /v1/reload}).
     *
     * @param summary what changed, as {@code POST /v1/reload} answers it
     * @param byUser who asked over the API, or null for a signal
     */
    record ConfigReloaded(ReloadSummary summary, String byUser) implements Occurrence {
        @Override
        public String type() {
            return "config.reloaded";
        }

        @Override
        public String user() {
            return byUser;
        }

        @Override
        public Map<String, Object> data() {
            return fields(
                    "listeners", summary.listeners(),
                    "routes", summary.routes(),
                    "atNextStart", summary.atNextStart(),
                    "failed", summary.failed());
        }
    }

    /**
     * A configuration read again was not valid: nothing changed.
     *
     * @param errors every error, each {@code {path, reason}}
     * @param byUser who asked over the API, or null for a signal
     */
    record ConfigReloadRefused(List<FieldError> errors, String byUser) implements Occurrence {
        @Override
        public String type() {
            return "config.reload.refused";
        }

        @Override
        public String user() {
            return byUser;
        }

        @Override
        public Map<String, Object> data() {
            return Map.of("errors", errors);
        }
    }

    /** Not logged: a subscriber's own notice of how many events it lost to its full queue. */
    record EventsDropped(long count) implements Occurrence {
        @Override
        public String type() {
            return "events.dropped";
        }

        @Override
        public Map<String, Object> data() {
            return Map.of("count", count);
        }
    }

    /**
     * The live socket file's permissions changed ({@code PATCH /v1/sockets/{name}}).
     *
     * @param mode the mode now, octal
     * @param group the group now, or null if unchanged from the process's own
     */
    record ListenerPermissionsChanged(String listener, String path, String mode, String group, String byUser)
            implements Occurrence {
        @Override
        public String type() {
            return "listener.permissions";
        }

        @Override
        public String user() {
            return byUser;
        }

        @Override
        public Map<String, Object> data() {
            return fields("path", path, "mode", mode, "group", group);
        }
    }

    /** @param created true for {@code route.added}, false for {@code route.updated} */
    record RouteChanged(String route, String etag, boolean created) implements Occurrence {
        @Override
        public String type() {
            return created ? "route.added" : "route.updated";
        }

        @Override
        public Map<String, Object> data() {
            return fields("route", route, "etag", etag);
        }
    }

    record RouteRemoved(String route) implements Occurrence {
        @Override
        public String type() {
            return "route.removed";
        }

        @Override
        public Map<String, Object> data() {
            return Map.of("route", route);
        }
    }

    /** A route's health check brought an upstream back into rotation, or took it out. */
    record UpstreamHealthChanged(String route, String upstream, String lastCheckResult, boolean healthy)
            implements Occurrence {
        @Override
        public String type() {
            return healthy ? "upstream.healthy" : "upstream.unhealthy";
        }

        @Override
        public Map<String, Object> data() {
            return fields("route", route, "upstream", upstream, "lastCheckResult", lastCheckResult);
        }
    }

    /**
     * A request refused by a listener's access rules, or one its rules would refuse on a listener that
     * only audits them ({@code mode} {@code audit}: it passed).
     *
     * @param rule the index of the rule that denied it in the listener's {@code rules}, or null when
     *     no rule matched or it was an admin write by someone else than the admin
     * @param mode {@code enforce} (refused with 403) or {@code audit} (passed)
     */
    record AccessDenied(
            String listener, String connectionId, String user, String method, String path, Integer rule, String mode)
            implements Occurrence {
        @Override
        public String type() {
            return "access.denied";
        }

        @Override
        public Map<String, Object> data() {
            return fields("method", method, "path", path, "rule", rule, "mode", mode);
        }
    }

    /** One of the API's writes (a route, a socket, a connection, a reload) was let through. */
    record AdminWrite(String listener, String connectionId, String user, String method, String path)
            implements Occurrence {
        @Override
        public String type() {
            return "admin.write";
        }

        @Override
        public Map<String, Object> data() {
            return fields("method", method, "path", path);
        }
    }

    /** Name, value, name, value…: in order, and a value may be null (which {@code Map.of} refuses). */
    private static Map<String, Object> fields(Object... namesAndValues) {
        Map<String, Object> fields = new LinkedHashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            fields.put((String) namesAndValues[i], namesAndValues[i + 1]);
        }
        return fields;
    }
}
