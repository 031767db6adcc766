package dev.udsgate.connections;

import dev.udsgate.peer.PeerIdentity;

/**
 * Who is behind one open connection, as the registry knows it: for those that act on the caller's
 * kernel identity (the gateway's identity headers).
 *
 * @param connectionId the connection's id, as the API shows it
 * @param listener the listener it came through
 * @param identity the peer, read from the kernel at accept
 */
public record ConnectionPeer(String connectionId, String listener, PeerIdentity identity) {}
