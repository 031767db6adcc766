package dev.udsgate.socket;

import java.time.Instant;

/** A listener entered {@code state} at {@code at}. */
public record ListenerTransition(ListenerState state, Instant at) {}
