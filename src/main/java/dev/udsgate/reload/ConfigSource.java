package dev.udsgate.reload;

import dev.udsgate.config.GatewayConfig;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Where the configuration comes from, to be read again: built exactly as at start (the file under
 * the command line's flags).
 *
 * @param name what to call it in errors, such as the file's path
 * @param read reads it; throws {@link dev.udsgate.config.InvalidConfigException} with every error
 * @param file the file it reads, to be watched ({@code watchConfig}); empty if it is not a file
 */
public record ConfigSource(String name, Supplier<GatewayConfig> read, Optional<Path> file) {

    /** Not a file: nothing to watch. */
    public ConfigSource(String name, Supplier<GatewayConfig> read) {
        this(name, read, Optional.empty());
    }
}
