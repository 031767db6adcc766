package dev.udsgate.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class PathTemplateTest {

    @Test
    void literalPathsMatchExactly() {
        PathTemplate template = new PathTemplate("/v1/socket");
        assertThat(template.match("/v1/socket")).isEmpty();
        assertThat(template.match("/v1/socket/")).isNull();
        assertThat(template.match("/v1/sockets")).isNull();
        assertThat(template.match("/v1")).isNull();
    }

    @Test
    void namedSegmentsCaptureOneNonEmptySegment() {
        PathTemplate template = new PathTemplate("/v1/connections/{id}");
        assertThat(template.match("/v1/connections/42")).isEqualTo(Map.of("id", "42"));
        assertThat(template.match("/v1/connections/")).isNull();
        assertThat(template.match("/v1/connections/42/x")).isNull();
    }

    @Test
    void routesTellAWrongMethodFromAnUnknownPath() {
        Routes routes = new Routes().get("/v1/socket", call -> null).add("DELETE", "/v1/things/{id}", call -> null);
        assertThat(routes.match("GET", "/v1/socket")).isInstanceOf(Routes.Found.class);
        assertThat(routes.match("HEAD", "/v1/socket")).isInstanceOf(Routes.Found.class);
        assertThat(routes.match("POST", "/v1/socket")).isEqualTo(new Routes.WrongMethod("GET, HEAD"));
        assertThat(routes.match("GET", "/v1/things/1")).isEqualTo(new Routes.WrongMethod("DELETE"));
        assertThat(routes.match("GET", "/v1/nothing")).isInstanceOf(Routes.NoSuchPath.class);
    }
}
