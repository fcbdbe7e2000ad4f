package dev.novahost.api;

import dev.novahost.kernel.Errno;
import dev.novahost.kernel.KernelException;
import dev.novahost.kernel.Policy;
import dev.novahost.kernel.pci.Chipset;
import dev.novahost.report.ReportFormat;
import dev.novahost.report.TestReport;
import dev.novahost.scenario.Scenario;
import dev.novahost.scenario.ScenarioReports;
import dev.novahost.scenario.ScenarioRunner;
import dev.novahost.scenario.Scenarios;
import dev.novahost.scenario.Sweep;
import java.util.Arrays;
import java.util.List;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.function.Supplier;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;

/**
 * Scripted scenarios, each run in its own kernel on virtual time; the live host is never touched. The
 * runner holds every request to its budget and its run slots (nova.scenario-* settings). A run and a
 * sweep answer JSON, or with {@code ?format=junit|ktap} a test report ({@link ScenarioReports}) as
 * {@code application/xml} or {@code text/plain}: the format is read before anything runs, so an unknown
 * one costs no run.
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

    @PostMapping(path = "/run", produces = {MediaType.APPLICATION_JSON_VALUE, MediaType.APPLICATION_XML_VALUE,
            MediaType.TEXT_PLAIN_VALUE})
    ResponseEntity<?> run(@RequestBody RunRequest request, @RequestParam(required = false) String format) {
        var report = format(format);
        var scenario = scenario(request);
        if (request.policies() == null || request.policies().isEmpty()) {
            var result = runner.run(scenario, Optional.empty());
            return answer(report, result, () -> ScenarioReports.of(result));
        }
        var policies = request.policies().stream().map(word -> Words.parse(Policy.class, "policy", word)).toList();
        var comparison = runner.compare(scenario, policies);
        return answer(report, comparison, () -> ScenarioReports.of(comparison));
    }

    /** Fails each fallible step of the operation once, under each policy, and judges every unwind ({@link Sweep}). */
    @PostMapping(path = "/sweep", produces = {MediaType.APPLICATION_JSON_VALUE, MediaType.APPLICATION_XML_VALUE,
            MediaType.TEXT_PLAIN_VALUE})
    ResponseEntity<?> sweep(@RequestBody SweepRequest request, @RequestParam(required = false) String format) {
        var report = format(format);
        var operation = Words.parse(Sweep.Operation.class, "operation", request.operation(), Sweep.Operation.BIND);
        var chipset = request.chipset() == null ? Chipset.GA102 : Chipset.named(request.chipset());
        var policies = request.policies() == null || request.policies().isEmpty() ? Arrays.asList(Policy.values())
                : request.policies().stream().map(word -> Words.parse(Policy.class, "policy", word)).toList();
        var result = runner.sweep(operation, Sweep.NOVA_CORE, chipset, policies);
        return answer(report, result, () -> ScenarioReports.of(result));
    }

    /** {@code ?format=}: absent is JSON; anything but a report format is {@code EINVAL}. */
    private static Optional<ReportFormat> format(String word) {
        return word == null ? Optional.empty() : Optional.of(Words.parse(ReportFormat.class, "format", word));
    }

    /** The answer as JSON, or written as a test report in {@code format}, with its media type. */
    private static ResponseEntity<?> answer(Optional<ReportFormat> format, Object answer, Supplier<TestReport> report) {
        return format.<ResponseEntity<?>>map(f -> ResponseEntity.ok().contentType(MediaType.parseMediaType(f.mediaType()))
                .body(f.write(report.get()).getBytes(StandardCharsets.UTF_8)))
                .orElseGet(() -> ResponseEntity.ok(answer));
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
