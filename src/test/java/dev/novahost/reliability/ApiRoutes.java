package dev.novahost.reliability;

import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.oas.models.parameters.Parameter;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Every operation {@code openapi.yaml} declares, as a fuzzer needs it: the path template, the method,
 * and the names of its path and query parameters. Read once from the contract, so the fuzzer walks the
 * routes the service promises and nothing else needs updating when a route is added.
 */
record ApiRoutes(List<Route> routes) {

    /** One operation: {@code PUT /api/v1/devices/{address}/mmio/{offset}}. */
    record Route(String method, String template, List<String> pathParams, List<String> queryParams) {
    }

    static ApiRoutes fromContract() {
        var options = new ParseOptions();
        options.setResolve(true);
        options.setResolveFully(true);
        var api = Optional.ofNullable(new OpenAPIV3Parser().read("openapi.yaml", null, options))
                .orElseThrow(() -> new IllegalStateException("openapi.yaml could not be read"));
        var routes = new ArrayList<Route>();
        api.getPaths().forEach((template, item) -> item.readOperationsMap().forEach((method, operation) ->
                routes.add(route(template, item, method, operation))));
        return new ApiRoutes(List.copyOf(routes));
    }

    private static Route route(String template, PathItem item, PathItem.HttpMethod method, Operation operation) {
        var parameters = Stream.concat(Optional.ofNullable(item.getParameters()).orElse(List.of()).stream(),
                Optional.ofNullable(operation.getParameters()).orElse(List.of()).stream()).toList();
        return new Route(method.name(), template, names(parameters, "path"), names(parameters, "query"));
    }

    private static List<String> names(List<Parameter> parameters, String in) {
        return parameters.stream().filter(p -> in.equals(p.getIn())).map(Parameter::getName).distinct().toList();
    }

    Map<String, Long> countByMethod() {
        return routes.stream().collect(Collectors.groupingBy(Route::method, TreeMap::new, Collectors.counting()));
    }
}
