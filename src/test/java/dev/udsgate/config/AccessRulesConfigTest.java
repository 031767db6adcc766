package dev.udsgate.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code listeners[i].rules} and {@code access} as the file gives them, and every mistake at its path. */
class AccessRulesConfigTest {

    @TempDir
    Path dir;

    @Test
    void rulesAreReadInOrderWithTheirConditions() throws Exception {
        ConfigFile file = ConfigFileLoader.load(write("""
                listeners:
                  - name: shared
                    path: /run/shared.sock
                    access: audit
                    rules:
                      - deny: {paths: [/containers/*/archive], anyApiVersion: true}
                      - allow:
                          user: [alice, 1000]
                          gid: 999
                          groups: docker
                          methods: [GET, HEAD]
                          routes: [docker]
                          paths: [/containers/**]
                      - allow: {uid: 0, admin: true}
                """));

        AccessPolicy access = file.listeners().get(0).access();
        assertThat(access.mode()).isEqualTo(AccessPolicy.Mode.AUDIT);
        assertThat(access.rules()).hasSize(3);
        AccessRule deny = access.rules().get(0);
        assertThat(deny.allow()).isFalse();
        assertThat(deny.anyApiVersion()).isTrue();
        assertThat(deny.matchesPath("/v1.41/containers/x/archive")).isTrue();
        AccessRule allow = access.rules().get(1);
        assertThat(allow.users()).contains(Set.of("alice", "1000"));
        assertThat(allow.groups()).contains(Set.of("999"));
        assertThat(allow.anyGroups()).contains(Set.of("docker"));
        assertThat(allow.methods()).contains(Set.of("GET", "HEAD"));
        assertThat(allow.routes()).contains(Set.of("docker"));
        assertThat(access.rules().get(2).admin()).isTrue();
        assertThat(access.rules().get(2).paths()).isEqualTo(Optional.empty());
    }

    @Test
    void aListenerWithoutRulesIsOpenAndEnforced() throws Exception {
        ConfigFile file = ConfigFileLoader.load(write("""
                listeners:
                  - name: shared
                    path: /run/shared.sock
                """));
        assertThat(file.listeners().get(0).access()).isEqualTo(AccessPolicy.OPEN);
    }

    @Test
    void everyMistakeInTheRulesIsReportedAtItsPath() throws Exception {
        InvalidConfigException e =
                catchThrowableOfType(InvalidConfigException.class, () -> ConfigFileLoader.load(write("""
                listeners:
                  - name: shared
                    path: /run/shared.sock
                    access: sometimes
                    rules:
                      - allow: {methods: [get], paths: [containers]}
                      - {allow: {}, deny: {}}
                      - permit: {}
                      - deny: {admin: true, uid: -1}
                      - allow: {paths: ["/a/**/b", "/a//b", "/a/%2e%2e", "/x*"], colour: red}
                      - allow:
                      - allow: {exe: docker, container: [4f66ad], pod: web-0}
                  - name: other
                    path: /run/other.sock
                    rules: []
                """)));

        assertThat(e.errors().stream().map(FieldError::toString).toList())
                .containsExactlyInAnyOrder(
                        "listeners[0].access: must be enforce or audit, got \"sometimes\"",
                        "listeners[0].rules[0].allow.methods[0]: must be an HTTP method in capitals, such as GET, got"
                                + " \"get\"",
                        "listeners[0].rules[0].allow.paths[0]: must be a path starting with /, such as"
                                + " /containers/*/json",
                        "listeners[0].rules[1]: must be a mapping with one key, allow or deny, such as {allow:"
                                + " {methods: [GET]}}, got a mapping",
                        "listeners[0].rules[2].permit: unknown key; known keys: allow, deny",
                        "listeners[0].rules[3].deny.uid: must be between 0 and 4294967295, got -1",
                        "listeners[0].rules[3].deny.admin: is for allow rules only: a deny rule denies admin writes"
                                + " as it is",
                        "listeners[0].rules[4].allow.colour: unknown key; known keys: user, uid, group, gid, groups,"
                                + " exe, container, pod, methods, routes, paths, anyApiVersion, admin",
                        "listeners[0].rules[6].allow.exe: must be an absolute path such as /usr/bin/docker, got"
                                + " \"docker\"",
                        "listeners[0].rules[6].allow.container[0]: must be a container id of at least 12 hex digits,"
                                + " or *, got \"4f66ad\"",
                        "listeners[0].rules[6].allow.pod: must be a pod UID such as"
                                + " 0c6a4a8e-3b1f-4b7e-9d2a-6f1f0e9d8c7b, or *, got \"web-0\"",
                        "listeners[0].rules[4].allow.paths[0]: has ** before its end: ** may only be its last"
                                + " segment, as in /containers/**; use * for one segment",
                        "listeners[0].rules[4].allow.paths[1]: has an empty segment (//), which no request path has",
                        "listeners[0].rules[4].allow.paths[2]: has a segment that is not in canonical form (\"%2e%2e\"):"
                                + " write it as the gateway reads it, without . or .., ; or needless escapes",
                        "listeners[0].rules[4].allow.paths[3]: has a * inside a segment (\"x*\"): * stands for one"
                                + " whole segment only",
                        "listeners[0].rules[5].allow: must be what the rule matches, a mapping with keys user, uid,"
                                + " group, gid, groups, exe, container, pod, methods, routes, paths, anyApiVersion, admin; {} for every"
                                + " request, got nothing",
                        "listeners[1].rules: must be a list of one or more rules such as {allow: {methods: [GET]}};"
                                + " leave it out for none, got a list");
    }

    /** The recipe stays valid: it is read as {@code check-config} reads it. */
    @Test
    void theReadOnlyDockerRecipeIsAValidConfig() {
        ConfigFile file = ConfigFileLoader.load(Path.of("docker/read-only-docker.yaml"));

        assertThat(file.listeners()).extracting(ListenerDocument::name).containsExactly("admin", "docker");
        ListenerDocument docker = file.listeners().get(1);
        assertThat(docker.exposure().api()).isEqualTo(Exposure.Api.NONE);
        assertThat(docker.mode()).contains(FileMode.parse("0666"));
        assertThat(file.listeners().get(0).mode()).contains(FileMode.parse("0600"));
        assertThat(docker.access().rules()).isNotEmpty();
        assertThat(file.routes()).singleElement().satisfies(route -> {
            assertThat(route.upstreams().toString()).contains("/var/run/docker.sock");
        });
        assertThat(file.routes().get(0).responseTimeout()).isZero();
    }

    /** The README shows the recipe as it is (its comments may be shorter), so the two cannot disagree. */
    @Test
    void theReadmeShowsTheReadOnlyDockerRecipeAsTheFileSaysIt() throws Exception {
        String readme = Files.readString(Path.of("README.md"));
        int section = readme.indexOf("### A read-only Docker socket");
        int start = readme.indexOf("```yaml\n", section) + "```yaml\n".length();
        String shown = readme.substring(start, readme.indexOf("```", start));
        var yaml = new com.fasterxml.jackson.databind.ObjectMapper(
                new com.fasterxml.jackson.dataformat.yaml.YAMLFactory());

        assertThat(yaml.readTree(shown))
                .isEqualTo(yaml.readTree(Path.of("docker/read-only-docker.yaml").toFile()));
    }

    private Path write(String yaml) throws Exception {
        Path file = dir.resolve("udsgate.yaml");
        Files.writeString(file, yaml);
        return file;
    }
}
