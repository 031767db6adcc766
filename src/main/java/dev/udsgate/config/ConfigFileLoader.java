package dev.udsgate.config;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.CharacterCodingException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.IntFunction;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * Reads the file of {@code serve --config FILE} into a {@link ConfigFile}, or fails with every
 * problem in it at once, each at its key path: {@code routes[2].upstreams[0]: ...}.
 *
 * <p>The file is YAML, and JSON is accepted too. What a reader might not guess:
 *
 * <ul>
 *   <li>An unknown key, a key given twice, a value of the wrong type and a key with no value are all
 *       errors: a typo must never be ignored, and {@code group:} with nothing after it is more likely a
 *       slip than a wish for the default (leave the key out for that).
 *   <li>{@code mode} is the octal digits as written: {@code 0660}, {@code 660} and {@code "0660"} all
 *       mean 0660, although YAML 1.1 reads a bare {@code 0660} as the number 432.
 *   <li>Other whole numbers may not start with 0, which YAML 1.1 would read as octal.
 *   <li>Text keys take any scalar as written: {@code group: 0100} is the group "0100", not 64.
 *   <li>YAML aliases ({@code *name}) are refused: the parser does not expand them.
 *   <li>A file whose name ends in {@code .json} is strict JSON: a trailing comma is an error, not
 *       YAML's to forgive. Another file that starts with <code>{</code> is read as JSON first, so JSON
 *       indented with tabs (which YAML forbids) works; if it is not JSON, it is read as YAML.
 *   <li>A route sent to the API ({@link #apiRoute}) is read the same way, as strict JSON, with the
 *       same errors in JSON's words.
 * </ul>
 *
 * <p>The file is walked as a tree that keeps each scalar's text rather than bound to classes: that
 * is what keeps {@code 0660} as written, and what gives every error its exact path.
 */
public final class ConfigFileLoader {

    /** The path of an error about the file as a whole rather than one key in it. */
    public static final String FILE = "(file)";

    private static final List<String> TOP_KEYS = List.of(
            "socket",
            "mode",
            "group",
            "backlog",
            "shutdownTimeout",
            "idleTimeout",
            "headerTimeout",
            "maxConnections",
            "maxConnectionsPerUser",
            "connectionHistory",
            "eventHistory",
            "eventQueue",
            "stateFile",
            "fastPath",
            "accessLog",
            "logFormat",
            "watchConfig",
            "listeners",
            "routes");
    private static final List<String> LISTENER_KEYS =
            List.of("name", "path", "mode", "owner", "group", "backlog", "api", "routes", "metrics", "access", "rules");
    private static final List<String> RULE_DECISIONS = List.of("allow", "deny");
    private static final List<String> RULE_KEYS = List.of(
            "user",
            "uid",
            "group",
            "gid",
            "groups",
            "exe",
            "container",
            "pod",
            "methods",
            "routes",
            "paths",
            "anyApiVersion",
            "admin");
    private static final Pattern METHOD = Pattern.compile("[A-Z][A-Z-]*");
    private static final Pattern ABSOLUTE_PATH = Pattern.compile("/[^\\x00]*");
    /** Docker shows 12 hex digits of a container's 64; a shorter prefix could name several. */
    private static final Pattern CONTAINER_ID = Pattern.compile("\\*|[0-9a-f]{12,64}");

    private static final Pattern POD_UID =
            Pattern.compile("\\*|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
    private static final long MAX_ID = 0xFFFF_FFFFL;
    /** The top-level keys that describe the one listener {@code main}; {@code listeners:} replaces them. */
    private static final List<String> MAIN_LISTENER_KEYS = List.of("socket", "mode", "group", "backlog");

    private static final List<String> ROUTE_KEYS = List.of(
            "name",
            "host",
            "pathPrefix",
            "stripPrefix",
            "upstreams",
            "connectTimeout",
            "responseTimeout",
            "healthCheck",
            "identityHeaders");
    private static final List<String> HEALTH_CHECK_KEYS =
            List.of("path", "interval", "timeout", "healthyThreshold", "unhealthyThreshold");

    private static final Duration MIN_IDLE_TIMEOUT = Duration.ofMillis(1);
    private static final Duration MIN_HEADER_TIMEOUT = Duration.ofMillis(1);
    private static final Pattern LEADING_ZERO = Pattern.compile("[-+]?0[0-9_]+");
    private static final String DURATION = "must be a duration such as " + DurationText.FORMS;

    private static final JsonFactory JSON = JsonFactory.builder().build();
    // "key:" with nothing after it is YAML's null; the builder leaves this default off.
    private static final YAMLFactory YAML = YAMLFactory.builder()
            .enable(YAMLParser.Feature.EMPTY_STRING_AS_NULL)
            .build();

    /** The path of an error about an API body as a whole rather than one field in it. */
    public static final String BODY = "(body)";

    private final List<FieldError> errors = new ArrayList<>();
    /** JSON's words for what was found ("an object", "null"), rather than YAML's ("a mapping", "nothing"). */
    private final boolean json;

    private ConfigFileLoader(boolean json) {
        this.json = json;
    }

    /**
     * Reads a route sent to the API as strict JSON (one object; trailing text is an error) and checks
     * it as a file's route is checked: every error at once, each at its key path, such as
     * {@code healthCheck.interval}, in the same words.
     *
     * @param name the route's name, from the request's path; a {@code name} in the body must agree
     * @throws InvalidConfigException with every error; text that is not JSON gives one error at {@link #BODY}
     */
    /**
     * A change of a socket's permissions sent to the API ({@code PATCH /v1/sockets/{name}}): strict
     * JSON, {@code mode} and {@code group}, at least one.
     *
     * @throws InvalidConfigException with every field that is wrong
     */
    public static PermissionChange apiPermissions(String body) {
        Node root = apiBody(body);
        if (!(root instanceof Mapping change)) {
            throw bodyError("must be an object with mode, group or both, such as {\"mode\": \"0660\"}");
        }
        ConfigFileLoader loader = new ConfigFileLoader(true);
        loader.checkKeys(change, "", List.of("mode", "group"));
        Optional<FileMode> mode = loader.value(change, "", "mode", loader::mode);
        Optional<String> group = loader.value(change, "", "group", loader::group);
        if (loader.errors.isEmpty() && mode.isEmpty() && group.isEmpty()) {
            throw bodyError("changes nothing: give mode, group or both, such as {\"mode\": \"0660\"}");
        }
        if (!loader.errors.isEmpty()) {
            throw new InvalidConfigException("body", loader.errors);
        }
        return new PermissionChange(mode, group);
    }

    /** An API body as a tree: exactly one JSON value, or a 400 that says why not. */
    private static Node apiBody(String body) {
        try {
            return tree(
                    JSON, body, line -> bodyError("holds a second JSON value at line " + line + "; send one object"));
        } catch (JacksonException e) {
            throw bodyError("is not valid JSON: " + syntaxError(e));
        }
    }

    /** What {@link #apiPermissions} read: the mode and the group to give a socket, each if asked. */
    public record PermissionChange(Optional<FileMode> mode, Optional<String> group) {}

    public static RouteConfig apiRoute(String name, String body) {
        Node root = apiBody(body);
        ConfigFileLoader loader = new ConfigFileLoader(true);
        Optional<RouteDocument> doc = root instanceof Mapping ? loader.route(root, "") : loader.route(root, BODY);
        Optional<RouteConfig> route = doc.flatMap(d -> loader.checked(new RouteDocument(
                name,
                d.host(),
                d.pathPrefix(),
                d.stripPrefix(),
                d.upstreams(),
                d.connectTimeout(),
                d.responseTimeout(),
                d.healthCheck(),
                d.identityHeaders())));
        // After the rules, which check the path's name: its rules are worth more than this.
        doc.map(RouteDocument::name)
                .filter(written -> !written.equals(name))
                .ifPresent(written -> loader.errors.add(new FieldError(
                        "name",
                        "is \"" + written + "\" but the path says \"" + name + "\"; leave it out or make them agree")));
        if (!loader.errors.isEmpty() || route.isEmpty()) {
            throw new InvalidConfigException("body", loader.errors);
        }
        return route.get();
    }

    /**
     * @throws InvalidConfigException naming {@code file}, with every problem found; a file that cannot
     *     be read or parsed gives one error at {@link #FILE}
     */
    public static ConfigFile load(Path file) {
        boolean strictJson = file.getFileName() != null
                && file.getFileName()
                        .toString()
                        .toLowerCase(java.util.Locale.ROOT)
                        .endsWith(".json");
        Node root = strictJson ? parseJson(read(file), file) : parse(read(file), file);
        ConfigFileLoader loader = new ConfigFileLoader(strictJson);
        ConfigFile config = loader.configFile(root);
        if (!loader.errors.isEmpty()) {
            throw new InvalidConfigException(file.toString(), loader.errors);
        }
        return config;
    }

    // ---- from bytes to a tree

    private static String read(Path file) {
        if (Files.isDirectory(file)) {
            throw fileError(file, "is a directory, not a file");
        }
        try {
            String text = Files.readString(file);
            // Some editors start UTF-8 with a byte-order mark; it is not content.
            return text.startsWith("\uFEFF") ? text.substring(1) : text;
        } catch (NoSuchFileException e) {
            throw fileError(file, "does not exist");
        } catch (AccessDeniedException e) {
            throw fileError(file, "cannot be read: permission denied");
        } catch (CharacterCodingException e) {
            throw fileError(file, "is not UTF-8 text");
        } catch (IOException e) {
            throw fileError(file, "cannot be read: " + e.getMessage());
        }
    }

    /** A {@code .json} file: JSON only, so a trailing comma or a comment is an error, not YAML. */
    private static Node parseJson(String text, Path file) {
        try {
            return tree(JSON, text, secondDocument(file));
        } catch (JacksonException e) {
            throw fileError(file, "is not valid JSON: " + syntaxError(e));
        }
    }

    private static Node parse(String text, Path file) {
        boolean json = text.stripLeading().startsWith("{");
        try {
            return tree(json ? JSON : YAML, text, secondDocument(file));
        } catch (JacksonException e) {
            if (json) {
                try {
                    // YAML's flow style looks like JSON: {socket: /run/udsgate.sock}
                    return tree(YAML, text, secondDocument(file));
                } catch (JacksonException notYamlEither) {
                    // the JSON error is the one that helps whoever wrote it
                }
            }
            throw fileError(file, "is not valid " + (json ? "JSON" : "YAML") + ": " + syntaxError(e));
        }
    }

    /**
     * @param secondValue the error for text after the first document or value, given its line
     */
    private static Node tree(JsonFactory factory, String text, IntFunction<InvalidConfigException> secondValue)
            throws JacksonException {
        try (JsonParser parser = factory.createParser(text)) {
            if (parser.nextToken() == null) {
                return Scalar.NOTHING; // empty, or only comments
            }
            Node root = node(parser);
            if (parser.nextToken() != null) {
                throw secondValue.apply(parser.currentTokenLocation().getLineNr());
            }
            return root;
        } catch (JacksonException e) {
            throw e;
        } catch (IOException e) {
            throw new UncheckedIOException("reading text already in memory", e);
        }
    }

    private static Node node(JsonParser parser) throws IOException {
        JsonToken token = parser.currentToken();
        if (token == JsonToken.START_OBJECT) {
            return mapping(parser);
        }
        if (token == JsonToken.START_ARRAY) {
            List<Node> items = new ArrayList<>();
            while (parser.nextToken() != JsonToken.END_ARRAY) {
                items.add(node(parser));
            }
            return new Sequence(items);
        }
        if (parser instanceof YAMLParser yaml && yaml.isCurrentAlias()) {
            return new Alias(parser.getText());
        }
        BigInteger integer = token == JsonToken.VALUE_NUMBER_INT ? parser.getBigIntegerValue() : null;
        return new Scalar(token, parser.getText(), integer);
    }

    private static Mapping mapping(JsonParser parser) throws IOException {
        Map<String, Node> entries = new LinkedHashMap<>();
        Map<String, Integer> lines = new HashMap<>();
        List<Repeat> repeats = new ArrayList<>();
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String key = parser.currentName();
            int line = parser.currentTokenLocation().getLineNr();
            parser.nextToken();
            Node value = node(parser);
            Integer first = lines.putIfAbsent(key, line);
            if (first == null) {
                entries.put(key, value);
            } else {
                repeats.add(new Repeat(key, first, line));
            }
        }
        return new Mapping(entries, repeats);
    }

    private static String syntaxError(JacksonException e) {
        // SnakeYAML knows where the problem is; Jackson's own location can point elsewhere.
        if (e.getCause() instanceof MarkedYAMLException marked && marked.getProblemMark() != null) {
            String reason = at(marked.getProblemMark()) + ": " + marked.getProblem();
            return marked.getContext() == null || marked.getContextMark() == null
                    ? reason
                    : reason + " (" + marked.getContext() + " at " + at(marked.getContextMark()) + ")";
        }
        String message = e.getOriginalMessage().lines().findFirst().orElse("").strip();
        JsonLocation where = e.getLocation();
        return where == null
                ? message
                : "line " + where.getLineNr() + ", column " + where.getColumnNr() + ": " + message;
    }

    private static String at(Mark mark) {
        return "line " + (mark.getLine() + 1) + ", column " + (mark.getColumn() + 1);
    }

    private static IntFunction<InvalidConfigException> secondDocument(Path file) {
        return line -> fileError(
                file, "holds a second document at line " + line + "; udsgate reads one, so put everything in it");
    }

    private static InvalidConfigException bodyError(String reason) {
        return new InvalidConfigException("body", List.of(new FieldError(BODY, reason)));
    }

    private static InvalidConfigException fileError(Path file, String reason) {
        return new InvalidConfigException(file.toString(), List.of(new FieldError(FILE, reason)));
    }

    // ---- from the tree to a ConfigFile, collecting errors

    private ConfigFile configFile(Node root) {
        if (root instanceof Scalar scalar && scalar.token() == JsonToken.VALUE_NULL) {
            return ConfigFile.empty();
        }
        if (!(root instanceof Mapping top)) {
            errors.add(new FieldError(
                    FILE, "must be " + mapping() + " of keys such as socket: and routes:, got " + describe(root)));
            return ConfigFile.empty();
        }
        checkKeys(top, "", TOP_KEYS);
        return new ConfigFile(
                value(top, "", "socket", (node, at) -> absolutePath(node, at, "/run/udsgate.sock")),
                value(top, "", "mode", this::mode),
                value(top, "", "group", this::group),
                value(top, "", "backlog", (node, at) -> count(node, at, ListenerConfig.MAX_BACKLOG)),
                value(top, "", "shutdownTimeout", (node, at) -> duration(node, at, Duration.ZERO)),
                value(top, "", "idleTimeout", (node, at) -> duration(node, at, MIN_IDLE_TIMEOUT)),
                value(top, "", "headerTimeout", (node, at) -> duration(node, at, MIN_HEADER_TIMEOUT)),
                value(top, "", "maxConnections", (node, at) -> count(node, at, ConnectionLimits.MAX)),
                value(top, "", "maxConnectionsPerUser", (node, at) -> count(node, at, ConnectionLimits.MAX)),
                value(top, "", "connectionHistory", (node, at) -> count(node, at, HistoryLimits.MAX)),
                value(top, "", "eventHistory", (node, at) -> count(node, at, HistoryLimits.MAX)),
                value(top, "", "eventQueue", (node, at) -> count(node, at, HistoryLimits.MAX)),
                value(top, "", "stateFile", (node, at) -> absolutePath(node, at, "/var/lib/udsgate/state.json")),
                value(top, "", "fastPath", this::bool),
                value(top, "", "accessLog", this::accessLogFormat),
                value(top, "", "logFormat", this::logFormat),
                value(top, "", "watchConfig", this::bool),
                listeners(top),
                routes(top.entries().get("routes")));
    }

    private List<ListenerDocument> listeners(Mapping top) {
        Node node = top.entries().get("listeners");
        if (node == null) {
            return List.of();
        }
        List<String> alsoGiven =
                MAIN_LISTENER_KEYS.stream().filter(top.entries()::containsKey).toList();
        if (!alsoGiven.isEmpty()) {
            fail(
                    "listeners",
                    "cannot be combined with the top-level " + String.join(", ", alsoGiven)
                            + ", which describe the one listener main: describe it in listeners instead");
        }
        if (!(node instanceof Sequence list) || list.items().isEmpty()) {
            expected("listeners", "must be a list of one or more listeners", node);
            return List.of();
        }
        List<ListenerDocument> listeners = new ArrayList<>();
        Set<String> names = new java.util.HashSet<>();
        Set<Path> paths = new java.util.HashSet<>();
        for (int i = 0; i < list.items().size(); i++) {
            String at = "listeners[" + i + "]";
            listener(list.items().get(i), at).ifPresent(listener -> {
                if (!names.add(listener.name())) {
                    fail(at + ".name", "\"" + listener.name() + "\" names another listener too; names must be unique");
                } else if (!paths.add(listener.path().normalize())) {
                    fail(at + ".path", "is another listener's path too; each listener has a socket of its own");
                } else {
                    listeners.add(listener);
                }
            });
        }
        return listeners;
    }

    private Optional<ListenerDocument> listener(Node node, String at) {
        if (!(node instanceof Mapping listener)) {
            return expected(
                    at, "must be a listener: " + mapping() + " with keys " + String.join(", ", LISTENER_KEYS), node);
        }
        checkKeys(listener, at, LISTENER_KEYS);
        int before = errors.size();
        Optional<String> name = value(listener, at, "name", this::listenerName);
        if (name.isEmpty() && !listener.entries().containsKey("name")) {
            fail(child(at, "name"), "is missing: every listener has a name, such as \"admin\"");
        }
        Optional<Path> path = value(listener, at, "path", (n, p) -> absolutePath(n, p, "/run/udsgate.sock"));
        if (path.isEmpty() && !listener.entries().containsKey("path")) {
            fail(child(at, "path"), "is missing: the socket's path, such as \"/run/udsgate.sock\"");
        }
        Optional<FileMode> mode = value(listener, at, "mode", this::mode);
        Optional<String> owner = value(listener, at, "owner", this::owner);
        Optional<String> group = value(listener, at, "group", this::group);
        Optional<Integer> backlog = value(listener, at, "backlog", (n, p) -> count(n, p, ListenerConfig.MAX_BACKLOG));
        Exposure.Api api = value(listener, at, "api", this::api).orElse(Exposure.Api.FULL);
        Optional<Set<String>> routes =
                value(listener, at, "routes", this::routeSelection).orElse(Optional.empty());
        boolean metrics = value(listener, at, "metrics", this::bool).orElse(Exposure.metricsByDefault(api));
        if (metrics && api == Exposure.Api.NONE) {
            fail(child(at, "metrics"), Exposure.METRICS_NEED_API);
        }
        AccessPolicy.Mode accessMode =
                value(listener, at, "access", this::accessMode).orElse(AccessPolicy.Mode.ENFORCE);
        List<AccessRule> rules = value(listener, at, "rules", this::rules).orElse(List.of());
        if (errors.size() > before) {
            return Optional.empty();
        }
        return Optional.of(new ListenerDocument(
                name.get(),
                path.get(),
                mode,
                owner,
                group,
                backlog,
                new Exposure(api, routes, metrics),
                new AccessPolicy(accessMode, rules)));
    }

    private Optional<AccessPolicy.Mode> accessMode(Node node, String at) {
        String expected = "must be " + AccessPolicy.Mode.CHOICES;
        return text(node, at, expected)
                .flatMap(text -> AccessPolicy.Mode.parse(text)
                        .map(Optional::of)
                        .orElseGet(() -> fail(at, expected + ", got \"" + text + "\"")));
    }

    // ---- access rules: a list of {allow: {...}} and {deny: {...}}, each checked at its key path

    private Optional<List<AccessRule>> rules(Node node, String at) {
        if (!(node instanceof Sequence list) || list.items().isEmpty()) {
            return expected(
                    at,
                    "must be a list of one or more rules such as {allow: {methods: [GET]}}; leave it out for none",
                    node);
        }
        List<AccessRule> rules = new ArrayList<>();
        int before = errors.size();
        for (int i = 0; i < list.items().size(); i++) {
            rule(list.items().get(i), at + "[" + i + "]").ifPresent(rules::add);
        }
        return errors.size() > before ? Optional.empty() : Optional.of(rules);
    }

    private Optional<AccessRule> rule(Node node, String at) {
        String shape = "must be " + mapping() + " with one key, allow or deny, such as {allow: {methods: [GET]}}";
        if (!(node instanceof Mapping rule) || rule.entries().size() != 1) {
            return expected(at, shape, node);
        }
        checkKeys(rule, at, RULE_DECISIONS);
        String decision = rule.entries().keySet().iterator().next();
        if (!RULE_DECISIONS.contains(decision)) {
            return Optional.empty();
        }
        String matchAt = child(at, decision);
        if (!(rule.entries().get(decision) instanceof Mapping match)) {
            return expected(
                    matchAt,
                    "must be what the rule matches, " + mapping() + " with keys " + String.join(", ", RULE_KEYS)
                            + "; {} for every request",
                    rule.entries().get(decision));
        }
        checkKeys(match, matchAt, RULE_KEYS);
        int before = errors.size();
        boolean allow = decision.equals("allow");
        Optional<Set<String>> users = either(
                value(match, matchAt, "user", (n, p) -> names(n, p, "a user name or uid")),
                value(match, matchAt, "uid", this::ids));
        Optional<Set<String>> groups = either(
                value(match, matchAt, "group", (n, p) -> names(n, p, "a group name or gid")),
                value(match, matchAt, "gid", this::ids));
        Optional<Set<String>> anyGroups = value(match, matchAt, "groups", (n, p) -> names(n, p, "a group name or gid"));
        AccessRule.ProcessCondition process = new AccessRule.ProcessCondition(
                value(
                        match,
                        matchAt,
                        "exe",
                        (n, p) -> matching(n, p, ABSOLUTE_PATH, "an absolute path such as /usr/bin/docker")),
                value(
                        match,
                        matchAt,
                        "container",
                        (n, p) -> matching(n, p, CONTAINER_ID, "a container id of at least 12 hex digits, or *")),
                value(
                        match,
                        matchAt,
                        "pod",
                        (n, p) -> matching(
                                n, p, POD_UID, "a pod UID such as 0c6a4a8e-3b1f-4b7e-9d2a-6f1f0e9d8c7b, or *")));
        Optional<Set<String>> methods = value(match, matchAt, "methods", this::methods);
        Optional<Set<String>> routes = value(match, matchAt, "routes", this::ruleRoutes);
        Optional<List<PathPattern>> paths = value(match, matchAt, "paths", this::pathPatterns);
        boolean anyApiVersion =
                value(match, matchAt, "anyApiVersion", this::bool).orElse(false);
        boolean admin = value(match, matchAt, "admin", this::bool).orElse(false);
        if (admin && !allow) {
            fail(child(matchAt, "admin"), "is for allow rules only: a deny rule denies admin writes as it is");
        }
        if (anyApiVersion && paths.isEmpty() && errors.size() == before) {
            fail(child(matchAt, "anyApiVersion"), "says how to read paths, and the rule has none: give paths");
        }
        if (errors.size() > before) {
            return Optional.empty();
        }
        return Optional.of(
                new AccessRule(allow, users, groups, anyGroups, methods, routes, paths, anyApiVersion, admin, process));
    }

    /** {@code user:} with {@code uid:} (or {@code group:} with {@code gid:}): either one will do. */
    private static Optional<Set<String>> either(Optional<Set<String>> names, Optional<Set<String>> ids) {
        if (names.isEmpty() || ids.isEmpty()) {
            return names.isPresent() ? names : ids;
        }
        Set<String> both = new java.util.LinkedHashSet<>(names.get());
        both.addAll(ids.get());
        return Optional.of(both);
    }

    /** One scalar, or a non-empty list of them: {@code user: alice} or {@code user: [alice, bob]}. */
    private <T> Optional<List<T>> oneOrMore(
            Node node, String at, String expected, BiFunction<Node, String, Optional<T>> item) {
        List<Node> items = node instanceof Sequence list ? list.items() : List.of(node);
        if (items.isEmpty() || node instanceof Mapping) {
            return expected(at, "must be " + expected + ", or a list of them", node);
        }
        List<T> values = new ArrayList<>();
        int before = errors.size();
        for (int i = 0; i < items.size(); i++) {
            item.apply(items.get(i), node instanceof Sequence ? at + "[" + i + "]" : at)
                    .ifPresent(values::add);
        }
        return errors.size() > before ? Optional.empty() : Optional.of(values);
    }

    private Optional<Set<String>> names(Node node, String at, String what) {
        return oneOrMore(
                        node,
                        at,
                        what,
                        (n, p) -> text(n, p, "must be " + what)
                                .flatMap(t -> t.isBlank() ? expected(p, "must be " + what, n) : Optional.of(t)))
                .map(java.util.LinkedHashSet::new);
    }

    private Optional<Set<String>> ids(Node node, String at) {
        return oneOrMore(
                        node,
                        at,
                        "a numeric id such as 1000",
                        (n, p) -> wholeNumber(n, p)
                                .flatMap(id -> id.signum() >= 0 && id.compareTo(BigInteger.valueOf(MAX_ID)) <= 0
                                        ? Optional.of(id.toString())
                                        : fail(p, "must be between 0 and " + MAX_ID + ", got " + id)))
                .map(java.util.LinkedHashSet::new);
    }

    /** Names that must each match {@code form}: {@code what} says how they look. */
    private Optional<Set<String>> matching(Node node, String at, Pattern form, String what) {
        return oneOrMore(
                        node,
                        at,
                        what,
                        (n, p) -> text(n, p, "must be " + what)
                                .flatMap(t -> form.matcher(t).matches()
                                        ? Optional.of(t)
                                        : fail(p, "must be " + what + ", got \"" + t + "\"")))
                .map(java.util.LinkedHashSet::new);
    }

    private Optional<Set<String>> methods(Node node, String at) {
        return matching(node, at, METHOD, "an HTTP method in capitals, such as GET");
    }

    private Optional<Set<String>> ruleRoutes(Node node, String at) {
        return oneOrMore(
                        node,
                        at,
                        "a route name such as \"billing\"",
                        (n, p) -> text(n, p, "must be a route name such as \"billing\"")
                                .flatMap(name -> RouteRules.nameProblem(name)
                                        .<Optional<String>>map(problem -> fail(p, problem))
                                        .orElse(Optional.of(name))))
                .map(java.util.LinkedHashSet::new);
    }

    private Optional<List<PathPattern>> pathPatterns(Node node, String at) {
        String expected = "a path pattern such as /containers/*/json";
        return oneOrMore(
                node,
                at,
                expected,
                (n, p) -> text(n, p, "must be " + expected).flatMap(t -> parsed(p, t, PathPattern::parse)));
    }

    private Optional<String> listenerName(Node node, String at) {
        return text(node, at, "must be a name such as \"admin\"")
                .flatMap(name -> RouteRules.nameProblem(name)
                        .<Optional<String>>map(problem -> fail(at, problem))
                        .orElse(Optional.of(name)));
    }

    private Optional<String> owner(Node node, String at) {
        String expected = "must be a user name or a numeric uid";
        return text(node, at, expected)
                .flatMap(text -> text.isBlank() ? expected(at, expected, node) : Optional.of(text));
    }

    private Optional<AccessLogFormat> accessLogFormat(Node node, String at) {
        String expected = "must be " + AccessLogFormat.CHOICES;
        return text(node, at, expected)
                .flatMap(text -> AccessLogFormat.parse(text)
                        .map(Optional::of)
                        .orElseGet(() -> fail(at, expected + ", got \"" + text + "\"")));
    }

    private Optional<LogFormat> logFormat(Node node, String at) {
        String expected = "must be " + LogFormat.CHOICES;
        return text(node, at, expected)
                .flatMap(text -> LogFormat.parse(text)
                        .map(Optional::of)
                        .orElseGet(() -> fail(at, expected + ", got \"" + text + "\"")));
    }

    private Optional<Exposure.Api> api(Node node, String at) {
        String expected = "must be " + Exposure.Api.CHOICES;
        return text(node, at, expected)
                .flatMap(text -> Exposure.Api.parse(text)
                        .map(Optional::of)
                        .orElseGet(() -> fail(at, expected + ", got \"" + text + "\"")));
    }

    /** {@code all}, or a list of route names: what a listener offers of the gateway. */
    private Optional<Optional<Set<String>>> routeSelection(Node node, String at) {
        String expected = "must be all, or a list of route names such as [billing, users]";
        if (node instanceof Scalar scalar && scalar.isText() && scalar.text().equals("all")) {
            return Optional.of(Optional.empty());
        }
        if (!(node instanceof Sequence list)) {
            return expected(at, expected, node);
        }
        Set<String> names = new java.util.LinkedHashSet<>();
        for (int i = 0; i < list.items().size(); i++) {
            String itemAt = at + "[" + i + "]";
            text(list.items().get(i), itemAt, "must be a route name such as \"billing\"")
                    .ifPresent(name -> RouteRules.nameProblem(name)
                            .ifPresentOrElse(problem -> fail(itemAt, problem), () -> names.add(name)));
        }
        return Optional.of(Optional.of(names));
    }

    private List<RouteConfig> routes(Node node) {
        if (node == null) {
            return List.of();
        }
        if (!(node instanceof Sequence list)) {
            expected("routes", "must be a list of routes", node);
            return List.of();
        }
        List<RouteDocument> docs = new ArrayList<>();
        for (int i = 0; i < list.items().size(); i++) {
            docs.add(route(list.items().get(i), "routes[" + i + "]").orElse(null));
        }
        List<FieldError> ruleErrors = new ArrayList<>();
        List<RouteConfig> routes = RouteRules.checkAll(docs, "routes", ruleErrors);
        addRuleErrors(ruleErrors);
        return routes;
    }

    /** One route, as an API body is: read, then checked by RouteRules. */
    private Optional<RouteConfig> checked(RouteDocument doc) {
        List<FieldError> ruleErrors = new ArrayList<>();
        Optional<RouteConfig> route = RouteRules.check(doc, "", ruleErrors);
        addRuleErrors(ruleErrors);
        return route;
    }

    /**
     * RouteRules sees a value of the wrong type as missing; that value is reported already, and a
     * second error at the same place would only contradict the first.
     */
    private void addRuleErrors(List<FieldError> ruleErrors) {
        Set<String> reported = errors.stream().map(FieldError::path).collect(Collectors.toSet());
        ruleErrors.stream().filter(e -> !isUnder(e.path(), reported)).forEach(errors::add);
    }

    private Optional<RouteDocument> route(Node node, String at) {
        if (!(node instanceof Mapping route)) {
            return expected(at, "must be a route: " + mapping() + " with keys " + String.join(", ", ROUTE_KEYS), node);
        }
        checkKeys(route, at, ROUTE_KEYS);
        return Optional.of(new RouteDocument(
                text(route, at, "name", "must be a name such as \"billing\""),
                text(route, at, "host", "must be a host name such as \"billing\""),
                text(route, at, "pathPrefix", "must be a path such as \"/invoices\""),
                value(route, at, "stripPrefix", this::bool).orElse(null),
                value(route, at, "upstreams", this::upstreams).orElse(null),
                text(route, at, "connectTimeout", DURATION),
                text(route, at, "responseTimeout", DURATION),
                value(route, at, "healthCheck", this::healthCheck).orElse(null),
                text(route, at, "identityHeaders", "must be " + IdentityForwarding.CHOICES)));
    }

    private Optional<List<String>> upstreams(Node node, String at) {
        if (!(node instanceof Sequence list)) {
            return expected(at, "must be a list such as [\"unix:/run/app.sock\"]", node);
        }
        // A null keeps the indexes of later upstreams right in RouteRules' errors.
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < list.items().size(); i++) {
            Node item = list.items().get(i);
            texts.add(text(item, at + "[" + i + "]", "must be an address such as \"unix:/run/app.sock\"")
                    .orElse(null));
        }
        return Optional.of(texts);
    }

    private Optional<RouteDocument.HealthCheckDocument> healthCheck(Node node, String at) {
        if (!(node instanceof Mapping check)) {
            return expected(at, "must be " + mapping() + " with keys " + String.join(", ", HEALTH_CHECK_KEYS), node);
        }
        checkKeys(check, at, HEALTH_CHECK_KEYS);
        return Optional.of(new RouteDocument.HealthCheckDocument(
                text(check, at, "path", "must be a path such as \"/health\""),
                text(check, at, "interval", DURATION),
                text(check, at, "timeout", DURATION),
                value(check, at, "healthyThreshold", this::threshold).orElse(null),
                value(check, at, "unhealthyThreshold", this::threshold).orElse(null)));
    }

    private void checkKeys(Mapping mapping, String at, List<String> known) {
        for (String key : mapping.entries().keySet()) {
            if (!known.contains(key)) {
                errors.add(new FieldError(child(at, key), "unknown key; known keys: " + String.join(", ", known)));
            }
        }
        for (Repeat repeat : mapping.repeats()) {
            errors.add(new FieldError(
                    child(at, repeat.key()),
                    "is given twice, at lines " + repeat.firstLine() + " and " + repeat.line() + "; keep one"));
        }
    }

    private <T> Optional<T> value(
            Mapping mapping, String at, String key, BiFunction<Node, String, Optional<T>> reader) {
        Node node = mapping.entries().get(key);
        return node == null ? Optional.empty() : reader.apply(node, child(at, key));
    }

    /** A text value of a route, null if absent or wrong: RouteRules decides what absent means. */
    private String text(Mapping mapping, String at, String key, String expected) {
        return value(mapping, at, key, (node, path) -> text(node, path, expected))
                .orElse(null);
    }

    // ---- one value each

    /** Any scalar as written, so that {@code host: 404} is "404" and {@code group: 0100} is "0100". */
    private Optional<String> text(Node node, String at, String expected) {
        if (node instanceof Scalar scalar && scalar.isText()) {
            return Optional.of(scalar.text());
        }
        return expected(at, expected, node);
    }

    private Optional<Path> absolutePath(Node node, String at, String example) {
        String expected = "must be an absolute path, such as " + example;
        return text(node, at, expected).flatMap(text -> {
            try {
                return text.startsWith("/") ? Optional.of(Path.of(text)) : expected(at, expected, node);
            } catch (InvalidPathException e) {
                return expected(at, expected, node);
            }
        });
    }

    private Optional<FileMode> mode(Node node, String at) {
        return text(node, at, "must be octal permission bits such as \"0660\"")
                .flatMap(text -> parsed(at, text, FileMode::parse));
    }

    private Optional<String> group(Node node, String at) {
        String expected = "must be a group name or a numeric gid";
        return text(node, at, expected)
                .flatMap(text -> text.isBlank() ? expected(at, expected, node) : Optional.of(text));
    }

    private Optional<Duration> duration(Node node, String at, Duration min) {
        Optional<String> text = text(node, at, DURATION);
        Optional<Duration> duration = text.flatMap(t -> parsed(at, t, DurationText::parse));
        if (duration.isPresent() && duration.get().compareTo(min) < 0) {
            return fail(at, "must be at least " + DurationText.format(min) + ", got " + text.get());
        }
        return duration;
    }

    private Optional<Integer> count(Node node, String at, int max) {
        return wholeNumber(node, at)
                .flatMap(number -> number.signum() > 0 && number.compareTo(BigInteger.valueOf(max)) <= 0
                        ? Optional.of(number.intValue())
                        : fail(at, "must be between 1 and " + max + ", got " + number));
    }

    /** An int for RouteRules to check against its own bounds. */
    private Optional<Integer> threshold(Node node, String at) {
        return wholeNumber(node, at)
                .flatMap(number -> number.bitLength() < Integer.SIZE
                        ? Optional.of(number.intValue())
                        : fail(at, "is far too large, got " + number));
    }

    private Optional<BigInteger> wholeNumber(Node node, String at) {
        if (!(node instanceof Scalar scalar) || scalar.integer() == null) {
            return expected(at, "must be a whole number", node);
        }
        if (LEADING_ZERO.matcher(scalar.text()).matches()) {
            return fail(
                    at,
                    "must be written without a leading zero, got " + scalar.text() + ", which YAML reads as the octal "
                            + scalar.integer());
        }
        return Optional.of(scalar.integer());
    }

    private Optional<Boolean> bool(Node node, String at) {
        if (node instanceof Scalar scalar
                && (scalar.token() == JsonToken.VALUE_TRUE || scalar.token() == JsonToken.VALUE_FALSE)) {
            return Optional.of(scalar.token() == JsonToken.VALUE_TRUE);
        }
        return expected(at, "must be true or false", node);
    }

    private <T> Optional<T> parsed(String at, String text, Function<String, T> parser) {
        try {
            return Optional.of(parser.apply(text));
        } catch (IllegalArgumentException e) {
            return fail(at, e.getMessage());
        }
    }

    private <T> Optional<T> expected(String at, String expected, Node node) {
        return fail(at, expected + ", got " + describe(node));
    }

    private <T> Optional<T> fail(String at, String reason) {
        errors.add(new FieldError(at, reason));
        return Optional.empty();
    }

    private String mapping() {
        return json ? "an object" : "a mapping";
    }

    private String describe(Node node) {
        if (node instanceof Mapping) {
            return mapping();
        }
        if (node instanceof Sequence) {
            return json ? "an array" : "a list";
        }
        if (node instanceof Alias alias) {
            return "the alias *" + alias.name() + ", which udsgate does not expand; write the value out";
        }
        Scalar scalar = (Scalar) node;
        return switch (scalar.token()) {
            case VALUE_NULL -> json ? "null" : "nothing";
            case VALUE_STRING -> "\"" + scalar.text() + "\"";
            case VALUE_EMBEDDED_OBJECT -> "binary data";
            default -> scalar.text();
        };
    }

    private static String child(String at, String key) {
        return at.isEmpty() ? key : at + "." + key;
    }

    private static boolean isUnder(String path, Set<String> paths) {
        return paths.stream().anyMatch(p -> path.equals(p) || path.startsWith(p + ".") || path.startsWith(p + "["));
    }

    // ---- the file as written

    private sealed interface Node permits Mapping, Sequence, Scalar, Alias {}

    /** @param repeats keys given again after their first appearance, which {@code entries} keeps */
    private record Mapping(Map<String, Node> entries, List<Repeat> repeats) implements Node {}

    private record Repeat(String key, int firstLine, int line) {}

    private record Sequence(List<Node> items) implements Node {}

    /**
     * @param text as written, without quotes
     * @param integer the parser's value of a whole number; null for anything else
     */
    private record Scalar(JsonToken token, String text, BigInteger integer) implements Node {

        static final Scalar NOTHING = new Scalar(JsonToken.VALUE_NULL, "", null);

        boolean isText() {
            return token != JsonToken.VALUE_NULL && token != JsonToken.VALUE_EMBEDDED_OBJECT;
        }
    }

    private record Alias(String name) implements Node {}
}
