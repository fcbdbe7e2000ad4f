package dev.novahost.observability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.DeserializationConfig;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.deser.BeanDeserializerBuilder;
import com.fasterxml.jackson.databind.deser.BeanDeserializerModifier;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.novahost.config.NovaProperties;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

/**
 * deploy/kubernetes read with fabric8's Kubernetes model, strictly: a field the Kubernetes API does not
 * have (a misspelled {@code readinesProbe}) fails the load instead of landing in fabric8's catch-all
 * {@code additionalProperties}, where the API server would also drop it without a word. Then what the
 * manifests promise is checked against the files it must agree with, read here rather than written
 * twice: the Dockerfile (user, port, data volume, image name), docker/healthcheck.sh (the readiness
 * path), application.properties (port, probes, metrics endpoint, drain time), docker/compose.yaml (the
 * grace period) and {@link NovaProperties} (the environment names). No cluster runs here: the manifests
 * are rendered by kustomize (when {@code kubectl} is installed) and read, never applied.
 */
class KubernetesManifestsTest {

    private static final Path ROOT = Path.of("").toAbsolutePath();
    private static final Path BASE = ROOT.resolve("deploy/kubernetes");
    private static final Path PODMONITOR = BASE.resolve("podmonitor");

    /** The kinds issue 15 names, and the model type each is read into (the PodMonitor is a CRD). */
    private static final Map<String, Class<? extends HasMetadata>> KINDS = Map.of(
            "StatefulSet", StatefulSet.class,
            "Service", Service.class,
            "Secret", Secret.class,
            "PodDisruptionBudget", PodDisruptionBudget.class,
            "PodMonitor", GenericKubernetesResource.class);

    private static final YAMLMapper STRICT = strictMapper();

    // ---- the model library, made strict -----------------------------------------------------------

    /**
     * Every fabric8 model type collects unknown fields in an any-setter ({@code additionalProperties}),
     * so {@code FAIL_ON_UNKNOWN_PROPERTIES} alone never fires. Taking the any-setter off the API types
     * (not off {@code GenericKubernetesResource}, whose fields are all "unknown") makes Jackson refuse
     * them, naming the field and its path.
     */
    private static YAMLMapper strictMapper() {
        var strict = new SimpleModule("strict-kubernetes-model");
        strict.setDeserializerModifier(new BeanDeserializerModifier() {
            @Override
            public BeanDeserializerBuilder updateBuilder(DeserializationConfig config, BeanDescription bean,
                                                         BeanDeserializerBuilder builder) {
                var type = bean.getBeanClass();
                if (type.getPackageName().startsWith("io.fabric8.kubernetes.api.model")
                        && type != GenericKubernetesResource.class) {
                    builder.setAnySetter(null);
                }
                return builder;
            }
        });
        return YAMLMapper.builder()
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
                .addModule(strict)
                .build();
    }

    /** One manifest read into its model type, whose apiVersion must be the one that type has. */
    private static HasMetadata load(String yaml) throws IOException {
        var tree = STRICT.readTree(yaml);
        var kind = tree.path("kind").asText();
        assertThat(KINDS).as("a kind issue 15 names").containsKey(kind);
        var type = KINDS.get(kind);
        var resource = STRICT.treeToValue(tree, type);
        if (type != GenericKubernetesResource.class) {
            assertThat(resource.getApiVersion()).as("apiVersion of %s", kind).isEqualTo(HasMetadata.getApiVersion(type));
        }
        return resource;
    }

    private static HasMetadata load(Path file) throws IOException {
        return load(Files.readString(file));
    }

    @Test
    void aMisspelledFieldFailsTheLoadThoughFabric8AloneWouldKeepItQuietly() throws IOException {
        var misspelled = Files.readString(BASE.resolve("statefulset.yaml"))
                .replaceFirst("readinessProbe:", "readinesProbe:");

        assertThatThrownBy(() -> load(misspelled))
                .isInstanceOf(UnrecognizedPropertyException.class)
                .hasMessageContaining("readinesProbe");
        var lenient = YAMLMapper.builder().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build()
                .readValue(misspelled, StatefulSet.class);
        assertThat(lenient.getSpec().getTemplate().getSpec().getContainers().getFirst().getAdditionalProperties())
                .as("without the strict module the typo is kept aside and the probe is simply missing")
                .containsKey("readinesProbe");
    }

    @Test
    void aFieldInTheWrongPlaceFailsTooAtAnyDepth() {
        var misplaced = """
                apiVersion: v1
                kind: Service
                metadata:
                  name: nova-host
                spec:
                  ports:
                    - name: http
                      port: 8080
                      containerPort: 8080
                """;

        assertThatThrownBy(() -> load(misplaced)).isInstanceOf(UnrecognizedPropertyException.class)
                .hasMessageContaining("containerPort");
    }

    // ---- the kustomization ------------------------------------------------------------------------

    @Test
    void theKustomizationListsOnlyFilesThatExistAndKindsTheIssueNames() throws IOException {
        var kustomization = kustomization(BASE);
        assertThat(kustomization.keySet()).isSubsetOf("apiVersion", "kind", "resources", "secretGenerator", "generatorOptions");
        assertThat(kustomization).containsEntry("kind", "Kustomization");

        var kinds = new ArrayList<String>();
        for (var file : resources(BASE)) {
            assertThat(file).exists();
            kinds.add(load(file).getKind());
        }
        assertThat(kinds).containsExactlyInAnyOrder("StatefulSet", "Service", "Service", "PodDisruptionBudget");
        assertThat(generatedSecret().getKind()).isEqualTo("Secret");

        var component = kustomization(PODMONITOR);
        assertThat(component).containsEntry("kind", "Component");
        assertThat(resources(PODMONITOR)).singleElement()
                .satisfies(file -> assertThat(load(file).getKind()).isEqualTo("PodMonitor"));
    }

    @Test
    void kustomizeRendersTheBaseAndAnOverlayWithThePodMonitor(@TempDir Path overlay) throws Exception {
        var base = kustomize(BASE);
        assertThat(base).extracting(HasMetadata::getKind)
                .containsExactlyInAnyOrder("Secret", "Service", "Service", "StatefulSet", "PodDisruptionBudget");
        assertThat(base).filteredOn(resource -> resource instanceof Secret).singleElement()
                .isEqualTo(generatedSecret());

        Files.writeString(overlay.resolve("kustomization.yaml"), """
                apiVersion: kustomize.config.k8s.io/v1beta1
                kind: Kustomization
                resources: [%s]
                components: [%s]
                """.formatted(overlay.relativize(BASE), overlay.relativize(PODMONITOR)));
        assertThat(kustomize(overlay)).extracting(HasMetadata::getKind).contains("PodMonitor", "StatefulSet");
    }

    // ---- the pod agrees with the image and the application ---------------------------------------

    @Test
    void thePodRunsAsTheImagesUserWithNothingMoreThanItNeeds() throws IOException {
        var pod = podSpec();
        var container = container();
        var dockerfile = Files.readString(ROOT.resolve("docker/Dockerfile"));
        var uid = Long.valueOf(match(dockerfile, "useradd [^\\n]*--uid (\\d+)"));
        var gid = Long.valueOf(match(dockerfile, "groupadd [^\\n]*--gid (\\d+)"));

        assertThat(pod.getSecurityContext().getRunAsUser()).isEqualTo(uid);
        assertThat(pod.getSecurityContext().getRunAsGroup()).isEqualTo(gid);
        assertThat(pod.getSecurityContext().getFsGroup()).as("the journal volume belongs to the image's group").isEqualTo(gid);
        assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
        var security = container.getSecurityContext();
        assertThat(security.getAllowPrivilegeEscalation()).isFalse();
        assertThat(security.getCapabilities().getDrop()).containsExactly("ALL");
        assertThat(security.getCapabilities().getAdd()).isNullOrEmpty();
        assertThat(security.getReadOnlyRootFilesystem()).isTrue();
        assertThat(pod.getVolumes()).filteredOn(volume -> volume.getEmptyDir() != null).extracting(v -> v.getName())
                .as("a read-only root needs a writable /tmp for the JVM and Tomcat")
                .anySatisfy(name -> assertThat(mountPath(container, name)).isEqualTo("/tmp"));
    }

    @Test
    void theImageNamePortAndJournalVolumeAreTheDockerfiles() throws IOException {
        var container = container();
        var dockerfile = Files.readString(ROOT.resolve("docker/Dockerfile"));
        var port = Integer.parseInt(match(dockerfile, "\\nEXPOSE (\\d+)"));
        var dataDir = match(dockerfile, "ENV NOVA_DATA_DIR=(\\S+)");

        assertThat(container.getImage()).as("the name docker/Dockerfile's build line tags")
                .isEqualTo(match(dockerfile, "docker build -f docker/Dockerfile -t (\\S+) \\."));
        assertThat(match(dockerfile, "PORT=(\\d+)")).isEqualTo(String.valueOf(port));
        assertThat(match(applicationProperties().getProperty("server.port"), "\\$\\{PORT:(\\d+)}"))
                .isEqualTo(String.valueOf(port));
        assertThat(container.getPorts()).singleElement().satisfies(p -> {
            assertThat(p.getContainerPort()).isEqualTo(port);
            assertThat(p.getName()).isEqualTo("http");
        });
        assertThat(match(dockerfile, "\\nVOLUME \\[\"([^\"]+)\"]")).isEqualTo(dataDir);
        var claim = statefulSet().getSpec().getVolumeClaimTemplates();
        assertThat(claim).singleElement().satisfies(template ->
                assertThat(mountPath(container, template.getMetadata().getName())).isEqualTo(dataDir));
        assertThat(env(container)).as("the image's data folder is kept").doesNotContainKey("NOVA_DATA_DIR");
        assertThat(match(dockerfile, "ENTRYPOINT (.*)")).contains("-XX:MaxRAMPercentage=");
        assertThat(env(container).get("JAVA_TOOL_OPTIONS")).as("the heap stays sized by the image's entrypoint")
                .doesNotContain("MaxRAMPercentage", "Xmx");
    }

    @Test
    void theProbesAskTheActuatorsHealthGroupsOnTheContainerPort() throws IOException {
        var container = container();
        var properties = applicationProperties();
        assertThat(properties.getProperty("management.endpoint.health.probes.enabled")).isEqualTo("true");
        var healthcheck = Files.readString(ROOT.resolve("docker/healthcheck.sh"));
        var readiness = match(healthcheck, "GET (\\S+) HTTP/1.0");

        assertThat(path(container.getReadinessProbe())).as("what the image's HEALTHCHECK asks").isEqualTo(readiness);
        assertThat(path(container.getLivenessProbe())).isEqualTo(readiness.replace("readiness", "liveness"));
        assertThat(container.getStartupProbe()).as("the JVM takes seconds to start").isNotNull();
        assertThat(path(container.getStartupProbe())).startsWith("/actuator/health/");
        for (var probe : List.of(container.getReadinessProbe(), container.getLivenessProbe(), container.getStartupProbe())) {
            assertThat(probe.getHttpGet().getPort().getStrVal()).isEqualTo(container.getPorts().getFirst().getName());
        }
        assertThat(container.getResources().getRequests()).containsKeys("cpu", "memory");
        assertThat(container.getResources().getLimits()).containsKeys("cpu", "memory");
    }

    @Test
    void terminationWaitsLongerThanTheDrainAndTheComposeGracePeriod() throws IOException {
        var pod = podSpec();
        var drain = Integer.parseInt(match(applicationProperties().getProperty("spring.lifecycle.timeout-per-shutdown-phase"), "(\\d+)s"));
        var compose = Files.readString(ROOT.resolve("docker/compose.yaml"));
        var composeGrace = Integer.parseInt(match(compose, "stop_grace_period: (\\d+)s"));
        var preStop = Integer.parseInt(container().getLifecycle().getPreStop().getExec().getCommand().getLast());

        assertThat(applicationProperties().getProperty("server.shutdown")).isEqualTo("graceful");
        assertThat(pod.getTerminationGracePeriodSeconds()).isGreaterThan((long) preStop + drain)
                .isGreaterThanOrEqualTo((long) composeGrace);
    }

    @Test
    void everyNovaVariableIsAPropertyTheServiceReadsAndTheTokensComeFromTheSecret() throws IOException {
        var env = container().getEnv();
        var properties = Arrays.stream(NovaProperties.class.getRecordComponents())
                .map(component -> "NOVA_" + component.getName().replaceAll("([a-z])([A-Z])", "$1_$2").toUpperCase())
                .collect(Collectors.toSet());
        assertThat(env).extracting(EnvVar::getName).filteredOn(name -> name.startsWith("NOVA_"))
                .isNotEmpty().allSatisfy(name -> assertThat(properties).contains(name));

        var secret = generatedSecret();
        var tokens = env.stream().filter(e -> e.getValueFrom() != null && e.getValueFrom().getSecretKeyRef() != null).toList();
        assertThat(tokens).extracting(EnvVar::getName).containsExactlyInAnyOrder("NOVA_OPERATOR_TOKEN", "NOVA_VIEWER_TOKEN");
        assertThat(tokens).allSatisfy(token -> {
            assertThat(token.getValueFrom().getSecretKeyRef().getName()).isEqualTo(secret.getMetadata().getName());
            assertThat(secret.getData()).containsKey(token.getValueFrom().getSecretKeyRef().getKey());
        });
        assertThat(secret.getData().values()).as("tokens.env ships empty: a pod refuses to start until it is filled in")
                .allSatisfy(value -> assertThat(value).isEmpty());
        assertThat(env(container())).containsKey("NOVA_FLEET").containsEntry("NOVA_LOAD_NOVA_CORE", "true");
    }

    @Test
    void theHostCheckAcceptsThePodIpAndTheServicesNames() throws IOException {
        var container = container();
        var allowed = List.of(env(container).get("NOVA_ALLOWED_HOSTS").split(","));
        var fieldRefs = container.getEnv().stream().filter(e -> e.getValueFrom() != null && e.getValueFrom().getFieldRef() != null)
                .map(EnvVar::getName).toList();
        var headless = statefulSet().getSpec().getServiceName();

        assertThat(allowed).as("the kubelet's probes and Prometheus name the pod by its IP")
                .contains("$(POD_IP)", "[$(POD_IP)]");
        assertThat(allowed).contains("$(POD_NAME)." + headless + ".$(POD_NAMESPACE).svc.cluster.local",
                "nova-host.$(POD_NAMESPACE).svc.cluster.local");
        assertThat(fieldRefs).as("defined before NOVA_ALLOWED_HOSTS, so $(...) expands")
                .containsExactly("POD_NAME", "POD_NAMESPACE", "POD_IP");
    }

    @Test
    void theServicesAndTheBudgetSelectThePodsAndTheHeadlessOneNamesThem() throws IOException {
        var statefulSet = statefulSet();
        var labels = statefulSet.getSpec().getTemplate().getMetadata().getLabels();
        assertThat(statefulSet.getSpec().getSelector().getMatchLabels()).isEqualTo(labels);

        var services = resources(BASE).stream().map(KubernetesManifestsTest::loadUnchecked)
                .filter(Service.class::isInstance).map(Service.class::cast).toList();
        assertThat(services).allSatisfy(service -> {
            assertThat(labels).containsAllEntriesOf(service.getSpec().getSelector());
            assertThat(service.getSpec().getPorts()).singleElement()
                    .satisfies(port -> assertThat(port.getTargetPort().getStrVal()).isEqualTo("http"));
        });
        assertThat(services).filteredOn(service -> "None".equals(service.getSpec().getClusterIP()))
                .singleElement().satisfies(service ->
                        assertThat(service.getMetadata().getName()).isEqualTo(statefulSet.getSpec().getServiceName()));
        var budget = (PodDisruptionBudget) load(BASE.resolve("poddisruptionbudget.yaml"));
        assertThat(labels).containsAllEntriesOf(budget.getSpec().getSelector().getMatchLabels());
    }

    // ---- Prometheus discovery ---------------------------------------------------------------------

    @Test
    void theAnnotationsTheScrapeJobAndThePodMonitorAgreeWithTheService() throws Exception {
        var template = statefulSet().getSpec().getTemplate();
        var annotations = template.getMetadata().getAnnotations();
        var container = container();
        var metricsPath = "/actuator/prometheus";
        assertThat(applicationProperties().getProperty("management.endpoints.web.exposure.include")).contains("prometheus");
        assertThat(annotations).containsEntry("prometheus.io/scrape", "true")
                .containsEntry("prometheus.io/port", String.valueOf(container.getPorts().getFirst().getContainerPort()))
                .containsEntry("prometheus.io/path", metricsPath);

        var podMonitor = (GenericKubernetesResource) load(PODMONITOR.resolve("podmonitor.yaml"));
        assertThat(podMonitor.getApiVersion()).isEqualTo("monitoring.coreos.com/v1");
        assertThat(template.getMetadata().getLabels())
                .containsAllEntriesOf(podMonitor.<Map<String, String>>get("spec", "selector", "matchLabels"));
        Map<String, Object> endpoint = podMonitor.<List<Map<String, Object>>>get("spec", "podMetricsEndpoints").getFirst();
        assertThat(endpoint).containsEntry("port", container.getPorts().getFirst().getName()).containsEntry("path", metricsPath);
        var credentials = podMonitor.<Map<String, String>>get("spec", "podMetricsEndpoints", 0, "authorization", "credentials");
        assertThat(credentials).containsEntry("name", generatedSecret().getMetadata().getName())
                .containsEntry("key", "NOVA_VIEWER_TOKEN");

        List<Map<String, Object>> jobs = new Yaml().load(Files.readString(BASE.resolve("prometheus/nova-host-job.yml")));
        var job = jobs.getFirst();
        var alerts = Files.readString(ROOT.resolve("docker/prometheus/alerts.yml"));
        var alertsJob = match(alerts, "up\\{job=\"([^\"]+)\"}");
        assertThat(job).as("NovaHostDown watches up{job=...}").containsEntry("job_name", alertsJob);
        assertThat(template.getMetadata().getLabels())
                .containsEntry(podMonitor.<String>get("spec", "jobLabel"), alertsJob);
        var relabels = job.get("relabel_configs").toString();
        assertThat(relabels).contains("__meta_kubernetes_pod_label_app_kubernetes_io_name",
                "__meta_kubernetes_pod_annotation_prometheus_io_scrape", "__meta_kubernetes_pod_annotation_prometheus_io_port",
                "__meta_kubernetes_pod_annotation_prometheus_io_path", "target_label=instance");
        assertThat(String.valueOf(job.get("authorization"))).endsWith("/NOVA_VIEWER_TOKEN}");
    }

    /**
     * Debian's Prometheus is built without Kubernetes discovery ("field kubernetes_sd_configs not found"),
     * so the discovery block is swapped for a static target: promtool still checks the relabelling rules
     * (actions, regexes, labels) and the authorization, which is where a mistake would hide.
     */
    @Test
    void promtoolAcceptsTheScrapeJobsRelabellingAndAuthorization(@TempDir Path dir) throws Exception {
        var promtool = Promtool.installed();
        var token = Files.writeString(dir.resolve("NOVA_VIEWER_TOKEN"), "viewer");
        var text = Files.readString(BASE.resolve("prometheus/nova-host-job.yml"));
        assertThat(text).contains("  kubernetes_sd_configs:\n    - role: pod\n");
        var job = text.replace("/etc/prometheus/nova-host/NOVA_VIEWER_TOKEN", token.toString())
                .replace("  kubernetes_sd_configs:\n    - role: pod\n", "  static_configs:\n    - targets: [\"10.0.0.1:8080\"]\n");
        var config = Files.writeString(dir.resolve("prometheus.yml"),
                "scrape_configs:\n" + job.lines().map(line -> "  " + line).collect(Collectors.joining("\n")) + "\n");

        var run = promtool.run("check", "config", config.toString());

        assertThat(run.exitCode()).as(run.output()).isZero();
    }

    @Test
    void theDashboardListsEveryPodAsAnInstance() throws IOException {
        var dashboard = Files.readString(ROOT.resolve("docker/grafana/dashboards/nova-host.json"));
        assertThat(dashboard).contains("label_values(nova_devices, instance)", "\"multi\": true", "\"includeAll\": true");
    }

    // ---- reading --------------------------------------------------------------------------------

    private static StatefulSet statefulSet() throws IOException {
        return (StatefulSet) load(BASE.resolve("statefulset.yaml"));
    }

    private static PodSpec podSpec() throws IOException {
        return statefulSet().getSpec().getTemplate().getSpec();
    }

    private static Container container() throws IOException {
        return podSpec().getContainers().getFirst();
    }

    private static Map<String, String> env(Container container) {
        var env = new LinkedHashMap<String, String>();
        container.getEnv().stream().filter(e -> e.getValue() != null).forEach(e -> env.put(e.getName(), e.getValue()));
        return env;
    }

    private static String mountPath(Container container, String volume) {
        return container.getVolumeMounts().stream().filter(mount -> mount.getName().equals(volume))
                .map(mount -> mount.getMountPath()).findFirst().orElse("(not mounted)");
    }

    private static String path(Probe probe) {
        return probe.getHttpGet().getPath();
    }

    private static Properties applicationProperties() throws IOException {
        var properties = new Properties();
        try (var in = Files.newBufferedReader(ROOT.resolve("src/main/resources/application.properties"))) {
            properties.load(in);
        }
        return properties;
    }

    private static String match(String text, String regex) {
        var matcher = Pattern.compile(regex).matcher(text);
        assertThat(matcher.find()).as("/%s/ in %n%s", regex, text).isTrue();
        return matcher.group(1);
    }

    private static Map<String, Object> kustomization(Path dir) throws IOException {
        return new Yaml().load(Files.readString(dir.resolve("kustomization.yaml")));
    }

    @SuppressWarnings("unchecked")
    private static List<Path> resources(Path dir) throws IOException {
        return ((List<String>) kustomization(dir).get("resources")).stream().map(dir::resolve).toList();
    }

    private static HasMetadata loadUnchecked(Path file) {
        try {
            return load(file);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** The Secret the kustomization's secretGenerator makes from its env file, as kustomize makes it. */
    @SuppressWarnings("unchecked")
    private static Secret generatedSecret() throws IOException {
        var kustomization = kustomization(BASE);
        var generator = ((List<Map<String, Object>>) kustomization.get("secretGenerator")).getFirst();
        assertThat(((Map<String, Object>) kustomization.get("generatorOptions")))
                .as("a fixed name, which the PodMonitor can refer to").containsEntry("disableNameSuffixHash", true);
        var data = new LinkedHashMap<String, String>();
        for (var envs : (List<String>) generator.get("envs")) {
            for (var line : Files.readAllLines(BASE.resolve(envs), StandardCharsets.UTF_8)) {
                if (!line.isBlank() && !line.startsWith("#")) {
                    var equals = line.indexOf('=');
                    data.put(line.substring(0, equals), line.substring(equals + 1));
                }
            }
        }
        return (Secret) load(STRICT.writeValueAsString(Map.of("apiVersion", "v1", "kind", "Secret", "type", "Opaque",
                "metadata", Map.of("name", generator.get("name")), "data", data)));
    }

    /** {@code kubectl kustomize}: renders the directory offline (no cluster), or skips where kubectl is missing. */
    private static List<HasMetadata> kustomize(Path dir) throws Exception {
        var kubectl = Set.of("/usr/bin/kubectl", "/usr/local/bin/kubectl").stream().map(Path::of)
                .filter(Files::isExecutable).findFirst();
        // In CI nothing skips: the machines CI runs on have kubectl (Google Cloud SDK's), so its absence there is a fault.
        if (System.getenv("CI") != null) {
            assertThat(kubectl).as("kubectl, to render the kustomization (CI is set, so this does not skip)").isPresent();
        }
        Assumptions.assumeTrue(kubectl.isPresent(), "kubectl is not installed: kustomize rendering not checked");
        var errors = Files.createTempFile("kustomize", ".err");
        var process = new ProcessBuilder(kubectl.get().toString(), "kustomize", dir.toString())
                .redirectError(errors.toFile()).start();
        var output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as("kubectl kustomize %s: %s", dir, Files.readString(errors)).isZero();
        Files.delete(errors);
        var rendered = new ArrayList<HasMetadata>();
        for (var document : output.split("(?m)^---$")) {
            JsonNode tree = STRICT.readTree(document);
            if (tree != null && !tree.isEmpty()) {
                rendered.add(load(document));
            }
        }
        return rendered;
    }
}
