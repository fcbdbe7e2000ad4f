package dev.novahost.api;

import dev.novahost.kernel.Errno;
import dev.novahost.kernel.KernelException;
import dev.novahost.kernel.pci.PciAddress;
import dev.novahost.kernel.sanitizer.Outcome;
import dev.novahost.kernel.sanitizer.Sanitizer;
import dev.novahost.kernel.sanitizer.ViolationFilter;
import dev.novahost.kernel.sanitizer.ViolationKind;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.support.ServletUriComponentsBuilder;

/**
 * What the sanitizer caught, grouped, with each group's causal timeline; a page at a time, by id. The
 * body stays a plain array (as before paging); the page's context travels in headers, as GitHub's API
 * does: {@code Link: <...>; rel="next"} while more groups match, {@code X-Total-Count} (kept groups
 * that match) and {@code X-Nova-Violations-Dropped} (reports the full store counted but did not keep).
 */
@RestController
@RequestMapping(path = "/api/v1/violations", produces = MediaType.APPLICATION_JSON_VALUE)
class ViolationController {

    static final int DEFAULT_LIMIT = 100;
    static final int MAX_LIMIT = 1000;
    static final String TOTAL = "X-Total-Count";
    static final String DROPPED = "X-Nova-Violations-Dropped";

    private final Sanitizer sanitizer;

    ViolationController(Sanitizer sanitizer) {
        this.sanitizer = sanitizer;
    }

    @GetMapping
    ResponseEntity<List<ViolationView>> list(@RequestParam(required = false) String kind,
                                             @RequestParam(required = false) String device,
                                             @RequestParam(required = false) String outcome,
                                             @RequestParam(defaultValue = "0") long after,
                                             @RequestParam(defaultValue = "" + DEFAULT_LIMIT) int limit) {
        if (after < 0 || limit < 1 || limit > MAX_LIMIT) {
            throw KernelException.of(Errno.EINVAL, "after must be a violation id >= 0 and limit between 1 and "
                    + MAX_LIMIT + ", were " + after + " and " + limit);
        }
        var filter = new ViolationFilter(Optional.ofNullable(kind).map(ViolationController::kind),
                Optional.ofNullable(outcome).map(o -> Words.parse(Outcome.class, "outcome", o)),
                Optional.ofNullable(device).map(ViolationController::address));
        var page = sanitizer.page(filter, after, limit);
        var headers = new HttpHeaders();
        headers.set(TOTAL, Long.toString(page.total()));
        headers.set(DROPPED, Long.toString(page.dropped()));
        if (page.more()) {
            headers.set(HttpHeaders.LINK, "<" + next(page.violations().getLast().id(), limit) + ">; rel=\"next\"");
        }
        return ResponseEntity.ok().headers(headers).body(page.violations().stream().map(ViolationView::of).toList());
    }

    /** This request's path and filters, after the page's last id: relative, so it holds behind a proxy too. */
    private static String next(long lastId, int limit) {
        var uri = ServletUriComponentsBuilder.fromCurrentRequest()
                .replaceQueryParam("after", lastId).replaceQueryParam("limit", limit).build();
        return uri.getPath() + "?" + uri.getQuery();
    }

    /** The address as the kernel spells it; a text that is no address stays as it is and matches nothing. */
    private static String address(String text) {
        try {
            return PciAddress.parse(text).toString();
        } catch (KernelException notAnAddress) {
            return text;
        }
    }

    /**
     * A kind's wire name is spelt with {@code _} ({@code timer_after_remove}); the filter also takes it
     * with {@code -}, as openapi.yaml says, in any case.
     */
    private static ViolationKind kind(String text) {
        String wire = text.replace('-', '_');
        for (var kind : ViolationKind.values()) {
            if (kind.wireName().equalsIgnoreCase(wire)) {
                return kind;
            }
        }
        throw KernelException.of(Errno.EINVAL, "'" + text + "' is not a violation kind; use one of "
                + Arrays.stream(ViolationKind.values()).map(ViolationKind::wireName).collect(Collectors.joining(", ")));
    }

    @GetMapping("/{id}")
    ViolationView get(@PathVariable long id) {
        return sanitizer.violation(id).map(ViolationView::of)
                .orElseThrow(() -> KernelException.notFound(Errno.ENOENT, "No violation " + id));
    }
}
