package dev.udsgate.access;

import dev.udsgate.config.AccessPolicy;

/**
 * Told of each request a listener's rules deny, beside the audit line and the event: what metrics
 * count. Called on the request's thread, so it must neither block nor allocate much.
 */
@FunctionalInterface
public interface Denials {

    /**
     * @param listener the listener's name
     * @param mode {@code ENFORCE}: the request was refused; {@code AUDIT}: the rules would have refused
     *     it, and it went on
     */
    void denied(String listener, AccessPolicy.Mode mode);
}
