package dev.udsgate.reload;

import dev.udsgate.config.GatewayConfig;
import java.util.function.Supplier;

/**
 * Where the configuration comes from, to be read again: built exactly as at start (the file under
 * the command line's flags).
 *
 * @param name what to call it in errors, such as the file's path
 * @param read reads it; throws {@link dev.udsgate.config.InvalidConfigException} with every error
 */
public record ConfigSource(String name, Supplier<GatewayConfig> read) {}
