package dev.udsgate.gateway;

import dev.udsgate.http.ProblemException;
import dev.udsgate.http.ProblemWriter;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/** The end of the chain: no API endpoint and no route took the request. */
public final class NoRoute extends Handler.Abstract.NonBlocking {

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        String host = request.getHeaders().get(HttpHeader.HOST);
        String detail = "no route for " + (host == null ? "" : "host " + host + " and ") + "path "
                + Request.getPathInContext(request);
        ProblemWriter.write(request, response, callback, ProblemException.notFound(detail));
        return true;
    }
}
