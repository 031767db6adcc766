package dev.udsgate.api;

/** The API, one line per operation. Keep it in step with {@code openapi/udsgate.yaml}. */
public final class ApiRoutes {

    private ApiRoutes() {}

    public static Routes table(ApiContext context) {
        SystemEndpoints system = new SystemEndpoints(context);
        SpecEndpoints spec = new SpecEndpoints();
        SocketEndpoints socket = new SocketEndpoints(context.connections(), context.listeners(), context.events());
        ListenerNames listeners = new ListenerNames(context.listeners());
        ReloadEndpoints reload = new ReloadEndpoints(context.reloader(), context.connections());
        ConnectionEndpoints connections = new ConnectionEndpoints(context.connections(), listeners, context.access());
        PolicyEndpoints policy = new PolicyEndpoints(context.listeners());
        RouteEndpoints routes = new RouteEndpoints(context.routes(), context.router());
        EventEndpoints events =
                new EventEndpoints(context.events(), context.users(), context.heartbeatInterval(), listeners);
        return new Routes()
                        .get("/_ping", system::ping)
                        .get("/v1/version", system::version)
                        .get("/v1/info", system::info)
                        .get("/v1/openapi.yaml", spec::yaml)
                        .get("/v1/openapi.json", spec::json)
                        // Reads /proc/net/unix for the accept queue.
                        .getBlocking("/v1/socket", socket::socket)
                        .getBlocking("/v1/sockets", socket::list)
                        .getBlocking("/v1/sockets/{name}", socket::get)
                        .addBlocking("PATCH", "/v1/sockets/{name}", socket::patch)
                        // Reading a peer's process the first time looks at /proc.
                        .getBlocking("/v1/connections", connections::list)
                        .getBlocking("/v1/connections/self", connections::self)
                        .getBlocking("/v1/connections/{id}", connections::get)
                        .add("DELETE", "/v1/connections/{id}", connections::delete)
                        .stream("/v1/events", events::stream)
                        .get("/v1/routes", routes::list)
                        .get("/v1/routes/{name}", routes::get)
                        .addBlocking("PUT", "/v1/routes/{name}", routes::put)
                        .addBlocking("DELETE", "/v1/routes/{name}", routes::delete)
                        .get("/v1/upstreams", routes::upstreams)
                        .get("/v1/policy", policy::policy)
                        // Reads the file, looks up users and groups, binds sockets, waits for none.
                        .addBlocking("POST", "/v1/reload", reload::reload)
                        .get(
                                "/metrics",
                                call -> PrometheusText.reply(context.metrics().get()));
    }
}
