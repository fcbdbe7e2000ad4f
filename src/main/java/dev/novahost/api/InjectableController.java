package dev.novahost.api;

import dev.novahost.kernel.novacore.FaultService;
import java.util.List;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/**
 * Linux's {@code fail_function/injectable}: the driver's injection points in probe order, each with the
 * errnos the real call returns (the first is the default {@code retval}) and what it does.
 */
@RestController
class InjectableController {

    /** One injection point: its word ({@code pci_iomap}), its errnos, what fails. */
    record InjectableView(String name, List<String> errnos, String description) {
    }

    private final FaultService faults;

    InjectableController(FaultService faults) {
        this.faults = faults;
    }

    @GetMapping(path = "/api/v1/drivers/{name}/injectable", produces = MediaType.APPLICATION_JSON_VALUE)
    List<InjectableView> injectable(@PathVariable String name) {
        return faults.injectable(name).stream().map(point -> new InjectableView(point.word(),
                point.errnos().stream().map(Enum::name).toList(), point.description())).toList();
    }
}
