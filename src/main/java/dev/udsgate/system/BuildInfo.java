package dev.udsgate.system;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * The version of this build and of the API it serves.
 *
 * @param version udsgate's release, from the build
 * @param apiVersion the API's version, sent in every {@code Api-Version} header
 */
public record BuildInfo(String version, String apiVersion) {

    /** Bumped when the API changes in a way clients can see; the path prefix carries the major. */
    public static final String API_VERSION = "1.0";

    private static final BuildInfo CURRENT = load();

    public static BuildInfo current() {
        return CURRENT;
    }

    private static BuildInfo load() {
        try (InputStream in = BuildInfo.class.getResourceAsStream("/dev/udsgate/build.properties")) {
            Properties properties = new Properties();
            if (in != null) {
                properties.load(in);
            }
            return new BuildInfo(properties.getProperty("version", "unknown"), API_VERSION);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
