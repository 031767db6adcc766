package dev.udsgate.config;

/**
 * One thing wrong in a configuration or an API body.
 *
 * @param path where, as a key path: {@code routes[2].upstreams[0]}
 * @param reason what is wrong and what is expected
 */
public record FieldError(String path, String reason) {

    @Override
    public String toString() {
        return path + ": " + reason;
    }
}
