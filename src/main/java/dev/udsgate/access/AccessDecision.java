package dev.udsgate.access;

import dev.udsgate.config.AccessPolicy;
import dev.udsgate.config.AccessRule;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * What the rules say of one request: the first rule that applies to the peer and matches the
 * method, the path and the route decides; with rules, none matching is a denial. Then the API's
 * writes are the admin's whatever the rules say, unless the allowing rule names them
 * ({@code admin: true}). Pure: no HTTP, no I/O but the peer's groups, read once per connection.
 *
 * @param allowed whether the request may pass (in audit mode, a denial by the rules passes: see {@link #passes})
 * @param rule the index of the rule that decided, or null when none did (no rule matched, or the
 *     protection of admin writes refused it)
 * @param reason why
 * @param mode the policy's mode, which says whether a denial by the rules is enforced
 */
record AccessDecision(boolean allowed, Integer rule, Reason reason, AccessPolicy.Mode mode) {

    enum Reason {
        /** An allow rule matched, or there are no rules. */
        ALLOWED,
        /** A deny rule matched. */
        DENIED_BY_RULE,
        /** No rule matched. */
        NO_RULE,
        /** An API write by a peer that is neither root nor udsgate's user, and no rule names admin writes for it. */
        ADMIN_ONLY
    }

    /**
     * @param method the request's method, as sent
     * @param path its canonical path; only read when the policy has rules
     * @param route the route it would take, asked only if a rule that applies names routes; empty:
     *     none (the API answers it, or no route matches)
     * @param adminWrite whether it is one of the API's writes
     */
    static AccessDecision of(
            PeerMatches peer, String method, String path, Supplier<Optional<String>> route, boolean adminWrite) {
        AccessPolicy policy = peer.policy();
        List<AccessRule> rules = policy.rules();
        Integer matched = rules.isEmpty() ? null : firstMatch(peer, method, path, route);
        if (!rules.isEmpty() && matched == null) {
            return new AccessDecision(false, null, Reason.NO_RULE, policy.mode());
        }
        if (matched != null && !rules.get(matched).allow()) {
            return new AccessDecision(false, matched, Reason.DENIED_BY_RULE, policy.mode());
        }
        boolean namesAdmin = matched != null && rules.get(matched).admin();
        if (adminWrite && !peer.caller().privileged() && !namesAdmin) {
            // Not the operator's rule that refused it, but the built-in protection: no index.
            return new AccessDecision(false, null, Reason.ADMIN_ONLY, policy.mode());
        }
        return new AccessDecision(true, matched, Reason.ALLOWED, policy.mode());
    }

    /** The first rule that applies to the peer and matches the request; null if none does. */
    private static Integer firstMatch(PeerMatches peer, String method, String path, Supplier<Optional<String>> route) {
        int versionEnd = AccessRule.apiVersionEnd(path);
        RuleIndex.ByPath candidates = peer.index().forMethod(method);
        int[] direct = candidates.direct(path);
        int[] unversioned = candidates.unversioned(path, versionEnd);
        List<AccessRule> rules = peer.policy().rules();
        int d = 0;
        int u = 0;
        // The two ascending lists walked as one, in the rules' order; a rule in both is tried once.
        while (d < direct.length || u < unversioned.length) {
            int next;
            if (u >= unversioned.length || (d < direct.length && direct[d] <= unversioned[u])) {
                next = direct[d++];
                if (u < unversioned.length && unversioned[u] == next) {
                    u++;
                }
            } else {
                next = unversioned[u++];
            }
            if (peer.applies()[next] && matches(rules.get(next), method, path, versionEnd, route)) {
                return next;
            }
        }
        return null;
    }

    private static boolean matches(
            AccessRule rule, String method, String path, int versionEnd, Supplier<Optional<String>> route) {
        if (!rule.matchesMethod(method) || !rule.matchesPath(path, versionEnd)) {
            return false;
        }
        return rule.routes().isEmpty()
                || route.get().filter(rule.routes().get()::contains).isPresent();
    }

    /**
     * Whether the request goes on: allowed, or denied by the rules of a listener that only audits
     * them. The protection of admin writes is not a rule the operator wrote: it is always enforced.
     */
    boolean passes() {
        return allowed || (mode == AccessPolicy.Mode.AUDIT && reason != Reason.ADMIN_ONLY);
    }

    /** As the audit log says it: {@code allow}, {@code deny}, or {@code audit-deny} (denied, but let through). */
    String label() {
        return allowed ? "allow" : passes() ? "audit-deny" : "deny";
    }
}
