package dev.udsgate.access;

import static org.assertj.core.api.Assertions.assertThat;

import dev.udsgate.config.AccessPolicy;
import dev.udsgate.config.AccessRule;
import dev.udsgate.config.PathPattern;
import dev.udsgate.peer.ProcessView;
import dev.udsgate.system.Principal;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The index decides as trying every rule in order would: the same first matching rule for every
 * request, on random policies and random paths (versioned or not, trailing slash, root).
 */
class RuleIndexTest {

    private static final List<String> SEGMENTS = List.of("a", "b", "containers", "json", "v1.41", "v2", "_ping");
    private static final List<String> METHODS = List.of("GET", "HEAD", "POST", "DELETE", "PATCH");
    private static final Caller ANYONE = new Caller(
            "1",
            new Principal("nobody", 65534L),
            new Principal("nogroup", 65534L),
            () -> ProcessView.UNAVAILABLE,
            false);

    @Test
    void theFirstRuleFoundIsTheFirstRuleInOrderThatMatches() {
        Random random = new Random(14);
        for (int policyNo = 0; policyNo < 300; policyNo++) {
            List<AccessRule> rules = new ArrayList<>();
            for (int i = random.nextInt(12); i >= 0; i--) {
                rules.add(randomRule(random));
            }
            PeerMatches peer = PeerMatches.of(new AccessPolicy(AccessPolicy.Mode.ENFORCE, rules), ANYONE);
            for (int requestNo = 0; requestNo < 200; requestNo++) {
                String method = METHODS.get(random.nextInt(METHODS.size()));
                String path = randomPath(random);
                AccessDecision decision = AccessDecision.of(peer, method, path, Optional::empty, false);
                Integer expected = null;
                for (int i = 0; i < rules.size() && expected == null; i++) {
                    if (rules.get(i).matchesMethod(method) && rules.get(i).matchesPath(path)) {
                        expected = i;
                    }
                }
                assertThat(decision.rule())
                        .as("%s %s against %s", method, path, rules)
                        .isEqualTo(expected);
            }
        }
    }

    @Test
    void aRuleThatDoesNotApplyToThePeerIsSkippedEvenWhenIndexed() {
        AccessRule forDocker = new AccessRule(
                true,
                Optional.empty(),
                Optional.empty(),
                Optional.of(Set.of("docker")),
                Optional.of(Set.of("GET")),
                Optional.empty(),
                Optional.of(List.of(PathPattern.parse("/containers/**"))),
                false,
                false);
        AccessRule denyAll = new AccessRule(
                false,
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                false,
                false);
        Caller notInDocker = new Caller(
                "2",
                new Principal("nobody", 65534L),
                new Principal("nogroup", 65534L),
                () -> new ProcessView("known", "x", "/bin/x", java.time.Instant.EPOCH, List.of(), "/", null),
                false);
        PeerMatches peer =
                PeerMatches.of(new AccessPolicy(AccessPolicy.Mode.ENFORCE, List.of(forDocker, denyAll)), notInDocker);

        AccessDecision decision = AccessDecision.of(peer, "GET", "/containers/json", Optional::empty, false);

        assertThat(decision.allowed()).isFalse();
        assertThat(decision.rule()).isEqualTo(1);
    }

    private static AccessRule randomRule(Random random) {
        Optional<Set<String>> methods = Optional.empty();
        if (random.nextInt(3) > 0) {
            methods = Optional.of(new java.util.HashSet<>(
                    List.of(METHODS.get(random.nextInt(METHODS.size())), METHODS.get(random.nextInt(METHODS.size())))));
        }
        Optional<List<PathPattern>> paths = Optional.empty();
        if (random.nextInt(5) > 0) {
            List<PathPattern> patterns = new ArrayList<>();
            for (int i = random.nextInt(3); i >= 0; i--) {
                patterns.add(PathPattern.parse(randomPattern(random)));
            }
            paths = Optional.of(patterns);
        }
        boolean anyApiVersion = paths.isPresent() && random.nextBoolean();
        return new AccessRule(
                random.nextBoolean(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                methods,
                Optional.empty(),
                paths,
                anyApiVersion,
                false);
    }

    private static String randomPattern(Random random) {
        int kind = random.nextInt(10);
        if (kind == 0) {
            return "/";
        }
        if (kind == 1) {
            return "/**";
        }
        StringBuilder pattern = new StringBuilder();
        for (int i = random.nextInt(3); i >= 0; i--) {
            pattern.append('/').append(random.nextInt(4) == 0 ? "*" : SEGMENTS.get(random.nextInt(SEGMENTS.size())));
        }
        if (random.nextInt(3) == 0) {
            pattern.append("/**");
        }
        return pattern.toString();
    }

    private static String randomPath(Random random) {
        if (random.nextInt(12) == 0) {
            return "/";
        }
        StringBuilder path = new StringBuilder();
        for (int i = random.nextInt(4); i >= 0; i--) {
            path.append('/').append(SEGMENTS.get(random.nextInt(SEGMENTS.size())));
        }
        if (random.nextInt(5) == 0) {
            path.append('/');
        }
        return path.toString();
    }
}
