package dev.novahost.api;

import dev.novahost.kernel.Errno;
import dev.novahost.kernel.Kernel;
import dev.novahost.kernel.KernelException;
import dev.novahost.kernel.pci.PciAddress;
import dev.novahost.kernel.sanitizer.Outcome;
import dev.novahost.kernel.sanitizer.ViolationKind;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** What the sanitizer caught, grouped, with each group's causal timeline. */
@RestController
@RequestMapping(path = "/api/v1/violations", produces = MediaType.APPLICATION_JSON_VALUE)
class ViolationController {

    private final Kernel kernel;

    ViolationController(Kernel kernel) {
        this.kernel = kernel;
    }

    @GetMapping
    List<ViolationView> list(@RequestParam(required = false) String kind,
                             @RequestParam(required = false) String device,
                             @RequestParam(required = false) String outcome) {
        var wantedKind = Optional.ofNullable(kind).map(ViolationController::kind);
        var wantedOutcome = Optional.ofNullable(outcome).map(o -> Words.parse(Outcome.class, "outcome", o));
        return kernel.sanitizer().violations().stream()
                .filter(v -> wantedKind.map(k -> k == v.kind()).orElse(true))
                .filter(v -> wantedOutcome.map(o -> o == v.outcome()).orElse(true))
                .filter(v -> device == null || PciAddress.parse(device).toString().equals(v.device()))
                .map(ViolationView::of)
                .toList();
    }

    private static ViolationKind kind(String wire) {
        return Arrays.stream(ViolationKind.values()).filter(k -> k.wireName().equals(wire)).findFirst()
                .orElseThrow(() -> KernelException.of(Errno.EINVAL, "'" + wire + "' is not a violation kind; use one of "
                        + Arrays.stream(ViolationKind.values()).map(ViolationKind::wireName).collect(Collectors.joining(", "))));
    }

    @GetMapping("/{id}")
    ViolationView get(@PathVariable long id) {
        return kernel.sanitizer().violation(id).map(ViolationView::of)
                .orElseThrow(() -> KernelException.notFound(Errno.ENOENT, "No violation " + id));
    }
}
