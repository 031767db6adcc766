package dev.udsgate.testing;

import dev.udsgate.cli.Main;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;

/**
 * The real udsgate command line with a gateway whose every answer takes {@code ?ms=N}: a request
 * that stays in flight as long as a test needs. Prints "slow request started" when one arrives.
 */
public final class SlowGateway extends Handler.Abstract.NonBlocking {

    public static void main(String[] args) {
        System.exit(Main.run(args, new SlowGateway()));
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        Fields query = Request.extractQueryParameters(request);
        long millis = Long.parseLong(query.getValue("ms") == null ? "1000" : query.getValue("ms"));
        System.out.println("slow request started");
        System.out.flush();
        request.getComponents()
                .getScheduler()
                .schedule(
                        () -> {
                            response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain");
                            response.write(
                                    true,
                                    ByteBuffer.wrap(("waited " + millis + " ms").getBytes(StandardCharsets.UTF_8)),
                                    callback);
                        },
                        millis,
                        TimeUnit.MILLISECONDS);
        return true;
    }
}
