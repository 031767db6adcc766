package dev.udsgate.gateway;

import dev.udsgate.config.UpstreamAddress;
import java.time.Duration;
import java.util.function.Consumer;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;

/**
 * One forwarded request as a transport sees it: where to send it, what to send, and how to say the
 * way it ended. The gateway decides everything else once, whichever transport carries the request
 * (the headers, the retry, the problem a failure becomes); a transport only moves bytes.
 */
public interface Exchange {

    Request request();

    /** The client's answer, written by the transport as the upstream's arrives. */
    Response response();

    UpstreamAddress upstream();

    /** The route's limit on making a connection. */
    Duration connectTimeout();

    /** The route's limit on the upstream's silence; zero: none. */
    Duration responseTimeout();

    /** The path and query sent upstream: the canonical path the route matched, its prefix stripped if it strips it. */
    String target();

    boolean isHead();

    /** The {@code Host} sent upstream: the client's, or the upstream's own name when it sent none. */
    String host();

    /** Every header sent upstream but {@code Host}, in order: the client's that pass, then the gateway's. */
    void forwardedHeaders(Consumer<HttpField> sink);

    /** Sets the client's answer from the upstream's head: its status, and its headers less those that stop here. */
    void answerHead(int status, Iterable<HttpField> upstreamHeaders);

    /** The whole answer went to the client. */
    void succeeded();

    /**
     * The upstream could not be reached or could not answer.
     *
     * @param connected whether a connection to the upstream had been made
     * @param answered whether the upstream had begun to answer
     */
    void failed(Throwable failure, boolean connected, boolean answered);

    /** The server is stopping and closed the upstream connection under this request: the client's is cut too. */
    void cut(Throwable cause);
}
