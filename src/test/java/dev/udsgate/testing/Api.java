package dev.udsgate.testing;

import io.restassured.RestAssured;
import io.restassured.config.HttpClientConfig;
import io.restassured.config.RestAssuredConfig;
import io.restassured.specification.RequestSpecification;
import java.nio.file.Path;

/** REST Assured, speaking HTTP over a Unix socket, with every answer checked against the contract. */
public final class Api {

    private Api() {}

    public static RequestSpecification over(Path socket) {
        return unchecked(socket).filter(ApiContract.filter());
    }

    /**
     * Without the contract check: only for what a test's own gateway answers, which is not
     * udsgate's API.
     */
    public static RequestSpecification unchecked(Path socket) {
        RestAssuredConfig config = RestAssuredConfig.config()
                .httpClient(
                        HttpClientConfig.httpClientConfig().httpClientFactory(() -> UnixSocketHttpClient.to(socket)));
        return RestAssured.given().config(config).baseUri("http://localhost");
    }
}
