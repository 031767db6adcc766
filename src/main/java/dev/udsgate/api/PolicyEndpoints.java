package dev.udsgate.api;

import dev.udsgate.config.AccessPolicy;
import dev.udsgate.config.AccessRule;
import dev.udsgate.config.Exposure;
import dev.udsgate.config.ListenerConfig;
import dev.udsgate.config.PathPattern;
import dev.udsgate.http.Json;
import dev.udsgate.http.ProblemException;
import dev.udsgate.http.ProblemKind;
import dev.udsgate.socket.ListenerConnector;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * {@code GET /v1/policy}: every listener's access rules in force, and a version that changes when
 * they do (a reload). The rules are the admin's business: only a listener that offers the whole API
 * shows them.
 */
final class PolicyEndpoints {

    private final Supplier<List<ListenerConnector>> listeners;

    PolicyEndpoints(Supplier<List<ListenerConnector>> listeners) {
        this.listeners = listeners;
    }

    Reply policy(ApiCall call) {
        if (call.listener().config().exposure().api() != Exposure.Api.FULL) {
            throw new ProblemException(
                    ProblemKind.FORBIDDEN,
                    "listener " + call.listener().name() + " does not show the access rules: use a listener that"
                            + " offers the whole API");
        }
        List<ListenerPolicy> all = listeners.get().stream()
                .map(connector -> ListenerPolicy.of(connector.listener().config()))
                .toList();
        return Reply.json(new PolicyBody(version(all), all));
    }

    /** The same rules give the same version, whenever and wherever they are read. */
    private static String version(List<ListenerPolicy> all) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(Json.bytes(all));
            return HexFormat.of().formatHex(digest, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /** @param version changes exactly when a listener's rules or mode change */
    record PolicyBody(String version, List<ListenerPolicy> listeners) {}

    /** @param access {@code enforce} or {@code audit} */
    record ListenerPolicy(String listener, String access, List<RuleView> rules) {
        static ListenerPolicy of(ListenerConfig listener) {
            AccessPolicy policy = listener.access();
            return new ListenerPolicy(
                    listener.name(),
                    policy.mode().label(),
                    policy.rules().stream().map(RuleView::of).toList());
        }
    }

    /** One rule as the file says it; a condition it does not give is null. */
    record RuleView(
            String decision,
            List<String> user,
            List<String> group,
            List<String> groups,
            List<String> exe,
            List<String> container,
            List<String> pod,
            List<String> methods,
            List<String> routes,
            List<String> paths,
            boolean anyApiVersion,
            boolean admin) {
        static RuleView of(AccessRule rule) {
            return new RuleView(
                    rule.allow() ? "allow" : "deny",
                    sorted(rule.users()),
                    sorted(rule.groups()),
                    sorted(rule.anyGroups()),
                    sorted(rule.process().exe()),
                    sorted(rule.process().container()),
                    sorted(rule.process().pod()),
                    sorted(rule.methods()),
                    sorted(rule.routes()),
                    rule.paths()
                            .map(paths -> paths.stream().map(PathPattern::text).toList())
                            .orElse(null),
                    rule.anyApiVersion(),
                    rule.admin());
        }

        private static List<String> sorted(Optional<Set<String>> names) {
            return names.map(set -> set.stream().sorted().toList()).orElse(null);
        }
    }
}
