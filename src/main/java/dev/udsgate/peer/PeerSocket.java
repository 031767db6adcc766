package dev.udsgate.peer;

import java.nio.channels.SocketChannel;
import java.util.OptionalInt;
import java.util.function.IntSupplier;

/**
 * A client's connected socket, as a {@link PeerReader} reads it: at accept, and again when the
 * peer's process is first asked about.
 *
 * <p>The second read is why {@link #whileOpen} exists: a descriptor number is given to the next
 * socket as soon as this one closes, so a system call on it must not race the close, or it would
 * ask about another connection's peer.
 */
public interface PeerSocket {

    /** The connected channel (the name is Jetty's endpoint's, which implements this). */
    SocketChannel getChannel();

    /**
     * {@code call}'s answer, made while this socket is certainly open (it is not closed while the
     * call runs); empty if it is closed or closing. The call must be short and must not block.
     */
    OptionalInt whileOpen(IntSupplier call);
}
