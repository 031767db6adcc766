package dev.udsgate.testing;

import com.atlassian.oai.validator.OpenApiInteractionValidator;
import com.atlassian.oai.validator.report.LevelResolver;
import com.atlassian.oai.validator.report.MessageResolver;
import com.atlassian.oai.validator.report.ValidationReport;
import com.atlassian.oai.validator.restassured.RestAssuredRequest;
import com.atlassian.oai.validator.restassured.RestAssuredResponse;
import com.atlassian.oai.validator.schema.SchemaValidator;
import io.restassured.filter.Filter;
import io.restassured.filter.FilterContext;
import io.restassured.response.Response;
import io.restassured.specification.FilterableRequestSpecification;
import io.restassured.specification.FilterableResponseSpecification;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import java.nio.file.Path;
import java.util.Set;

/**
 * Checks every response of the suite against {@code openapi/udsgate.yaml}. A request the contract
 * has no operation for (an unknown path, a wrong method) must still be answered with the
 * contract's {@code Problem} as {@code application/problem+json}.
 */
public final class ApiContract implements Filter {

    public static final Path SPEC = Path.of("openapi", "udsgate.yaml").toAbsolutePath();

    private static final Set<String> NO_OPERATION =
            Set.of("validation.request.path.missing", "validation.request.operation.notAllowed");

    private static final ApiContract INSTANCE = new ApiContract();

    private final OpenAPI api;
    private final OpenApiInteractionValidator validator;
    private final SchemaValidator schemas;
    private final Schema<?> problem;

    private ApiContract() {
        ParseOptions resolveAll = new ParseOptions();
        resolveAll.setResolve(true);
        resolveAll.setResolveFully(true);
        this.api = new OpenAPIV3Parser().read(SPEC.toUri().toString(), null, resolveAll);
        LevelResolver.Builder levels = LevelResolver.create();
        NO_OPERATION.forEach(key -> levels.withLevel(key, ValidationReport.Level.INFO));
        this.validator = OpenApiInteractionValidator.createFor(api)
                .withLevelResolver(levels.build())
                .build();
        this.schemas = new SchemaValidator(api, new MessageResolver());
        this.problem = api.getComponents().getSchemas().get("Problem");
    }

    public static ApiContract filter() {
        return INSTANCE;
    }

    @Override
    public Response filter(
            FilterableRequestSpecification request,
            FilterableResponseSpecification responseSpec,
            FilterContext context) {
        Response response = context.next(request, responseSpec);
        ValidationReport report = validator.validate(RestAssuredRequest.of(request), RestAssuredResponse.of(response));
        if (response.statusCode() >= 400 && response.statusCode() < 500) {
            // A test that sends a bad request on purpose checks the answer, not its own request.
            report = withoutRequestMessages(report);
        }
        boolean outsideContract = report.getMessages().stream().anyMatch(m -> NO_OPERATION.contains(m.getKey()));
        if (outsideContract) {
            report = checkProblem(response);
        }
        if (report.hasErrors()) {
            throw new AssertionError("response to " + request.getMethod() + " " + request.getURI()
                    + " breaks openapi/udsgate.yaml:\n" + report + "\nbody: " + response.asString());
        }
        return response;
    }

    private static ValidationReport withoutRequestMessages(ValidationReport report) {
        return ValidationReport.from(report.getMessages().stream()
                .filter(m -> NO_OPERATION.contains(m.getKey()) || !m.getKey().startsWith("validation.request."))
                .toList());
    }

    private ValidationReport checkProblem(Response response) {
        return problemReport(response.getContentType(), response.asString());
    }

    /** Fails unless {@code json} matches the contract's schema {@code name}: for bodies REST Assured cannot see. */
    public static void assertSchema(String name, String json) {
        Schema<?> schema = INSTANCE.api.getComponents().getSchemas().get(name);
        if (schema == null) {
            throw new AssertionError("openapi/udsgate.yaml has no schema " + name);
        }
        ValidationReport report = INSTANCE.schemas.validate(json, schema, "udsgate." + name);
        if (report.hasErrors()) {
            throw new AssertionError("not a contract " + name + ":\n" + report + "\njson: " + json);
        }
    }

    /** Fails unless {@code body} is the contract's Problem, sent as {@code application/problem+json}. */
    public static void assertProblem(String contentType, String body) {
        ValidationReport report = INSTANCE.problemReport(contentType, body);
        if (report.hasErrors()) {
            throw new AssertionError("not a contract Problem:\n" + report + "\nbody: " + body);
        }
    }

    private ValidationReport problemReport(String contentType, String body) {
        if (contentType == null || !contentType.startsWith("application/problem+json")) {
            return ValidationReport.singleton(ValidationReport.Message.create(
                            "udsgate.problem.contentType",
                            "an answer outside the contract must be application/problem+json, got " + contentType)
                    .build());
        }
        return schemas.validate(body, problem, "udsgate.problem");
    }
}
