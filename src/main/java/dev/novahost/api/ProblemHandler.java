package dev.novahost.api;

import dev.novahost.kernel.Errno;
import dev.novahost.kernel.KernelException;
import dev.novahost.scenario.RunSlots;
import dev.novahost.scenario.ScenarioException;
import dev.novahost.scenario.ScenarioOverrun;
import jakarta.servlet.http.HttpServletRequest;
import java.net.URI;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.bind.MissingServletRequestParameterException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.ServletWebRequest;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;
import org.springframework.web.servlet.resource.NoResourceFoundException;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.exc.InvalidFormatException;
import tools.jackson.databind.exc.MismatchedInputException;
import tools.jackson.databind.exc.UnrecognizedPropertyException;

/**
 * Turns every failure into RFC 9457 problem details with the errno that names it, a sentence a user
 * understands and no stack trace: kernel errors by their errno, framework errors (bad JSON, unknown
 * routes, wrong methods) by the errno closest to them.
 */
@RestControllerAdvice
class ProblemHandler extends ResponseEntityExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(ProblemHandler.class);

    @ExceptionHandler(KernelException.class)
    ResponseEntity<Object> kernel(KernelException e, HttpServletRequest request) {
        return problem(ProblemStatus.of(e), e.errno(), e.getMessage(), request);
    }

    /** A scenario that cannot run as written: the problem names the step at fault. */
    @ExceptionHandler(ScenarioException.class)
    ResponseEntity<Object> scenario(ScenarioException e, HttpServletRequest request) {
        var response = problem(HttpStatus.BAD_REQUEST, Errno.EINVAL, e.getMessage(), request);
        if (e.step() >= 0 && response.getBody() instanceof ProblemDetail problem) {
            problem.setProperty("step", e.step());
        }
        return response;
    }

    /**
     * A scenario request over its budget: 422, and {@code budget} names which one, its limit and how far
     * the run got. Over the wall-time budget the errno is {@code ETIMEDOUT}, over the others {@code E2BIG}.
     */
    @ExceptionHandler(ScenarioOverrun.class)
    ResponseEntity<Object> scenarioOverrun(ScenarioOverrun e, HttpServletRequest request) {
        var response = problem(HttpStatus.UNPROCESSABLE_CONTENT, e.budget().errno(), e.getMessage(), request);
        if (response.getBody() instanceof ProblemDetail problem) {
            var at = e.reached();
            problem.setProperty("budget", new OverrunView(e.budget().wireName(), e.limit(), at.step(), at.virtualNs(),
                    at.events(), at.elapsedMillis(), at.resultBytes()));
        }
        return response;
    }

    /** The budget a scenario request went over, its limit (steps, events, milliseconds or bytes), how far it got. */
    record OverrunView(String name, long limit, int step, long virtualNs, long events, long elapsedMillis,
                       long resultBytes) { }

    /** Every scenario run slot is taken: 503 {@code EAGAIN}, and {@code Retry-After} says when to come back. */
    @ExceptionHandler(RunSlots.Busy.class)
    ResponseEntity<Object> scenarioBusy(RunSlots.Busy e, HttpServletRequest request) {
        var response = problem(HttpStatus.SERVICE_UNAVAILABLE, Errno.EAGAIN, e.getMessage(), request);
        return ResponseEntity.status(response.getStatusCode()).headers(response.getHeaders())
                .header(HttpHeaders.RETRY_AFTER, "1").body(response.getBody());
    }

    @ExceptionHandler(MethodArgumentTypeMismatchException.class)
    ResponseEntity<Object> typeMismatch(MethodArgumentTypeMismatchException e, HttpServletRequest request) {
        return problem(HttpStatus.BAD_REQUEST, Errno.EINVAL,
                "Parameter '" + e.getName() + "' has the wrong type: '" + e.getValue() + "'", request);
    }

    /** A bug of ours: logged with its stack trace here, never sent to the client. */
    @ExceptionHandler(RuntimeException.class)
    ResponseEntity<Object> unexpected(RuntimeException e, HttpServletRequest request) {
        log.error("Unexpected failure on {} {}", request.getMethod(), request.getRequestURI(), e);
        return problem(HttpStatus.INTERNAL_SERVER_ERROR, Errno.EIO,
                "nova-host failed unexpectedly; the failure is in its log", request);
    }

    @Override
    protected ResponseEntity<Object> handleHttpMessageNotReadable(HttpMessageNotReadableException e,
            HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        return problem(HttpStatus.BAD_REQUEST, Errno.EINVAL, unreadable(e), servlet(request));
    }

    @Override
    protected ResponseEntity<Object> handleMissingServletRequestParameter(MissingServletRequestParameterException e,
            HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        return problem(HttpStatus.BAD_REQUEST, Errno.EINVAL,
                "Query parameter '" + e.getParameterName() + "' is required", servlet(request));
    }

    @Override
    protected ResponseEntity<Object> handleNoResourceFoundException(NoResourceFoundException e,
            HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        return problem(HttpStatus.NOT_FOUND, Errno.ENOENT,
                "There is no such route: " + servlet(request).getRequestURI(), servlet(request));
    }

    /** The framework's other errors keep their status and gain an errno. */
    @Override
    protected ResponseEntity<Object> handleExceptionInternal(Exception e, Object body, HttpHeaders headers,
            HttpStatusCode status, WebRequest request) {
        ResponseEntity<Object> response = super.handleExceptionInternal(e, body, headers, status, request);
        if (response != null && response.getBody() instanceof ProblemDetail problem) {
            decorate(problem, ProblemStatus.errnoFor(status.value()), servlet(request));
        }
        return response;
    }

    private static String unreadable(HttpMessageNotReadableException e) {
        return switch (e.getCause()) {
            case UnrecognizedPropertyException u -> "Unknown field '" + u.getPropertyName() + "'; known fields are "
                    + u.getKnownPropertyIds();
            case InvalidFormatException f -> "Field " + path(f) + " has the wrong type or format: " + f.getValue();
            case MismatchedInputException m -> "Field " + path(m) + " has the wrong type";
            case JacksonException j -> "The request body is not valid JSON";
            case null, default -> "The request body is missing or unreadable; send JSON";
        };
    }

    private static String path(MismatchedInputException e) {
        var path = e.getPath();
        return path.isEmpty() ? "(body)" : "'" + path.getLast().getPropertyName() + "'";
    }

    private static ResponseEntity<Object> problem(HttpStatus status, Errno errno, String detail,
                                                  HttpServletRequest request) {
        var problem = ProblemDetail.forStatusAndDetail(status, detail);
        decorate(problem, errno, request);
        return ResponseEntity.status(status).contentType(MediaType.APPLICATION_PROBLEM_JSON).body(problem);
    }

    private static void decorate(ProblemDetail problem, Errno errno, HttpServletRequest request) {
        problem.setType(URI.create("urn:nova-host:errno:" + errno.name()));
        problem.setTitle(errno.description());
        problem.setInstance(URI.create(request.getRequestURI()));
        problem.setProperty("errno", errno.name());
    }

    private static HttpServletRequest servlet(WebRequest request) {
        return ((ServletWebRequest) request).getRequest();
    }
}
