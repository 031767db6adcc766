package dev.udsgate.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The one form of a path the gateway matches, strips and forwards: pure logic, below the socket. */
class CanonicalPathTest {

    @Test
    void aPathAlreadyCanonicalIsReturnedAsItIs() {
        String path = "/api/users/7";
        assertThat(CanonicalPath.of(path)).isSameAs(path);
        assertThat(CanonicalPath.of("/")).isEqualTo("/");
        assertThat(CanonicalPath.of("/a/b/")).isEqualTo("/a/b/");
        assertThat(CanonicalPath.of("/a.b/.well-known/x..y")).isEqualTo("/a.b/.well-known/x..y");
    }

    @ParameterizedTest
    @CsvSource({
        "/a/b/c/../../../api/users/q, /api/users/q",
        "/api/./users, /api/users",
        "/a/.., /",
        "/a/b/.., /a/",
        "/a/., /a/",
        "/%61pi/%7Euser, /api/~user",
        "/caf%c3%a9, /caf%C3%A9",
        "/a%20b, /a%20b",
        "/a%2ejson, /a.json",
        "/100%25, /100%25",
        "/a%3Bb, /a%3Bb",
        "/a|b{c}, /a%7Cb%7Bc%7D",
        "/a:b@c!$&()*+=, /a:b@c!$&()*+=",
    })
    void pathsAreCanonicalised(String raw, String canonical) {
        assertThat(CanonicalPath.of(raw)).isEqualTo(canonical);
        assertThat(CanonicalPath.of(canonical)).as("canonical is a fixed point").isEqualTo(canonical);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "/api;x/users",
                "/api//users",
                "//api",
                "/api/users//",
                "/api/users;jsessionid=1",
                "/a%2Fb",
                "/a%2fb",
                "/a%5Cb",
                "/a\\b",
                "/a%00b",
                "/%2e%2e/secret",
                "/a/%2E/b",
                "/..",
                "/a/../../b",
                "/a%zz",
                "/a%4",
                "/a%/b",
                "/caf\u00e9",
                "/a b",
                "*",
                "api",
                ""
            })
    void ambiguousPathsAreRefused(String raw) {
        assertThatThrownBy(() -> CanonicalPath.of(raw))
                .isInstanceOf(CanonicalPath.Refused.class)
                .hasMessageStartingWith("the ");
    }

    @Test
    void theReasonSaysWhatIsWrong() {
        assertThatThrownBy(() -> CanonicalPath.of("/a%2Fb")).hasMessageContaining("%2F");
        assertThatThrownBy(() -> CanonicalPath.of("/x/../..")).hasMessageContaining("above the root");
        assertThatThrownBy(() -> CanonicalPath.of("/api;x")).hasMessageContaining("';'");
    }

    @Test
    void canonicalFormIsTold() {
        assertThat(CanonicalPath.isCanonicalForm("/api/users")).isTrue();
        assertThat(CanonicalPath.isCanonicalForm("/api/")).isTrue();
        assertThat(CanonicalPath.isCanonicalForm("/api//users")).isFalse();
        assertThat(CanonicalPath.isCanonicalForm("/api/./users")).isFalse();
        assertThat(CanonicalPath.isCanonicalForm("/api/../x")).isFalse();
        assertThat(CanonicalPath.isCanonicalForm("/health\r\nDELETE /admin")).isFalse();
    }
}
