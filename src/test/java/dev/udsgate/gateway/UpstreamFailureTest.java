package dev.udsgate.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.udsgate.config.UpstreamAddress;
import java.io.EOFException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The closed set of upstream failures, told from what the transport knew and the failure's type. */
class UpstreamFailureTest {

    @TempDir
    Path dir;

    private final UpstreamAddress tcp = UpstreamAddress.parse("http://127.0.0.1:8081");

    @Test
    void withoutAConnectionItIsRefusedNoSocketOrAConnectTimeout() throws IOException {
        UpstreamAddress missing = UpstreamAddress.parse("unix:" + dir.resolve("missing.sock"));
        Path present = Files.createFile(dir.resolve("present.sock"));
        UpstreamAddress there = UpstreamAddress.parse("unix:" + present);

        // The JDK says "No such file or directory" in a plain SocketException: the file decides, not the words.
        assertThat(UpstreamFailure.of(new SocketException("No such file or directory"), false, missing))
                .isEqualTo(UpstreamFailure.NO_SOCKET);
        assertThat(UpstreamFailure.of(new ConnectException("Connection refused"), false, there))
                .isEqualTo(UpstreamFailure.REFUSED);
        assertThat(UpstreamFailure.of(new ConnectException("whatever it says"), false, tcp))
                .isEqualTo(UpstreamFailure.REFUSED);
        assertThat(UpstreamFailure.of(new UpstreamFailure.ConnectTimeout(), false, tcp))
                .isEqualTo(UpstreamFailure.CONNECT_TIMEOUT);
        assertThat(UpstreamFailure.of(new SocketTimeoutException("Connect Timeout"), false, tcp))
                .isEqualTo(UpstreamFailure.CONNECT_TIMEOUT);
        assertThat(UpstreamFailure.of(new IOException(new TimeoutException()), false, tcp))
                .isEqualTo(UpstreamFailure.CONNECT_TIMEOUT);
    }

    @Test
    void onAConnectionItIsStaleATimeoutOrABrokenAnswer() {
        assertThat(UpstreamFailure.of(new UpstreamFailure.Stale(), true, tcp)).isEqualTo(UpstreamFailure.STALE);
        assertThat(UpstreamFailure.of(new TimeoutException("Idle timeout expired"), true, tcp))
                .isEqualTo(UpstreamFailure.TIMEOUT);
        assertThat(UpstreamFailure.of(new IOException("wrapped", new TimeoutException()), true, tcp))
                .isEqualTo(UpstreamFailure.TIMEOUT);
        assertThat(UpstreamFailure.of(new EOFException("the upstream closed the connection mid-answer"), true, tcp))
                .isEqualTo(UpstreamFailure.BROKEN);
        // A refusal's words on a connection that was made are not a refusal.
        assertThat(UpstreamFailure.of(new ConnectException("Connection refused"), true, tcp))
                .isEqualTo(UpstreamFailure.BROKEN);
    }

    @Test
    void onlyFailuresWithoutAConnectionMayGoToAnotherUpstream() {
        assertThat(UpstreamFailure.values())
                .filteredOn(UpstreamFailure::couldNotConnect)
                .containsExactly(UpstreamFailure.REFUSED, UpstreamFailure.NO_SOCKET, UpstreamFailure.CONNECT_TIMEOUT);
    }
}
