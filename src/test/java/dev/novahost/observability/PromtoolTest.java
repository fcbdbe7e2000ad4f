package dev.novahost.observability;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.MatchResult;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * promtool against what we ship: the live exposition, the alert rules and their unit tests, the
 * compose stack's Prometheus configuration, and the Grafana dashboard's queries, whose metric names,
 * and the labels they select or group by, must all be in a live scrape (there is no Grafana here to
 * render them: a misspelt label draws an empty panel without an error).
 */
class PromtoolTest extends LiveHostTest {

    private static final Path PROMETHEUS = Path.of("docker/prometheus");
    private static final Path ALERT_RULES = PROMETHEUS.resolve("alerts.yml");
    private static final Path DASHBOARD = Path.of("docker/grafana/dashboards/nova-host.json");
    private static final Pattern METRIC = Pattern.compile("\\bnova_[a-z_]+");
    private static final Pattern TYPE_LINE = Pattern.compile("^# TYPE (\\S+) (\\S+)$", Pattern.MULTILINE);
    /** A series with label matchers, {@code nova_devices{state="present"}}; and one matcher's label name. */
    private static final Pattern SELECTOR = Pattern.compile("\\b(nova_[a-z_]+)\\{([^}]*)}");
    private static final Pattern MATCHER = Pattern.compile("([a-zA-Z_]\\w*)\\s*(?:=~|!~|!=|=)");
    /** The labels an aggregation keeps or a binary operation matches on: {@code by (kind, outcome)}. */
    private static final Pattern GROUPING = Pattern.compile("\\b(?:by|without|on|ignoring)\\s*\\(([^)]*)\\)");
    private static final Pattern QUOTED = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"");
    /** Added by Prometheus to every series it scrapes, so never in the service's exposition. */
    private static final Set<String> TARGET_LABELS = Set.of("instance", "job");
    /** Grafana's variables, replaced by values PromQL accepts before promtool parses a panel query. */
    private static final Map<String, String> GRAFANA_VARIABLES = Map.of(
            "$__rate_interval", "1m", "$__interval", "1m", "$__range", "1h", "$instance", ".*");

    private Promtool promtool;

    @BeforeEach
    void promtool() {
        promtool = Promtool.installed();
    }

    @Test
    void theExpositionParsesAndOurSeriesPassPromtoolsLint() throws Exception {
        boundGa102();
        var exposition = scrape();

        var all = promtool.runOn(exposition, "check", "metrics");
        // 3 is "parsed, with lint problems": Spring's and Micrometer's own meters have some (no help text,
        // abbreviated units); 1 would be an exposition Prometheus cannot read.
        assertThat(all.exitCode()).as(all.output()).isIn(0, 3);

        var ours = promtool.runOn(novaFamiliesOf(exposition), "check", "metrics");
        assertThat(ours.output()).as("promtool's complaints about nova_ series").isBlank();
        assertThat(ours.exitCode()).isZero();
    }

    @Test
    void theAlertRulesAreValid() throws Exception {
        var run = promtool.run("check", "rules", ALERT_RULES.toString());
        assertThat(run.exitCode()).as(run.output()).isZero();
    }

    @Test
    void theAlertRulesPassTheirUnitTests() throws Exception {
        var run = promtool.run("test", "rules", PROMETHEUS.resolve("alerts_test.yml").toString());
        assertThat(run.exitCode()).as(run.output()).isZero();
    }

    @Test
    void theComposeStacksPrometheusConfigurationIsValid() throws Exception {
        var run = promtool.run("check", "config", PROMETHEUS.resolve("prometheus.yml").toString());
        assertThat(run.exitCode()).as(run.output()).isZero();
    }

    @Test
    void everyDashboardQueryIsValidPromQl(@TempDir Path folder) throws Exception {
        // promtool parses expressions in rule files, so each panel query becomes a recording rule.
        var rules = new StringBuilder("groups:\n  - name: dashboard\n    rules:\n");
        var queries = dashboardQueries();
        for (int i = 0; i < queries.size(); i++) {
            var expr = queries.get(i);
            for (var variable : GRAFANA_VARIABLES.entrySet()) {
                expr = expr.replace(variable.getKey(), variable.getValue());
            }
            rules.append("      - record: dashboard_query_").append(i).append('\n')
                    .append("        expr: '").append(expr.replace("'", "''")).append("'\n");
        }
        var file = Files.writeString(folder.resolve("dashboard-queries.yml"), rules);

        var run = promtool.run("check", "rules", file.toString());
        assertThat(run.exitCode()).as("%s%n%s", run.output(), rules).isZero();
    }

    @Test
    void everyMetricTheAlertsAndTheDashboardUseIsInALiveScrape() throws Exception {
        boundGa102();
        var families = familiesOf(scrape());

        assertThat(metricsIn(alertExpressions(), families)).as("metrics named in %s", ALERT_RULES)
                .isNotEmpty().isSubsetOf(families.keySet());
        var dashboardMetrics = metricsIn(dashboardQueriesAndVariables(), families);
        assertThat(dashboardMetrics).as("metrics named in %s", DASHBOARD).isSubsetOf(families.keySet());
        assertThat(dashboardMetrics).as("every nova_ series has a panel in %s", DASHBOARD)
                .containsAll(families.keySet().stream()
                        .filter(name -> name.startsWith("nova_") && !isHistogramMax(name, families)).toList());
    }

    @Test
    void everyLabelTheAlertsAndTheDashboardSelectOrGroupByIsOnTheirSeries() throws Exception {
        boundGa102();
        var labels = labelsBySeries(scrape());

        var expressions = new ArrayList<>(alertExpressions());
        expressions.addAll(dashboardQueries());
        for (var expr : expressions) {
            var named = new TreeSet<String>();
            for (var selector : SELECTOR.matcher(expr).results().toList()) {
                var series = selector.group(1);
                named.add(series);
                var selected = labelNames(MATCHER, QUOTED.matcher(selector.group(2)).replaceAll(""));
                assertThat(labels.getOrDefault(series, Set.of())).as("labels of %s, selected in %s", series, expr)
                        .containsAll(selected);
            }
            METRIC.matcher(expr).results().map(MatchResult::group).forEach(named::add);
            var onSeries = named.stream().flatMap(series -> labels.getOrDefault(series, Set.of()).stream()).collect(Collectors.toSet());
            assertThat(onSeries).as("labels of %s, grouped by in %s", named, expr).containsAll(labelNames(GROUPING, expr));
        }
    }

    /** The label names {@code pattern} finds (its group 1, a comma-separated list or one name), less the target's. */
    private static Set<String> labelNames(Pattern pattern, String text) {
        return pattern.matcher(text).results()
                .flatMap(match -> Arrays.stream(match.group(1).split(",")))
                .map(String::strip).filter(name -> !name.isEmpty() && !TARGET_LABELS.contains(name))
                .collect(Collectors.toCollection(TreeSet::new));
    }

    /** Series name to the label names it has in the exposition, e.g. nova_devices to [state]. */
    private static Map<String, Set<String>> labelsBySeries(String exposition) {
        var labels = new TreeMap<String, Set<String>>();
        for (var line : exposition.lines().filter(line -> !line.isBlank() && !line.startsWith("#")).toList()) {
            var brace = line.indexOf('{');
            var name = brace < 0 ? line.substring(0, line.indexOf(' ')) : line.substring(0, brace);
            var names = labels.computeIfAbsent(name, series -> new TreeSet<>());
            if (brace >= 0) {
                var pairs = QUOTED.matcher(line.substring(brace + 1, line.lastIndexOf('}'))).replaceAll("");
                Arrays.stream(pairs.split(",")).map(pair -> pair.replace("=", "").strip())
                        .filter(label -> !label.isEmpty()).forEach(names::add);
            }
        }
        return labels;
    }

    /** Metric names in PromQL expressions; a histogram's _bucket, _count and _sum series name the histogram. */
    private static Set<String> metricsIn(List<String> expressions, Map<String, String> families) {
        var names = new TreeSet<String>();
        for (var expr : expressions) {
            METRIC.matcher(expr).results().map(match -> histogramOf(match.group(), families)).forEach(names::add);
        }
        return names;
    }

    /** Micrometer's {@code _max} gauge next to each histogram: a by-product, not a series of ours to chart. */
    private static boolean isHistogramMax(String name, Map<String, String> families) {
        return name.endsWith("_max") && "histogram".equals(families.get(name.substring(0, name.length() - 4)));
    }

    private static String histogramOf(String series, Map<String, String> families) {
        for (var suffix : List.of("_bucket", "_count", "_sum")) {
            var base = series.substring(0, Math.max(0, series.length() - suffix.length()));
            if (series.endsWith(suffix) && "histogram".equals(families.get(base))) {
                return base;
            }
        }
        return series;
    }

    /** Family name to type, from the exposition's {@code # TYPE} lines. */
    private static Map<String, String> familiesOf(String exposition) {
        return TYPE_LINE.matcher(exposition).results()
                .collect(Collectors.toMap(m -> m.group(1), m -> m.group(2), (a, b) -> a));
    }

    /** The exposition cut down to the nova_ families, their HELP and TYPE lines included. */
    private static String novaFamiliesOf(String exposition) {
        return exposition.lines()
                .filter(line -> line.startsWith("nova_") || line.startsWith("# HELP nova_") || line.startsWith("# TYPE nova_"))
                .collect(Collectors.joining("\n", "", "\n"));
    }

    @SuppressWarnings("unchecked")
    private static List<String> alertExpressions() throws Exception {
        Map<String, Object> file = new Yaml().load(Files.readString(ALERT_RULES));
        var expressions = new ArrayList<String>();
        for (var group : (List<Map<String, Object>>) file.get("groups")) {
            for (var rule : (List<Map<String, Object>>) group.get("rules")) {
                expressions.add(String.valueOf(rule.get("expr")));
            }
        }
        return expressions;
    }

    private static List<String> dashboardQueries() throws Exception {
        return dashboard().findValues("expr").stream().map(JsonNode::asString).toList();
    }

    private static List<String> dashboardQueriesAndVariables() throws Exception {
        var texts = new ArrayList<>(dashboardQueries());
        dashboard().path("templating").path("list").forEach(variable -> texts.add(variable.path("query").asString()));
        return texts;
    }

    private static JsonNode dashboard() throws Exception {
        return JsonMapper.builder().build().readTree(Files.readString(DASHBOARD));
    }
}
