package dev.udsgate.socket;

/**
 * Decides whether a listener keeps a connection it has just accepted. Asked twice: on the thread
 * that accepts, before anything is known but that a client arrived; then once its endpoint is made,
 * when the peer's credentials can be read. A refused connection is closed at once, before any of it is read.
 */
public interface ConnectionGate {

    /**
     * On the accepting thread, for every accepted client: must neither block nor read from the
     * channel. True takes a place on the listener, which {@link #closed} gives back.
     */
    boolean admitAccepted();

    /**
     * For a client {@link #admitAccepted} let in, on the selector thread (on a pool thread where the
     * peer reader may block); {@code endPoint.peer()} may be read here. False refuses it;
     * {@link #closed} is called for it all the same.
     */
    boolean admitPeer(ListenerEndPoint endPoint);

    /** The client's connection has ended, whether it was admitted or refused by {@link #admitPeer}. */
    void closed(ListenerEndPoint endPoint);

    /** Jetty could not take on a client {@link #admitAccepted} let in (it is stopping): it is gone. */
    void acceptFailed();

    /** Lets everyone in. */
    ConnectionGate OPEN = new ConnectionGate() {
        @Override
        public boolean admitAccepted() {
            return true;
        }

        @Override
        public boolean admitPeer(ListenerEndPoint endPoint) {
            return true;
        }

        @Override
        public void closed(ListenerEndPoint endPoint) {}

        @Override
        public void acceptFailed() {}
    };
}
