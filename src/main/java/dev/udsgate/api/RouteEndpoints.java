package dev.udsgate.api;

import dev.udsgate.config.ConfigFileLoader;
import dev.udsgate.config.FieldError;
import dev.udsgate.config.RouteConfig;
import dev.udsgate.config.RouteDocument;
import dev.udsgate.config.RouteRules;
import dev.udsgate.gateway.GatewayRouter;
import dev.udsgate.gateway.RouteRegistry;
import dev.udsgate.gateway.Upstream;
import dev.udsgate.http.ProblemException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.eclipse.jetty.http.HttpHeader;

/** {@code /v1/routes} and {@code /v1/upstreams}: the gateway's routes, changed at run time, and their upstreams. */
final class RouteEndpoints {

    private final RouteRegistry registry;
    private final GatewayRouter router;

    RouteEndpoints(RouteRegistry registry, GatewayRouter router) {
        this.registry = registry;
        this.router = router;
    }

    Reply list(ApiCall call) {
        return Reply.json(registry.list().stream().map(RouteView::of).toList());
    }

    Reply get(ApiCall call) {
        RouteRegistry.Versioned route = find(name(call));
        return Reply.json(RouteView.of(route)).withHeader("ETag", route.etag());
    }

    /** The body is checked as a configuration file's route is, every error at once; the path names it. */
    Reply put(ApiCall call) {
        RouteConfig route = ConfigFileLoader.apiRoute(name(call), JsonBody.text(call));
        List<FieldError> errors = new ArrayList<>();
        RouteRules.checkNotOwnSocket(route, registry.ownSockets(), "", errors);
        if (!errors.isEmpty()) {
            throw ProblemException.invalidBody("the route is not valid: " + errors.get(0), errors);
        }
        RouteRegistry.Change change = registry.put(route, ifMatch(call));
        return Reply.json(change.created() ? 201 : 200, RouteView.of(change.route()))
                .withHeader("ETag", change.route().etag());
    }

    Reply delete(ApiCall call) {
        String name = name(call);
        if (!registry.delete(name, ifMatch(call))) {
            throw unknown(name);
        }
        return Reply.empty(204);
    }

    Reply upstreams(ApiCall call) {
        return Reply.json(router.upstreams().stream().map(Upstream::status).toList());
    }

    /** The route's name from the path: one that no route can have is a 400 with the rules, not a 404. */
    private static String name(ApiCall call) {
        String name = call.pathParameter("name");
        RouteRules.nameProblem(name).ifPresent(reason -> {
            throw ProblemException.badRequest("the route name in the path " + reason);
        });
        return name;
    }

    private RouteRegistry.Versioned find(String name) {
        return registry.get(name).orElseThrow(() -> unknown(name));
    }

    private static Optional<String> ifMatch(ApiCall call) {
        return Optional.ofNullable(call.request().getHeaders().get(HttpHeader.IF_MATCH));
    }

    private static ProblemException unknown(String name) {
        return ProblemException.notFound("no route named '" + name + "'");
    }

    /**
     * A route as the API shows it: the document that would recreate it, with its version.
     *
     * @param etag its version; send it back in If-Match to change it safely
     * @param source {@code config} (from the configuration file) or {@code api} (set over the API)
     */
    record RouteView(
            String name,
            String host,
            String pathPrefix,
            boolean stripPrefix,
            List<String> upstreams,
            String connectTimeout,
            String responseTimeout,
            RouteDocument.HealthCheckDocument healthCheck,
            String identityHeaders,
            String etag,
            String source) {

        static RouteView of(RouteRegistry.Versioned versioned) {
            RouteDocument doc = RouteDocument.of(versioned.route());
            return new RouteView(
                    doc.name(),
                    doc.host(),
                    doc.pathPrefix(),
                    doc.stripPrefix(),
                    doc.upstreams(),
                    doc.connectTimeout(),
                    doc.responseTimeout(),
                    doc.healthCheck(),
                    doc.identityHeaders(),
                    versioned.etag(),
                    versioned.source());
        }
    }
}
