package dev.udsgate.gateway.upgrade;

import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.io.Transport;

/**
 * One upgrade request as the gateway hands it over: where its upstream is, what to send it, which
 * of the answer's headers pass, how the upstream is counted and how a failure is answered. The
 * gateway's rules decide all of that; the tunnel only moves bytes.
 */
public interface UpgradeTarget {

    /** How to reach the upstream: {@link Transport.TCPUnix} for a Unix socket, {@link Transport#TCP_IP} else. */
    Transport transport();

    /** The upstream's address: a Unix socket's, or a loopback host and port. */
    SocketAddress address();

    Duration connectTimeout();

    /** The longest the upstream may stay silent, before its answer and in the tunnel; zero: no limit. */
    Duration silenceTimeout();

    /**
     * Writes the request head as the gateway forwards it, {@code Connection: Upgrade} and the
     * client's {@code Upgrade} included.
     *
     * @throws java.nio.BufferOverflowException if {@code out} is too small
     */
    void writeHead(ByteBuffer out);

    /**
     * Copies the upstream's answer headers that may reach the client.
     *
     * @param switching whether the answer is the {@code 101} that opens the tunnel
     */
    void copyAnswerHeaders(List<HttpField> answer, HttpFields.Mutable to, boolean switching);

    /** The exchange is over, answered ({@code ok}, a tunnel included) or not: the upstream's counters. */
    void ended(boolean ok);

    /**
     * Nothing was answered yet and the upstream failed: the gateway answers {@code failure}.
     *
     * @param connected whether the connection to the upstream had been made
     */
    void answerFailure(Throwable failure, boolean connected);
}
