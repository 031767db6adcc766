package dev.udsgate.api;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** {@code GET /metrics}: the metrics as Prometheus scrapes them. */
final class PrometheusText {

    /** Prometheus' text exposition format. */
    static final String MEDIA_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private PrometheusText() {}

    static Reply reply(String text) {
        return new Reply(200, MEDIA_TYPE, ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)), List.of());
    }
}
