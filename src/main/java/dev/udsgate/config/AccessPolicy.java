package dev.udsgate.config;

import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * Who may do what on one listener, decided from the peer's kernel identity: its rules, in order
 * (the first that matches decides; with rules, a request none matches is denied), and whether they
 * are enforced or only audited.
 *
 * <p>Whatever the rules, the API's writes are the admin's: allowed to root and to udsgate's own user,
 * and to others only by an allow rule that says {@code admin: true}.
 *
 * @param mode {@code enforce}: a denial is a 403; {@code audit}: a request the rules deny passes, and
 *     is logged as a denial would be
 * @param rules in order; empty: no rules, every request passes (but for admin writes)
 */
public record AccessPolicy(Mode mode, List<AccessRule> rules) {

    /** No rules, enforced: what a listener has unless told otherwise. */
    public static final AccessPolicy OPEN = new AccessPolicy(Mode.ENFORCE, List.of());

    public AccessPolicy {
        Objects.requireNonNull(mode, "mode");
        rules = List.copyOf(rules);
    }

    public boolean hasRules() {
        return !rules.isEmpty();
    }

    /** Whether a rule names routes: then the route a request would take is looked up for it. */
    public boolean namesRoutes() {
        return rules.stream().anyMatch(rule -> rule.routes().isPresent());
    }

    public enum Mode {
        ENFORCE,
        AUDIT;

        public static final String CHOICES = "enforce or audit";

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Optional<Mode> parse(String text) {
            for (Mode mode : values()) {
                if (mode.label().equals(text)) {
                    return Optional.of(mode);
                }
            }
            return Optional.empty();
        }
    }
}
