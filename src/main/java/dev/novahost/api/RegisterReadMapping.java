package dev.novahost.api;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Map;
import java.util.Set;
import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.ServerHttpObservationFilter;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.servlet.handler.AbstractHandlerMapping;
import tools.jackson.databind.json.JsonMapper;

/**
 * The route of nova-host's hottest request, a register read ({@code GET /api/v1/devices/{address}/mmio/{offset}}),
 * found without Spring MVC's search and answered without its content negotiation.
 *
 * <p>A path with variables is matched against every mapping's conditions in turn, and the answer goes through
 * the message converters' negotiation: together a quarter of a register GET's CPU (P5 in docs/BENCHMARKS.md).
 * This mapping, asked first, recognises the route by its shape and hands the request to {@link #read}, which
 * calls {@link DeviceController#read} itself and writes its view with the application's JSON mapper: the same
 * bytes, and a failure still goes to the {@code @ExceptionHandler}s, because the handler is a handler method.
 * It takes only what needs no negotiation (a GET asking for JSON, {@code *}{@code /*} or nothing, whose
 * address and offset are not percent-encoded); every other request, a HEAD or an {@code Accept} that could
 * be refused with 406 among them, goes on to the annotated route.
 */
@Component
final class RegisterReadMapping extends AbstractHandlerMapping {

    /** The annotated route's pattern: the request is recorded under it ({@code uri} of http.server.requests). */
    static final String PATTERN = "/api/v1/devices/{address}/mmio/{offset}";
    private static final String DEVICES = "/api/v1/devices/";
    private static final String MMIO = "/mmio/";
    private static final Set<MediaType> PRODUCES = Set.of(MediaType.APPLICATION_JSON);

    private final DeviceController devices;
    private final JsonMapper json;
    private final HandlerMethod handler;

    RegisterReadMapping(DeviceController devices, JsonMapper json) throws NoSuchMethodException {
        this.devices = devices;
        this.json = json;
        this.handler = new HandlerMethod(this,
                RegisterReadMapping.class.getDeclaredMethod("read", HttpServletRequest.class, HttpServletResponse.class));
        setOrder(Ordered.HIGHEST_PRECEDENCE);
    }

    @Override
    protected Object getHandlerInternal(HttpServletRequest request) {
        if (request.getDispatcherType() != DispatcherType.REQUEST || !"GET".equals(request.getMethod())
                || !asksForJson(request.getHeader(HttpHeaders.ACCEPT))) {
            return null;
        }
        String path = initLookupPath(request);
        if (!path.startsWith(DEVICES) || path.indexOf('%') >= 0) {
            return null;
        }
        int mmio = path.indexOf('/', DEVICES.length());
        int offset = mmio + MMIO.length();
        if (mmio <= DEVICES.length() || !path.startsWith(MMIO, mmio) || offset == path.length()
                || path.indexOf('/', offset) >= 0) {
            return null;
        }
        // what RequestMappingInfoHandlerMapping records of a match, for the handler, the metrics and the logs
        request.setAttribute(URI_TEMPLATE_VARIABLES_ATTRIBUTE,
                Map.of("address", path.substring(DEVICES.length(), mmio), "offset", path.substring(offset)));
        request.setAttribute(BEST_MATCHING_PATTERN_ATTRIBUTE, PATTERN);
        request.setAttribute(PRODUCIBLE_MEDIA_TYPES_ATTRIBUTE, PRODUCES);
        request.setAttribute(BEST_MATCHING_HANDLER_ATTRIBUTE, handler);
        ServerHttpObservationFilter.findObservationContext(request).ifPresent(context -> context.setPathPattern(PATTERN));
        return handler;
    }

    /** The handler: the annotated route's method, its answer written as the message converter writes it. */
    void read(HttpServletRequest request, HttpServletResponse response) throws IOException {
        @SuppressWarnings("unchecked")
        var variables = (Map<String, String>) request.getAttribute(URI_TEMPLATE_VARIABLES_ATTRIBUTE);
        byte[] body = json.writeValueAsBytes(devices.read(variables.get("address"), variables.get("offset")));
        response.setContentType(MediaType.APPLICATION_JSON_VALUE);
        response.getOutputStream().write(body);
    }

    private static boolean asksForJson(String accept) {
        return accept == null || accept.equals(MediaType.ALL_VALUE) || accept.equals(MediaType.APPLICATION_JSON_VALUE);
    }
}
