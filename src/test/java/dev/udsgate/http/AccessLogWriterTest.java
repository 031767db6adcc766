package dev.udsgate.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The access log's writer: a request's thread never waits for standard output. */
class AccessLogWriterTest {

    /** Standard output whose reader has stopped reading, until {@link #reader} counts down. */
    private static final class StuckOutput extends OutputStream {
        final CountDownLatch reader = new CountDownLatch(1);
        final ByteArrayOutputStream written = new ByteArrayOutputStream();

        @Override
        public void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            try {
                reader.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            synchronized (written) {
                written.write(b, off, len);
            }
        }

        String text() {
            synchronized (written) {
                return written.toString(StandardCharsets.UTF_8);
            }
        }
    }

    @Test
    void aStuckReaderCostsARequestNoWaitLinesBeyondTheQueueAreDroppedAndCountedTheRestWrittenInOrder()
            throws Exception {
        StuckOutput stdout = new StuckOutput();
        AccessLogWriter writer = new AccessLogWriter(new PrintStream(stdout, false, StandardCharsets.UTF_8), 3);
        writer.start();

        long began = System.nanoTime();
        for (int i = 1; i <= 10; i++) {
            writer.write("line " + i);
        }
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began)).isLessThan(1000);
        // The writer holds the first line it took; three more wait in the queue.
        assertThat(writer.dropped()).isBetween(6L, 7L);

        stdout.reader.countDown();
        writer.stop();
        assertThat(stdout.text().lines())
                .startsWith("line 1", "line 2", "line 3")
                .isSorted();
        assertThat(stdout.text().lines().count() + writer.dropped()).isEqualTo(10);
    }

    @Test
    void linesQueuedBeforeTheStopAreAllWritten() throws Exception {
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        AccessLogWriter writer = new AccessLogWriter(new PrintStream(stdout, false, StandardCharsets.UTF_8), 100);
        writer.start();
        for (int i = 1; i <= 50; i++) {
            writer.write("line " + i);
        }

        writer.stop();

        assertThat(stdout.toString(StandardCharsets.UTF_8).lines())
                .hasSize(50)
                .first()
                .isEqualTo("line 1");
        assertThat(writer.dropped()).isZero();
    }
}
