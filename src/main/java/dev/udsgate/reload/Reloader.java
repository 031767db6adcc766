package dev.udsgate.reload;

import java.util.Optional;

/** Reads the configuration again and applies what changed: what SIGHUP and {@code POST /v1/reload} call. */
@FunctionalInterface
public interface Reloader {

    /**
     * @param byUser who asked (the peer user of the API call); empty for a signal
     * @return what was changed
     * @throws NothingToReloadException if udsgate was started without a configuration file
     * @throws ReloadRefusedException if the configuration read is not valid; nothing was changed
     */
    ReloadSummary reload(Optional<String> byUser);
}
