package dev.novahost.api;

import dev.novahost.explore.ExplorationReports;
import dev.novahost.explore.Explorer;
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
import java.util.function.Function;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.HttpMediaTypeNotAcceptableException;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

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

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final ScenarioRunner runner;
    private final Explorer explorer;

    ScenarioController(ScenarioRunner runner) {
        this.runner = runner;
        // the wall-time budget holds the whole exploration, as it holds a comparison's runs together
        this.explorer = new Explorer(runner.unslotted(), Runtime.getRuntime().availableProcessors(),
                runner.budget().maxWallTime());
    }

    /** What one built-in scenario is about. */
    record ScenarioInfo(String name, String title, String description, int steps) { }

    /** Run a built-in by {@code name}, or a {@code scenario} given inline; {@code policies} compares runs. */
    record RunRequest(String name, JsonNode scenario, List<String> policies) { }

    /**
     * What to explore: a built-in by {@code name} or a {@code scenario} inline, the policies (all), the
     * preemption bound and the schedule budget per policy (defaults when left out).
     */
    record ExploreRequest(String name, JsonNode scenario, List<String> policies, Integer bound, Integer budget) { }

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
    ResponseEntity<?> run(@RequestBody RunRequest request, @RequestParam(required = false) String format,
                          @RequestHeader HttpHeaders headers) throws HttpMediaTypeNotAcceptableException {
        var answer = Answer.of(format, headers.getAccept());
        var scenario = scenario(request);
        if (request.policies() == null || request.policies().isEmpty()) {
            return answer.with(runner.run(scenario, Optional.empty()), ScenarioReports::of);
        }
        var policies = request.policies().stream().map(word -> Words.parse(Policy.class, "policy", word)).toList();
        return answer.with(runner.compare(scenario, policies), ScenarioReports::of);
    }

    /** Fails each fallible step of the operation once, under each policy, and judges every unwind ({@link Sweep}). */
    @PostMapping(path = "/sweep", produces = {MediaType.APPLICATION_JSON_VALUE, MediaType.APPLICATION_XML_VALUE,
            MediaType.TEXT_PLAIN_VALUE})
    ResponseEntity<?> sweep(@RequestBody SweepRequest request, @RequestParam(required = false) String format,
                            @RequestHeader HttpHeaders headers) throws HttpMediaTypeNotAcceptableException {
        var answer = Answer.of(format, headers.getAccept());
        var operation = Words.parse(Sweep.Operation.class, "operation", request.operation(), Sweep.Operation.BIND);
        var chipset = request.chipset() == null ? Chipset.GA102 : Chipset.named(request.chipset());
        var policies = request.policies() == null || request.policies().isEmpty() ? Arrays.asList(Policy.values())
                : request.policies().stream().map(word -> Words.parse(Policy.class, "policy", word)).toList();
        return answer.with(runner.sweep(operation, Sweep.NOVA_CORE, chipset, policies), ScenarioReports::of);
    }

    /**
     * How a run, a sweep or an exploration answers: JSON, or with {@code ?format=} a test report in that {@link ReportFormat}.
     * Settled before anything runs: an unknown format is {@code EINVAL}, and an {@code Accept} that admits
     * not the answer's media type is 406. The media type is set here, not negotiated, so that an
     * {@code Accept} naming XML or text first (a browser's) still gets the JSON it also accepts.
     */
    private record Answer(Optional<ReportFormat> format, MediaType mediaType) {

        static Answer of(String word, List<MediaType> accepted) throws HttpMediaTypeNotAcceptableException {
            var format = word == null ? Optional.<ReportFormat>empty()
                    : Optional.of(Words.parse(ReportFormat.class, "format", word));
            var type = format.map(f -> MediaType.parseMediaType(f.mediaType())).orElse(MediaType.APPLICATION_JSON);
            if (!accepted.isEmpty() && accepted.stream().noneMatch(a -> a.getQualityValue() > 0 && a.isCompatibleWith(type))) {
                throw new HttpMediaTypeNotAcceptableException(List.of(type));
            }
            return new Answer(format, type);
        }

        <T> ResponseEntity<?> with(T result, Function<T, TestReport> report) {
            var ok = ResponseEntity.ok().contentType(mediaType);
            return format.<ResponseEntity<?>>map(f -> ok.body(f.write(report.apply(result)).getBytes(StandardCharsets.UTF_8)))
                    .orElseGet(() -> ok.body(result));
        }
    }

    /**
     * Every schedule of the scenario's first teardown up to the preemption bound, under each policy, each
     * run in a kernel of its own; the distinct outcomes, and a shrunk reproducer for each violating one
     * ({@link Explorer}). One run slot for the whole exploration.
     */
    @PostMapping(path = "/explore", produces = {MediaType.APPLICATION_JSON_VALUE, MediaType.APPLICATION_XML_VALUE,
            MediaType.TEXT_PLAIN_VALUE})
    ResponseEntity<?> explore(@RequestBody ExploreRequest request, @RequestParam(required = false) String format,
                              @RequestHeader HttpHeaders headers) throws HttpMediaTypeNotAcceptableException {
        var answer = Answer.of(format, headers.getAccept());
        var scenario = source(request.name(), request.scenario());
        var policies = policies(request.policies());
        int bound = request.bound() == null ? Explorer.DEFAULT_BOUND : request.bound();
        int budget = request.budget() == null ? Explorer.DEFAULT_BUDGET : request.budget();
        return answer.with(runner.exclusively(() -> explorer.explore(scenario, policies, bound, budget)),
                ExplorationReports::of);
    }

    private static List<Policy> policies(List<String> words) {
        return words == null || words.isEmpty() ? Arrays.asList(Policy.values())
                : words.stream().map(word -> Words.parse(Policy.class, "policy", word)).toList();
    }

    private static Scenario scenario(RunRequest request) {
        return Scenario.parse(source(request.name(), request.scenario()));
    }

    /** The scenario's JSON: a built-in's by {@code name}, or the one given inline; exactly one of them. */
    private static JsonNode source(String name, JsonNode scenario) {
        if ((name == null) == (scenario == null)) {
            throw KernelException.of(Errno.EINVAL, "Give either 'name' (a built-in scenario) or 'scenario' (its JSON)");
        }
        if (name != null) {
            return Scenarios.source(name).map(JSON::readTree).orElseThrow(() -> KernelException.notFound(Errno.ENOENT,
                    "No built-in scenario '" + name + "'; they are " + Scenarios.BUILT_IN));
        }
        return scenario;
    }
}
