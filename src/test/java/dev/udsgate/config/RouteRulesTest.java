package dev.udsgate.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The rules every route obeys, from the configuration file or the API: pure logic, below the socket. */
class RouteRulesTest {

    @TempDir
    Path dir;

    private static List<FieldError> errorsOf(RouteDocument doc) {
        List<FieldError> errors = new ArrayList<>();
        RouteRules.check(doc, "", errors);
        return errors;
    }

    private static RouteDocument route(List<String> upstreams, RouteDocument.HealthCheckDocument check) {
        return new RouteDocument("app", "app", null, null, upstreams, null, null, check);
    }

    private static RouteDocument.HealthCheckDocument check(String path, String interval) {
        return new RouteDocument.HealthCheckDocument(path, interval, null, null, null);
    }

    @Test
    void aHealthCheckPathWithCrLfIsRefusedSoItCannotCarryASecondRequest() {
        List<FieldError> errors = errorsOf(route(
                List.of("unix:/run/app.sock"),
                check("/health HTTP/1.1\r\nHost: x\r\n\r\nDELETE /admin/everything", "5s")));

        assertThat(errors).extracting(FieldError::path).containsExactly("healthCheck.path");
        assertThat(errors.get(0).reason()).contains("\\r\\n").doesNotContain("\r");
    }

    @Test
    void aHealthCheckPathMayHaveAQueryButMustBeCanonicalPrintableAscii() {
        assertThat(errorsOf(route(List.of("unix:/run/app.sock"), check("/health?full=1", "5s"))))
                .isEmpty();
        for (String bad : List.of("/health?a b", "/he alth", "/a/../health", "/health#x", "/x\u0000", "health")) {
            assertThat(errorsOf(route(List.of("unix:/run/app.sock"), check(bad, "5s"))))
                    .as(bad)
                    .extracting(FieldError::path)
                    .containsExactly("healthCheck.path");
        }
    }

    @Test
    void aRouteSendsTheKernelsIdentityUnlessItSaysNoneOrProcess() {
        RouteDocument plain = route(List.of("unix:/run/app.sock"), null);
        assertThat(RouteRules.check(plain, "", new ArrayList<>()).orElseThrow().identityHeaders())
                .isEqualTo(IdentityForwarding.KERNEL);
        for (IdentityForwarding forwarding : IdentityForwarding.values()) {
            RouteDocument doc = withIdentity(plain, forwarding.label());
            assertThat(RouteRules.check(doc, "", new ArrayList<>())
                            .orElseThrow()
                            .identityHeaders())
                    .isEqualTo(forwarding);
            assertThat(RouteDocument.of(
                                    RouteRules.check(doc, "", new ArrayList<>()).orElseThrow())
                            .identityHeaders())
                    .isEqualTo(forwarding.label());
        }
        assertThat(errorsOf(withIdentity(plain, "all")))
                .extracting(FieldError::toString)
                .containsExactly("identityHeaders: must be none, kernel or process, got \"all\"");
    }

    private static RouteDocument withIdentity(RouteDocument doc, String identityHeaders) {
        return new RouteDocument(
                doc.name(),
                doc.host(),
                doc.pathPrefix(),
                doc.stripPrefix(),
                doc.upstreams(),
                doc.connectTimeout(),
                doc.responseTimeout(),
                doc.healthCheck(),
                identityHeaders);
    }

    @Test
    void anUpstreamOrHostWithAControlCharacterIsRefused() {
        assertThat(errorsOf(route(List.of("unix:/run/app.sock\r\nX: y"), null)))
                .extracting(FieldError::path)
                .containsExactly("upstreams[0]");
        assertThat(errorsOf(route(List.of("http://127.0.0.1:80\r\n"), null)))
                .extracting(FieldError::path)
                .containsExactly("upstreams[0]");
        assertThat(errorsOf(new RouteDocument("app", "a\r\nb", null, null, List.of("unix:/a.sock"), null, null, null)))
                .extracting(FieldError::path)
                .containsExactly("host");
    }

    @Test
    void aPathPrefixMustBeCanonicalToEverMatch() {
        for (String bad : List.of("/api/../x", "/api/./x", "/api;v=1", "/a%2Fb", "/%61pi")) {
            List<FieldError> errors = new ArrayList<>();
            RouteRules.check(
                    new RouteDocument("app", null, bad, null, List.of("unix:/a.sock"), null, null, null), "", errors);
            assertThat(errors).as(bad).extracting(FieldError::path).containsExactly("pathPrefix");
        }
    }

    @Test
    void aRouteHasAtMost64Upstreams() {
        List<String> upstreams = IntStream.range(0, RouteRules.MAX_UPSTREAMS_PER_ROUTE + 1)
                .mapToObj(i -> "unix:/run/u" + i + ".sock")
                .toList();

        assertThat(errorsOf(route(upstreams.subList(0, 64), null))).isEmpty();
        List<FieldError> errors = errorsOf(route(upstreams, null));
        assertThat(errors).extracting(FieldError::path).containsExactly("upstreams");
        assertThat(errors.get(0).reason()).contains("65").contains("at most 64");
    }

    @Test
    void healthChecksAreAtMostOnceASecond() {
        assertThat(errorsOf(route(List.of("unix:/a.sock"), check("/health", "1s"))))
                .isEmpty();
        List<FieldError> errors = errorsOf(route(List.of("unix:/a.sock"), check("/health", "999ms")));
        assertThat(errors).extracting(FieldError::path).containsExactly("healthCheck.interval");
        assertThat(errors.get(0).reason()).isEqualTo("must be at least 1s; got 999ms");
    }

    @Test
    void aRouteToUdsgatesOwnSocketIsRefusedByPathAndByFileIdentity() throws IOException {
        Path own = dir.resolve("udsgate.sock");
        try (ServerSocketChannel listening = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            listening.bind(UnixDomainSocketAddress.of(own));
            Path link = Files.createSymbolicLink(dir.resolve("link.sock"), own);
            Path hardLink = Files.createLink(dir.resolve("hard.sock"), own);
            Files.createDirectory(dir.resolve("sub"));

            for (String upstream : List.of(
                    "unix:" + own, "unix:" + dir.resolve("sub/../udsgate.sock"), "unix:" + link, "unix:" + hardLink)) {
                RouteConfig route = RouteRules.check(
                                route(List.of("unix:/other.sock", upstream), null), "", new ArrayList<>())
                        .orElseThrow();
                List<FieldError> errors = new ArrayList<>();
                RouteRules.checkNotOwnSocket(route, List.of(own), "routes[3]", errors);
                assertThat(errors).as(upstream).extracting(FieldError::path).containsExactly("routes[3].upstreams[1]");
                assertThat(errors.get(0).reason()).contains("own socket");
            }
            RouteConfig other = RouteRules.check(
                            route(List.of("unix:" + dir.resolve("other.sock")), null), "", new ArrayList<>())
                    .orElseThrow();
            List<FieldError> errors = new ArrayList<>();
            RouteRules.checkNotOwnSocket(other, List.of(own), "", errors);
            assertThat(errors).isEmpty();
        }
    }
}
