package dev.udsgate.testing;

import dev.udsgate.cli.Main;
import java.nio.file.Path;

/**
 * The real udsgate command line, with a slow upstream started in the same process first (at the
 * path in system property {@code upstream.socket}), for tests that need a request in flight while
 * udsgate is signalled. The test's config file routes to it.
 */
public final class SlowGateway {

    private SlowGateway() {}

    public static void main(String[] args) throws java.io.IOException {
        Path socket = Path.of(System.getProperty("upstream.socket"));
        // A kill -9 of an earlier run leaves this test's own upstream socket behind.
        java.nio.file.Files.deleteIfExists(socket);
        TestUpstream.onUnixSocket("slow", socket);
        System.exit(Main.run(args));
    }
}
