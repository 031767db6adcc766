package dev.udsgate.access;

import static org.assertj.core.api.Assertions.assertThat;

import dev.udsgate.config.AccessPolicy;
import dev.udsgate.config.AccessRule;
import dev.udsgate.config.PathPattern;
import dev.udsgate.peer.ProcessView;
import dev.udsgate.system.Principal;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The decision below the socket: rules in order, peers by name or id, the admin's writes. */
class AccessDecisionTest {

    private static final String CONTAINER = "4f66ad9a0b2e7c1d3e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0c1d2e3f4a5b6c7d";
    private static final String POD = "0c6a4a8e-3b1f-4b7e-9d2a-6f1f0e9d8c7b";

    private static final Caller NOBODY = new Caller(
            "7",
            new Principal("nobody", 65534L),
            new Principal("nogroup", 65534L),
            () -> process("/usr/bin/curl", null, List.of(new Principal("docker", 999L))),
            false);
    private static final Caller ROOT = new Caller(
            "1", new Principal("root", 0L), new Principal("root", 0L), () -> process("/usr/bin/curl", null), true);
    private static final Caller UNNAMED = new Caller("9", null, null, () -> ProcessView.UNAVAILABLE, false);
    private static final Caller IN_A_POD = new Caller(
            "10",
            new Principal(null, 1000L),
            new Principal(null, 1000L),
            () -> process("/usr/local/bin/agent", new ProcessView.ContainerView("containerd", CONTAINER, POD)),
            false);
    private static final Caller GONE =
            new Caller("11", new Principal(null, 1000L), new Principal(null, 1000L), () -> ProcessView.STALE, false);

    private static ProcessView process(String exe, ProcessView.ContainerView container) {
        return process(exe, container, List.of());
    }

    private static ProcessView process(String exe, ProcessView.ContainerView container, List<Principal> groups) {
        return new ProcessView("known", "x", exe, Instant.EPOCH, groups, "/", container);
    }

    private static AccessRule allow(List<String> methods, String... paths) {
        return rule(true, Optional.empty(), Optional.of(Set.copyOf(methods)), true, false, paths);
    }

    private static AccessRule rule(
            boolean allow,
            Optional<Set<String>> anyGroups,
            Optional<Set<String>> methods,
            boolean anyApiVersion,
            boolean admin,
            String... paths) {
        return new AccessRule(
                allow,
                Optional.empty(),
                Optional.empty(),
                anyGroups,
                methods,
                Optional.empty(),
                paths.length == 0
                        ? Optional.empty()
                        : Optional.of(
                                List.of(paths).stream().map(PathPattern::parse).toList()),
                anyApiVersion && paths.length > 0,
                admin);
    }

    private static AccessDecision decide(Caller caller, String method, String path, AccessRule... rules) {
        return decide(AccessPolicy.Mode.ENFORCE, caller, method, path, false, rules);
    }

    private static AccessDecision decide(
            AccessPolicy.Mode mode, Caller caller, String method, String path, boolean admin, AccessRule... rules) {
        PeerMatches peer = PeerMatches.of(new AccessPolicy(mode, List.of(rules)), caller);
        return AccessDecision.of(peer, method, path, Optional::empty, admin);
    }

    @Test
    void pathPatternsMatchExactlyOneSegmentOrTheRest() {
        assertThat(PathPattern.parse("/containers/json").matches("/containers/json"))
                .isTrue();
        assertThat(PathPattern.parse("/containers/json").matches("/containers/json/"))
                .isTrue();
        assertThat(PathPattern.parse("/containers/json").matches("/containers/jsonx"))
                .isFalse();
        assertThat(PathPattern.parse("/containers/json").matches("/containers")).isFalse();
        assertThat(PathPattern.parse("/containers/*/json").matches("/containers/abc/json"))
                .isTrue();
        assertThat(PathPattern.parse("/containers/*/json").matches("/containers/a/b/json"))
                .isFalse();
        assertThat(PathPattern.parse("/containers/*/json").matches("/containers/json"))
                .isFalse();
        assertThat(PathPattern.parse("/containers/**").matches("/containers")).isTrue();
        assertThat(PathPattern.parse("/containers/**").matches("/containers/a/b"))
                .isTrue();
        assertThat(PathPattern.parse("/containers/**").matches("/containersx")).isFalse();
        assertThat(PathPattern.parse("/**").matches("/")).isTrue();
        assertThat(PathPattern.parse("/").matches("/")).isTrue();
        assertThat(PathPattern.parse("/").matches("/a")).isFalse();
    }

    @Test
    void anApiVersionPrefixIsOptionalWhenTheRuleSaysSo() {
        AccessRule info = allow(List.of("GET"), "/info");
        assertThat(info.matchesPath("/info")).isTrue();
        assertThat(info.matchesPath("/v1.41/info")).isTrue();
        assertThat(info.matchesPath("/v1/info")).isTrue();
        assertThat(info.matchesPath("/vx/info")).isFalse();
        assertThat(info.matchesPath("/v1.41/v1.41/info")).isFalse();
        AccessRule strict = rule(true, Optional.empty(), Optional.empty(), false, false, "/info");
        assertThat(strict.matchesPath("/v1.41/info")).isFalse();
    }

    @Test
    void theFirstMatchingRuleDecidesAndNoMatchIsADenial() {
        AccessRule denyArchive = rule(false, Optional.empty(), Optional.empty(), true, false, "/containers/*/archive");
        AccessRule allowGets = allow(List.of("GET"), "/containers/**");

        assertThat(decide(NOBODY, "GET", "/containers/x/json", denyArchive, allowGets))
                .isEqualTo(new AccessDecision(true, 1, AccessDecision.Reason.ALLOWED, AccessPolicy.Mode.ENFORCE));
        assertThat(decide(NOBODY, "GET", "/v1.41/containers/x/archive", denyArchive, allowGets))
                .isEqualTo(
                        new AccessDecision(false, 0, AccessDecision.Reason.DENIED_BY_RULE, AccessPolicy.Mode.ENFORCE));
        assertThat(decide(NOBODY, "POST", "/containers/create", denyArchive, allowGets))
                .isEqualTo(new AccessDecision(false, null, AccessDecision.Reason.NO_RULE, AccessPolicy.Mode.ENFORCE));
    }

    @Test
    void supplementaryGroupsMatchAndAnUnknownPeerNeverPassesAnAllowNorEscapesADeny() {
        AccessRule dockerGroup = rule(true, Optional.of(Set.of("docker")), Optional.empty(), false, false);
        assertThat(decide(NOBODY, "GET", "/x", dockerGroup).allowed()).isTrue();
        assertThat(decide(ROOT, "GET", "/x", dockerGroup).allowed()).isFalse();
        assertThat(decide(UNNAMED, "GET", "/x", dockerGroup).allowed()).isFalse();

        AccessRule denyDocker = rule(false, Optional.of(Set.of("999")), Optional.empty(), false, false);
        AccessRule allowAll = rule(true, Optional.empty(), Optional.empty(), false, false);
        assertThat(decide(NOBODY, "GET", "/x", denyDocker, allowAll).rule()).isZero();
        assertThat(decide(UNNAMED, "GET", "/x", denyDocker, allowAll).allowed()).isFalse();
        assertThat(decide(ROOT, "GET", "/x", denyDocker, allowAll).allowed()).isTrue();
        // Groups that cannot be read (another pid namespace): the deny rule holds, on doubt.
        Caller unreadable = new Caller("8", NOBODY.user(), NOBODY.group(), () -> ProcessView.UNAVAILABLE, false);
        assertThat(decide(unreadable, "GET", "/x", denyDocker, allowAll).rule()).isZero();
    }

    @Test
    void processConditionsMatchTheExecutableTheContainerAndThePodAndAStaleProcessNeverPassesAnAllow() {
        AccessRule agentInPod = processRule(
                true,
                new AccessRule.ProcessCondition(
                        Optional.of(Set.of("/usr/local/bin/agent")),
                        Optional.of(Set.of(CONTAINER.substring(0, 12))),
                        Optional.of(Set.of(POD))));
        assertThat(decide(IN_A_POD, "GET", "/x", agentInPod).allowed()).isTrue();
        assertThat(decide(NOBODY, "GET", "/x", agentInPod).allowed()).isFalse();
        assertThat(decide(GONE, "GET", "/x", agentInPod).allowed()).isFalse();

        AccessRule anyContainer = processRule(
                true, new AccessRule.ProcessCondition(Optional.empty(), Optional.of(Set.of("*")), Optional.empty()));
        assertThat(decide(IN_A_POD, "GET", "/x", anyContainer).allowed()).isTrue();
        assertThat(decide(NOBODY, "GET", "/x", anyContainer).allowed())
                .as("a host process")
                .isFalse();

        AccessRule otherContainer = processRule(
                true,
                new AccessRule.ProcessCondition(
                        Optional.empty(), Optional.of(Set.of("0123456789ab")), Optional.empty()));
        assertThat(decide(IN_A_POD, "GET", "/x", otherContainer).allowed()).isFalse();

        // Deny rules hold on doubt: a process that had exited cannot slip past one.
        AccessRule denyContainers = processRule(
                false, new AccessRule.ProcessCondition(Optional.empty(), Optional.of(Set.of("*")), Optional.empty()));
        AccessRule allowAll = rule(true, Optional.empty(), Optional.empty(), false, false);
        assertThat(decide(IN_A_POD, "GET", "/x", denyContainers, allowAll).allowed())
                .isFalse();
        assertThat(decide(GONE, "GET", "/x", denyContainers, allowAll).allowed())
                .isFalse();
        assertThat(decide(NOBODY, "GET", "/x", denyContainers, allowAll).allowed())
                .isTrue();
    }

    private static AccessRule processRule(boolean allow, AccessRule.ProcessCondition process) {
        return new AccessRule(
                allow,
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                false,
                false,
                process);
    }

    @Test
    void adminWritesAreTheAdminsUnlessAnAllowRuleNamesThem() {
        assertThat(decide(AccessPolicy.Mode.ENFORCE, NOBODY, "PUT", "/v1/routes/x", true)
                        .reason())
                .isEqualTo(AccessDecision.Reason.ADMIN_ONLY);
        assertThat(decide(AccessPolicy.Mode.ENFORCE, ROOT, "PUT", "/v1/routes/x", true)
                        .allowed())
                .isTrue();
        AccessRule writes = allow(List.of("PUT"), "/v1/routes/*");
        assertThat(decide(AccessPolicy.Mode.ENFORCE, NOBODY, "PUT", "/v1/routes/x", true, writes)
                        .reason())
                .isEqualTo(AccessDecision.Reason.ADMIN_ONLY);
        AccessRule adminWrites = rule(true, Optional.empty(), Optional.of(Set.of("PUT")), false, true, "/v1/routes/*");
        assertThat(decide(AccessPolicy.Mode.ENFORCE, NOBODY, "PUT", "/v1/routes/x", true, adminWrites)
                        .allowed())
                .isTrue();
    }

    @Test
    void auditModeLetsARuleDenialPassButNeverAnAdminWrite() {
        AccessRule allowPing = allow(List.of("GET"), "/_ping");
        AccessDecision audited =
                decide(AccessPolicy.Mode.AUDIT, NOBODY, "POST", "/containers/create", false, allowPing);
        assertThat(audited.allowed()).isFalse();
        assertThat(audited.passes()).isTrue();
        assertThat(audited.label()).isEqualTo("audit-deny");

        AccessRule allowAll = rule(true, Optional.empty(), Optional.empty(), false, false);
        AccessDecision write = decide(AccessPolicy.Mode.AUDIT, NOBODY, "POST", "/v1/reload", true, allowAll);
        assertThat(write.passes()).isFalse();
        assertThat(write.label()).isEqualTo("deny");
    }
}
