package dev.udsgate.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpVersion;
import org.junit.jupiter.api.Test;

/** The headers an upstream gets, whichever transport carries the request ({@link ForwardingRules#forwardedHeaders}). */
class ForwardedHeadersTest {

    private static String write(HttpFields headers, HttpVersion version) {
        return write(headers, version, List.of());
    }

    /** As the fast path writes a head: request line, Host (the client's, else the upstream's), the rest. */
    private static String write(HttpFields headers, HttpVersion version, List<HttpField> identity) {
        StringBuilder head = new StringBuilder("GET /p?q=1 HTTP/1.1\r\n");
        String host = headers.get("Host");
        head.append("Host: ").append(host == null ? "localhost" : host).append("\r\n");
        ForwardingRules.forwardedHeaders(
                headers,
                version,
                "udsgate",
                identity,
                "req-1",
                field -> head.append(field.getName())
                        .append(": ")
                        .append(field.getValue())
                        .append("\r\n"));
        return head.append("\r\n").toString();
    }

    @Test
    void hopByHopHeadersGoAndForwardingIsSaidInsteadOfTheClientsClaims() {
        HttpFields headers = HttpFields.build()
                .add("Host", "app")
                .add("Connection", "X-Private, keep-alive")
                .add("X-Private", "secret")
                .add("Keep-Alive", "timeout=5")
                .add("TE", "trailers")
                .add("Accept", "*/*")
                .add("Via", "1.0 edge")
                .add("Forwarded", "for=10.0.0.1")
                .add("X-Forwarded-Host", "evil")
                .add("X-Forwarded-Proto", "https")
                .add("X-Forwarded-For", "10.0.0.1")
                .add("X-Real-IP", "10.0.0.1")
                .add("X-Forwarded-Port", "443")
                .add("x-original-url", "/admin")
                .add("Expect", "100-continue")
                .add("Cookie", "a=1")
                .add("X-Request-Id", "forged twice, with spaces");

        assertThat(write(headers, HttpVersion.HTTP_1_1))
                .isEqualTo("GET /p?q=1 HTTP/1.1\r\n"
                        + "Host: app\r\n"
                        + "Accept: */*\r\n"
                        + "Cookie: a=1\r\n"
                        + "Via: 1.0 edge, 1.1 udsgate\r\n"
                        + "Forwarded: for=unknown;proto=http;host=\"app\"\r\n"
                        + "X-Forwarded-Host: app\r\n"
                        + "X-Forwarded-Proto: http\r\n"
                        + "X-Request-Id: req-1\r\n"
                        + "\r\n");
    }

    @Test
    void aClientsHeadersInUdsgatesNamespaceAreDroppedAndUdsgatesOwnAreSent() {
        HttpFields forged = HttpFields.build()
                .add("Host", "app")
                .add("Udsgate-Peer-Uid", "0")
                .add("udsgate-peer-user", "root")
                .add("UDSGATE-CONNECTION", "1")
                .add("Udsgate-Anything", "x");
        List<HttpField> identity =
                List.of(new HttpField("Udsgate-Connection", "7"), new HttpField("Udsgate-Peer-Uid", "65534"));

        String head = write(forged, HttpVersion.HTTP_1_1, identity);

        assertThat(head.toLowerCase(java.util.Locale.ROOT).split("udsgate-", -1))
                .hasSize(3);
        assertThat(head).endsWith("Udsgate-Connection: 7\r\nUdsgate-Peer-Uid: 65534\r\nX-Request-Id: req-1\r\n\r\n");
    }

    @Test
    void aHostWithAQuoteCannotEndTheForwardedQuotedString() {
        assertThat(write(HttpFields.build().add("Host", "a\"b"), HttpVersion.HTTP_1_1))
                .contains("Forwarded: for=unknown;proto=http;host=\"a\\\"b\"\r\n");
    }

    @Test
    void withoutAHostTheUpstreamsIsSentAndNoneIsForwarded() {
        assertThat(write(HttpFields.build().add("Accept", "*/*"), HttpVersion.HTTP_1_0))
                .isEqualTo("GET /p?q=1 HTTP/1.1\r\n"
                        + "Host: localhost\r\n"
                        + "Accept: */*\r\n"
                        + "Via: 1.0 udsgate\r\n"
                        + "Forwarded: for=unknown;proto=http\r\n"
                        + "X-Forwarded-Proto: http\r\n"
                        + "X-Request-Id: req-1\r\n"
                        + "\r\n");
    }
}
