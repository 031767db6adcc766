package dev.udsgate.gateway;

/** The gateway's fast transport, behind the one thing the gateway asks of it. */
public interface FastTransport {

    /**
     * Sends {@code exchange} if this transport can take it now.
     *
     * @return false if it cannot (the request has a body, or every connection to the upstream is
     *     busy and no more may be opened): nothing was done, and the exchange goes another way
     */
    boolean send(Exchange exchange);
}
