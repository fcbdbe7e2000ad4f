package dev.novahost.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;

import com.atlassian.oai.validator.OpenApiInteractionValidator;
import dev.novahost.kernel.Errno;
import dev.novahost.kernel.Policy;
import dev.novahost.kernel.module.ModuleState;
import dev.novahost.kernel.module.UnloadMode;
import dev.novahost.kernel.novacore.Action;
import dev.novahost.kernel.novacore.DeviceFile;
import dev.novahost.kernel.novacore.Scope;
import dev.novahost.kernel.novacore.TimerMode;
import dev.novahost.kernel.pci.Architecture;
import dev.novahost.kernel.pci.Chipset;
import dev.novahost.kernel.pci.DeviceState;
import dev.novahost.kernel.sanitizer.Outcome;
import dev.novahost.kernel.sanitizer.ViolationKind;
import dev.novahost.kernel.timer.HrTimer;
import dev.novahost.kernel.work.WorkItem;
import dev.novahost.report.ReportFormat;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.parameters.Parameter;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;

/**
 * {@code openapi.yaml} (repo root) is the contract of the HTTP API, written by hand. This test keeps
 * it honest against the code: it describes every route the controllers expose under {@code /api/v1}
 * and no route that does not exist, it parses without a message, its closed sets (errno, states,
 * policies, chipsets, timer and work words, violation kinds, outcomes and taints) are the kernel's,
 * every documented error is problem details, and the running service serves exactly this file (with
 * Swagger UI in front of it).
 */
@SpringBootTest
@AutoConfigureMockMvc
class ContractCoverageTest {

    private static final Path SPEC = Path.of("openapi.yaml");
    private static final String API = "/api/v1";
    private static final Pattern TEMPLATE_VARIABLE = Pattern.compile("\\{([^}]+)}");
    private static final String PROBLEM_JSON = "application/problem+json";
    private static final String PROBLEM_SCHEMA = "#/components/schemas/Problem";

    private static SwaggerParseResult parsed;
    private static OpenAPI spec;

    @Autowired
    private MockMvc mvc;

    @Autowired
    @Qualifier("requestMappingHandlerMapping")
    private RequestMappingHandlerMapping handlerMapping;

    /** One operation: an HTTP method and a path whose variables are all written {@code {x}}. */
    private record Route(String method, String path) implements Comparable<Route> {

        static Route of(String method, String template) {
            return new Route(method.toUpperCase(Locale.ROOT), TEMPLATE_VARIABLE.matcher(template).replaceAll("{x}"));
        }

        @Override
        public int compareTo(Route other) {
            return toString().compareTo(other.toString());
        }

        @Override
        public String toString() {
            return method + " " + path;
        }
    }

    @BeforeAll
    static void parseSpec() {
        var options = new ParseOptions();
        options.setResolve(true);
        parsed = new OpenAPIV3Parser().readLocation(SPEC.toAbsolutePath().toUri().toString(), null, options);
        spec = parsed.getOpenAPI();
    }

    // (1) the spec and the handler mappings describe the same routes

    @Test
    void everyOperationOfTheSpecIsAHandlerMappingOfTheApp() {
        assertThat(specRoutes())
                .as("operations in openapi.yaml that no controller handles")
                .isNotEmpty()
                .isSubsetOf(handlerRoutes(pattern -> true));
    }

    @Test
    void everyHandlerMappingUnderApiV1IsInTheSpec() {
        var apiRoutes = handlerRoutes(pattern -> pattern.equals(API) || pattern.startsWith(API + "/"));
        assertThat(apiRoutes).as("handler mappings under " + API).isNotEmpty();
        assertThat(apiRoutes)
                .as("routes the controllers expose under " + API + " that openapi.yaml does not describe"
                        + " ('*' = a mapping that accepts every method)")
                .isSubsetOf(specRoutes());
    }

    @Test
    void theSpecDescribesOnlyTheApi() {
        assertThat(spec.getPaths().keySet()).allSatisfy(path -> assertThat(path).startsWith(API + "/"));
        assertThat(spec.getServers()).extracting(server -> server.getUrl()).containsExactly("/");
    }

    // (2) the spec parses cleanly, for swagger-parser and for the request validator built on it

    @Test
    void theSpecParsesWithoutMessages() {
        assertThat(spec).as("parsed openapi.yaml").isNotNull();
        assertThat(parsed.getMessages()).as("swagger-parser messages").isEmpty();
        assertThat(spec.getOpenapi()).isEqualTo("3.1.0");
        assertThatCode(() -> OpenApiInteractionValidator.createForSpecificationUrl(SPEC.toString()).build())
                .as("swagger-request-validator loads openapi.yaml")
                .doesNotThrowAnyException();
    }

    @Test
    void everyOperationHasAnIdATagAndASummary() {
        var declaredTags = spec.getTags().stream().map(tag -> tag.getName()).collect(Collectors.toSet());
        var ids = new ArrayList<String>();
        operations().forEach((route, operation) -> {
            assertThat(operation.getOperationId()).as("operationId of %s", route).isNotBlank();
            assertThat(operation.getSummary()).as("summary of %s", route).isNotBlank();
            assertThat(operation.getTags()).as("tags of %s", route).isNotEmpty().isSubsetOf(declaredTags);
            ids.add(operation.getOperationId());
        });
        assertThat(ids).as("operationIds").doesNotHaveDuplicates();
    }

    @Test
    void everyPathVariableIsDeclaredAsARequiredPathParameter() {
        spec.getPaths().forEach((template, item) -> {
            var variables = TEMPLATE_VARIABLE.matcher(template).results().map(m -> m.group(1)).collect(Collectors.toSet());
            item.readOperationsMap().forEach((method, operation) -> {
                var declared = Stream.concat(stream(item.getParameters()), stream(operation.getParameters()))
                        .map(this::resolve)
                        .filter(parameter -> "path".equals(parameter.getIn()))
                        .peek(parameter -> assertThat(parameter.getRequired())
                                .as("path parameter %s of %s %s is required", parameter.getName(), method, template)
                                .isTrue())
                        .map(Parameter::getName)
                        .collect(Collectors.toSet());
                assertThat(declared).as("path parameters of %s %s", method, template).isEqualTo(variables);
            });
        });
    }

    @Test
    void everyDocumentedErrorIsProblemDetails() {
        operations().forEach((route, operation) -> operation.getResponses().forEach((status, response) -> {
            if (status.equals("default") || Integer.parseInt(status) >= 400) {
                Map<String, MediaType> content = resolve(response).getContent();
                assertThat(content).as("content of %s %s", route, status).isNotNull();
                assertThat(content.keySet()).as("media types of %s %s", route, status).containsExactly(PROBLEM_JSON);
                assertThat(content.get(PROBLEM_JSON).getSchema().get$ref())
                        .as("schema of %s %s", route, status).isEqualTo(PROBLEM_SCHEMA);
            }
        }));
        var problem = schema("Problem");
        assertThat(problem.getRequired())
                .containsExactlyInAnyOrder("type", "title", "status", "detail", "instance", "errno");
    }

    @Test
    void everyCreatedAnswerSaysWhereTheNewObjectIs() {
        operations().forEach((route, operation) -> {
            var created = operation.getResponses().get("201");
            if (created != null) {
                var headers = resolve(created).getHeaders();
                assertThat(headers).as("headers of %s 201", route).containsKey("Location");
                assertThat(headers.get("Location").getRequired()).as("Location of %s 201 is required", route).isTrue();
            }
        });
    }

    @Test
    void requestBodiesAreRequiredJsonObjectsThatRejectUnknownFields() {
        operations().forEach((route, operation) -> {
            var body = operation.getRequestBody();
            if (body == null) {
                return;
            }
            assertThat(body.getRequired()).as("request body of %s is required", route).isTrue();
            if (body.getContent().containsKey("application/octet-stream")) { // a file's bytes (firmware): nothing else
                assertThat(body.getContent().keySet()).as("request media types of %s", route)
                        .containsExactly("application/octet-stream");
                assertThat(body.getContent().get("application/octet-stream").getSchema().getFormat()).isEqualTo("binary");
                return;
            }
            assertThat(body.getContent().keySet()).as("request media types of %s", route)
                    .containsExactly("application/json");
            var ref = body.getContent().get("application/json").getSchema().get$ref();
            assertThat(ref).as("request schema of %s is a component", route).startsWith("#/components/schemas/");
            var schema = schema(ref.substring(ref.lastIndexOf('/') + 1));
            assertThat(schema.getAdditionalProperties()).as("additionalProperties of %s", ref).isEqualTo(false);
        });
    }

    @Test
    void theClosedSetsAreTheKernels() {
        assertThat(enumOf("Errno")).as("Errno").isEqualTo(names(Errno.values(), Errno::name));
        assertThat(enumOf("Chipset")).as("Chipset").isEqualTo(names(Chipset.values(), Chipset::name));
        assertThat(enumOf("Architecture")).as("Architecture")
                .isEqualTo(names(Architecture.values(), Architecture::displayName));
        assertThat(enumOf("DeviceState")).as("DeviceState").isEqualTo(lowerCase(DeviceState.values()));
        assertThat(enumOf("ModuleState")).as("ModuleState").isEqualTo(lowerCase(ModuleState.values()));
        assertThat(enumOf("Policy")).as("Policy").isEqualTo(lowerCase(Policy.values()));
        assertThat(enumOf("ReportFormat")).as("ReportFormat").isEqualTo(lowerCase(ReportFormat.values()));
        assertThat(enumOf("UnloadMode")).as("UnloadMode").isEqualTo(lowerCase(UnloadMode.values()));
        assertThat(enumOf("Scope")).as("Scope").isEqualTo(lowerCase(Scope.values()));
        assertThat(enumOf("TimerMode")).as("TimerMode").isEqualTo(lowerCase(TimerMode.values()));
        assertThat(enumOf("Action")).as("Action").isEqualTo(names(Action.values(), Action::wireName));
        var workActions = Arrays.stream(Action.values()).filter(a -> a != Action.QUEUE_WORK).toArray(Action[]::new);
        assertThat(enumOf("WorkAction")).as("WorkAction (every action but the timer-only queue-work)")
                .isEqualTo(names(workActions, Action::wireName));
        assertThat(enumOf("ViolationKind")).as("ViolationKind")
                .isEqualTo(names(ViolationKind.values(), ViolationKind::wireName));
        var tainting = Arrays.stream(ViolationKind.values()).filter(ViolationKind::taints)
                .toArray(ViolationKind[]::new);
        assertThat(enumOf("Taint")).as("Taint (the kinds whose occurred violations taint the kernel)")
                .isEqualTo(names(tainting, ViolationKind::wireName));
        assertThat(enumOf("Outcome")).as("Outcome").isEqualTo(lowerCase(Outcome.values()));
        assertThat(enumOf("TimerState")).as("TimerState (an inactive hrtimer reads as expired)")
                .isEqualTo(names(HrTimer.State.values(),
                        state -> state == HrTimer.State.INACTIVE ? "expired" : state.name().toLowerCase(Locale.ROOT)));
        assertThat(enumOf("WorkState")).as("WorkState").isEqualTo(lowerCase(WorkItem.State.values()));
        assertThat(enumOf("FileState")).as("FileState").isEqualTo(lowerCase(DeviceFile.State.values()));
    }

    // (3) the service serves this very file, and Swagger UI in front of it

    @Test
    void theServiceServesThisSpec() throws Exception {
        var served = mvc.perform(get("/openapi.yaml")).andReturn().getResponse();
        assertThat(served.getStatus()).as("GET /openapi.yaml").isEqualTo(200);
        assertThat(served.getContentAsByteArray())
                .as("GET /openapi.yaml serves the repo's openapi.yaml (rebuild if it was edited)")
                .isEqualTo(Files.readAllBytes(SPEC));
    }

    @Test
    void swaggerUiAnswersWithEveryAssetItNames() throws Exception {
        var page = mvc.perform(get("/swagger-ui/index.html")).andReturn().getResponse();
        assertThat(page.getStatus()).as("GET /swagger-ui/index.html").isEqualTo(200);
        var assets = Pattern.compile("(?:src|href)=\"(/[^\"]+)\"").matcher(page.getContentAsString()).results()
                .map(m -> m.group(1)).toList();
        assertThat(assets).as("scripts and styles of the Swagger UI page").hasSizeGreaterThanOrEqualTo(3);
        for (String asset : assets) {
            assertThat(mvc.perform(get(asset)).andReturn().getResponse().getStatus())
                    .as("GET %s (the webjar's files, by a version-less path)", asset).isEqualTo(200);
        }
    }

    // helpers

    private Set<Route> specRoutes() {
        return operations().keySet();
    }

    private Map<Route, Operation> operations() {
        var operations = new TreeMap<Route, Operation>();
        spec.getPaths().forEach((path, item) -> item.readOperationsMap()
                .forEach((method, operation) -> operations.put(Route.of(method.name(), path), operation)));
        return operations;
    }

    /** The app's handler mappings whose pattern passes the filter; a mapping without methods is {@code *}. */
    private Set<Route> handlerRoutes(Predicate<String> patternFilter) {
        var routes = new TreeSet<Route>();
        handlerMapping.getHandlerMethods().forEach((info, handler) -> {
            Set<RequestMethod> methods = info.getMethodsCondition().getMethods();
            for (String pattern : info.getPatternValues()) {
                if (!patternFilter.test(pattern)) {
                    continue;
                }
                if (methods.isEmpty()) {
                    routes.add(Route.of("*", pattern));
                }
                methods.forEach(method -> routes.add(Route.of(method.name(), pattern)));
            }
        });
        return routes;
    }

    private Parameter resolve(Parameter parameter) {
        return resolveRef(parameter.get$ref(), "#/components/parameters/", spec.getComponents().getParameters())
                .orElse(parameter);
    }

    private ApiResponse resolve(ApiResponse response) {
        return resolveRef(response.get$ref(), "#/components/responses/", spec.getComponents().getResponses())
                .orElse(response);
    }

    private static <T> Optional<T> resolveRef(String ref, String prefix, Map<String, T> components) {
        if (ref == null) {
            return Optional.empty();
        }
        assertThat(ref).as("reference").startsWith(prefix);
        var target = components.get(ref.substring(prefix.length()));
        assertThat(target).as("target of %s", ref).isNotNull();
        return Optional.of(target);
    }

    private static Schema<?> schema(String name) {
        var schema = spec.getComponents().getSchemas().get(name);
        assertThat(schema).as("components.schemas.%s", name).isNotNull();
        return schema;
    }

    private static Set<String> enumOf(String schemaName) {
        List<?> values = schema(schemaName).getEnum();
        assertThat(values).as("enum of %s", schemaName).isNotEmpty().doesNotHaveDuplicates();
        return values.stream().map(Objects::toString).collect(Collectors.toCollection(HashSet::new));
    }

    private static <E> Set<String> names(E[] values, Function<E, String> name) {
        return Arrays.stream(values).map(name).collect(Collectors.toCollection(HashSet::new));
    }

    private static Set<String> lowerCase(Enum<?>[] values) {
        return names(values, value -> value.name().toLowerCase(Locale.ROOT));
    }

    private static <T> Stream<T> stream(List<T> list) {
        return list == null ? Stream.empty() : list.stream();
    }
}
