package dev.novahost.api;

import dev.novahost.kernel.Errno;
import dev.novahost.kernel.KernelException;
import dev.novahost.kernel.Policy;
import dev.novahost.kernel.pci.Chipset;
import dev.novahost.scenario.Scenario;
import dev.novahost.scenario.ScenarioRunner;
import dev.novahost.scenario.Scenarios;
import dev.novahost.scenario.Sweep;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;

/**
 * Scripted scenarios, each run in its own kernel on virtual time; the live host is never touched. The
 * runner holds every request to its budget and its run slots (nova.scenario-* settings).
 */
@RestController
@RequestMapping(path = "/api/v1/scenarios", produces = MediaType.APPLICATION_JSON_VALUE)
class ScenarioController {

    private final ScenarioRunner runner;

    ScenarioController(ScenarioRunner runner) {
        this.runner = runner;
    }

    /** What one built-in scenario is about. */
    record ScenarioInfo(String name, String title, String description, int steps) { }

    /** Run a built-in by {@code name}, or a {@code scenario} given inline; {@code policies} compares runs. */
    record RunRequest(String name, JsonNode scenario, List<String> policies) { }

    /**
     * What to sweep: the operation ({@code bind} or {@code load}), the GPU's chipset ({@code GA102}), the
     * policies (both); each may be left out.
     */
    record SweepRequest(String operation, String chipset, List<String> policies) { }

    @GetMapping
    List<ScenarioInfo> builtIn() {
        return Scenarios.all().stream()
                .map(s -> new ScenarioInfo(s.name(), s.title(), s.description(), s.steps().size()))
                .toList();
    }

    @PostMapping("/run")
    Object run(@RequestBody RunRequest request) {
        var scenario = scenario(request);
        if (request.policies() == null || request.policies().isEmpty()) {
            return runner.run(scenario, Optional.empty());
        }
        var policies = request.policies().stream().map(word -> Words.parse(Policy.class, "policy", word)).toList();
        return runner.compare(scenario, policies);
    }

    /** Fails each fallible step of the operation once, under each policy, and judges every unwind ({@link Sweep}). */
    @PostMapping("/sweep")
    Sweep.Result sweep(@RequestBody SweepRequest request) {
        var operation = Words.parse(Sweep.Operation.class, "operation", request.operation(), Sweep.Operation.BIND);
        var chipset = request.chipset() == null ? Chipset.GA102 : Chipset.named(request.chipset());
        var policies = request.policies() == null || request.policies().isEmpty() ? Arrays.asList(Policy.values())
                : request.policies().stream().map(word -> Words.parse(Policy.class, "policy", word)).toList();
        return runner.sweep(operation, Sweep.NOVA_CORE, chipset, policies);
    }

    private static Scenario scenario(RunRequest request) {
        if ((request.name() == null) == (request.scenario() == null)) {
            throw KernelException.of(Errno.EINVAL, "Give either 'name' (a built-in scenario) or 'scenario' (its JSON)");
        }
        if (request.name() != null) {
            return Scenarios.named(request.name()).orElseThrow(() -> KernelException.notFound(Errno.ENOENT,
                    "No built-in scenario '" + request.name() + "'; they are " + Scenarios.BUILT_IN));
        }
        return Scenario.parse(request.scenario());
    }
}
