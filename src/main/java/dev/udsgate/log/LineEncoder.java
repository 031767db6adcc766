package dev.udsgate.log;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.encoder.EncoderBase;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.udsgate.config.LogFormat;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * Writes a {@link LogLine} as text or as one JSON object, each ending in a newline. The format can
 * be switched while lines are written: the command line chooses it once its file is read.
 */
public final class LineEncoder extends EncoderBase<ILoggingEvent> {

    private static final JsonFactory JSON = JsonFactory.builder().build();

    private volatile LogFormat format;

    public LineEncoder(LogFormat format) {
        this.format = format;
    }

    void use(LogFormat format) {
        this.format = format;
    }

    @Override
    public byte[] encode(ILoggingEvent event) {
        LogLine line = LogLine.of(event);
        return format == LogFormat.JSON ? json(line) : text(line);
    }

    /**
     * {@code TIME LEVEL LOGGER [THREAD] MESSAGE}; a control character in the message is escaped, so
     * that what a client sent cannot start a line of its own. A stack trace follows on its own lines.
     */
    private static byte[] text(LogLine line) {
        StringBuilder text = new StringBuilder(128)
                .append(line.time())
                .append(' ')
                .append(String.format("%-5s", line.level()))
                .append(' ')
                .append(line.logger())
                .append(" [")
                .append(line.thread())
                .append("] ");
        escapeControls(line.message(), text);
        text.append('\n');
        line.exception().ifPresent(trace -> text.append(trace));
        return text.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void escapeControls(String message, StringBuilder to) {
        for (int i = 0; i < message.length(); i++) {
            char c = message.charAt(i);
            switch (c) {
                case '\n' -> to.append("\\n");
                case '\r' -> to.append("\\r");
                case '\t' -> to.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x7f) {
                        to.append(String.format("\\u%04x", (int) c));
                    } else {
                        to.append(c);
                    }
                }
            }
        }
    }

    private static byte[] json(LogLine line) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        try (JsonGenerator json = JSON.createGenerator(bytes)) {
            json.writeStartObject();
            json.writeStringField("timestamp", line.time());
            json.writeStringField("level", line.level());
            json.writeStringField("logger", line.logger());
            json.writeStringField("thread", line.thread());
            json.writeStringField("message", line.message());
            if (line.exception().isPresent()) {
                json.writeStringField("exception", line.exception().get());
            }
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        bytes.write('\n');
        return bytes.toByteArray();
    }

    @Override
    public byte[] headerBytes() {
        return null;
    }

    @Override
    public byte[] footerBytes() {
        return null;
    }
}
