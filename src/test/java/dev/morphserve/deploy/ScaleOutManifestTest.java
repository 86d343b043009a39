package dev.morphserve.deploy;

import static dev.morphserve.deploy.K8sManifests.GIE_VERSION;
import static dev.morphserve.deploy.K8sManifests.METRICS_SOURCES;
import static dev.morphserve.deploy.K8sManifests.POOL_GROUP;
import static dev.morphserve.deploy.K8sManifests.REFUSED_EPP_FLAGS;
import static dev.morphserve.deploy.K8sManifests.ROUTING_GAUGES;
import static dev.morphserve.deploy.K8sManifests.SERVER;
import static dev.morphserve.deploy.K8sManifests.argValue;
import static dev.morphserve.deploy.K8sManifests.assertSelects;
import static dev.morphserve.deploy.K8sManifests.env;
import static dev.morphserve.deploy.K8sManifests.list;
import static dev.morphserve.deploy.K8sManifests.manifests;
import static dev.morphserve.deploy.K8sManifests.map;
import static dev.morphserve.deploy.K8sManifests.nameOfType;
import static dev.morphserve.deploy.K8sManifests.one;
import static dev.morphserve.deploy.K8sManifests.pickerConfig;
import static dev.morphserve.deploy.K8sManifests.pluginOfType;
import static dev.morphserve.deploy.K8sManifests.pool;
import static dev.morphserve.deploy.K8sManifests.quarkusDuration;
import static dev.morphserve.deploy.K8sManifests.registeredMetrics;
import static dev.morphserve.deploy.K8sManifests.resolvePort;
import static dev.morphserve.deploy.K8sManifests.server;
import static dev.morphserve.deploy.K8sManifests.yaml;
import static org.assertj.core.api.Assertions.assertThat;

import dev.morphserve.deploy.K8sManifests.MetricKind;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.MetricSpec;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPBackendRef;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.rbac.Role;
import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * How requests and load reach more than one server pod: the autoscaler scales the server on a
 * metric the prometheus-adapter serves, the InferencePool points at the endpoint picker, the picker
 * reads our queue and KV metrics, and the gateway routes to the pool. The metric names on both ends
 * are checked against the metrics the server registers, so a rename in the code that would break
 * routing and scaling fails here. Nothing here talks to a cluster.
 */
class ScaleOutManifestTest {
    @BeforeAll
    static void parseAll() {
        manifests();
    }

    // ---------------------------------------------------------------- autoscaling

    @Test
    void theAutoscalerScalesTheServerOnAMetricTheAdapterServes() throws IOException {
        HorizontalPodAutoscaler hpa = one(HorizontalPodAutoscaler.class, SERVER);
        assertThat(hpa.getSpec().getScaleTargetRef().getKind()).isEqualTo("Deployment");
        assertThat(hpa.getSpec().getScaleTargetRef().getName()).isEqualTo(server().getMetadata().getName());
        assertThat(server().getSpec().getReplicas()).as("Deployment replicas: a re-apply would reset the autoscaler's count").isNull();
        assertThat(hpa.getSpec().getBehavior().getScaleDown().getStabilizationWindowSeconds())
                .as("scale-down stabilization window").isGreaterThanOrEqualTo(300);

        List<MetricSpec> metrics = hpa.getSpec().getMetrics();
        assertThat(metrics).isNotEmpty().allSatisfy(m -> assertThat(m.getType()).isEqualTo("Pods"));
        Map<String, String> exposed = adapterExposedMetrics();
        Map<String, MetricKind> ours = registeredMetrics();
        for (MetricSpec metric : metrics) {
            String name = metric.getPods().getMetric().getName();
            assertThat(exposed).as("adapter rules exposing %s", name).containsKey(name);
            String series = exposed.get(name);
            assertThat(ours).as("metrics the server registers").containsEntry(series, MetricKind.GAUGE);
            assertThat(metric.getPods().getTarget().getType()).isEqualTo("AverageValue");
        }
    }

    /** Exposed custom-metric name to the series behind it, for each rule that maps namespace and pod. */
    private static Map<String, String> adapterExposedMetrics() throws IOException {
        ConfigMap config = one(ConfigMap.class, "adapter-config");
        Map<String, Object> adapter = yaml(config.getData().get("config.yaml"));
        List<Map<String, Object>> rules = list(adapter.get("rules"));
        assertThat(rules).as("adapter rules").isNotEmpty();
        Map<String, String> exposed = new LinkedHashMap<>();
        for (Map<String, Object> rule : rules) {
            String seriesQuery = (String) rule.get("seriesQuery");
            Matcher m = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)\\{(.*)}$").matcher(seriesQuery.strip());
            assertThat(m.matches()).as("seriesQuery %s names one series", seriesQuery).isTrue();
            assertThat(m.group(2)).contains("namespace!=\"\"").contains("pod!=\"\"");
            String series = m.group(1);
            Map<String, Object> overrides = map(map(rule.get("resources")).get("overrides"));
            assertThat(map(overrides.get("namespace"))).containsEntry("resource", "namespace");
            assertThat(map(overrides.get("pod"))).containsEntry("resource", "pod");
            assertThat((String) rule.get("metricsQuery")).contains("<<.Series>>").contains("<<.LabelMatchers>>").contains("<<.GroupBy>>");
            String name = series;
            if (rule.get("name") != null) {
                Map<String, Object> naming = map(rule.get("name"));
                Matcher nm = Pattern.compile((String) naming.get("matches")).matcher(series);
                assertThat(nm.find()).as("name.matches %s fits %s", naming.get("matches"), series).isTrue();
                String as = naming.get("as") == null ? "${0}" : (String) naming.get("as");
                name = nm.replaceFirst(as.replaceAll("\\$\\{(\\d+)}", "\\$$1"));
            }
            exposed.put(name, series);
        }
        return exposed;
    }

    // ---------------------------------------------------------------- inference pool and picker

    @Test
    void thePoolPointsAtThePickerService() {
        GenericKubernetesResource pool = pool();
        String eppName = pool.get("spec", "endpointPickerRef", "name");
        Integer eppPort = pool.get("spec", "endpointPickerRef", "port", "number");
        Service eppService = one(Service.class, eppName);
        assertThat(eppService.getSpec().getPorts()).as("ports of Service %s", eppName)
                .anySatisfy(p -> assertThat(p.getPort()).isEqualTo(eppPort));
        Deployment epp = one(Deployment.class, eppName);
        assertSelects(eppService.getSpec().getSelector(), epp.getSpec().getTemplate().getMetadata().getLabels(), "picker Service selector");
        Container picker = epp.getSpec().getTemplate().getSpec().getContainers().getFirst();
        var servicePort = eppService.getSpec().getPorts().stream().filter(p -> p.getPort().equals(eppPort)).findFirst().orElseThrow();
        int grpc = servicePort.getTargetPort() == null ? eppPort : resolvePort(picker, servicePort.getTargetPort());
        assertThat(grpc).as("the picker's ext-proc port").isEqualTo(9002);
        assertThat(picker.getImage()).isEqualTo("registry.k8s.io/gateway-api-inference-extension/epp:" + GIE_VERSION);
        assertThat(argValue(picker.getArgs(), "--pool-name")).isEqualTo(pool.getMetadata().getName());
        assertThat(argValue(picker.getArgs(), "--pool-group")).isEqualTo(POOL_GROUP);
        assertThat(picker.getArgs()).as("metric-name flags (GIE %s refuses them)", GIE_VERSION)
                .noneMatch(a -> REFUSED_EPP_FLAGS.stream().anyMatch(a::startsWith));
        assertThat(env(picker, "NAMESPACE")).as("--pool-namespace comes from NAMESPACE").isPresent();
        String serviceAccount = epp.getSpec().getTemplate().getSpec().getServiceAccountName();
        Role role = one(Role.class, serviceAccount);
        assertThat(role.getRules()).anySatisfy(r -> assertThat(r.getResources()).contains("pods"))
                .anySatisfy(r -> assertThat(r.getResources()).contains("inferencepools"));
    }

    @Test
    void thePickerReadsOurQueueAndKvMetrics() throws IOException {
        Map<String, Object> config = pickerConfig();
        assertThat(config.get("kind")).isEqualTo("EndpointPickerConfig");
        Map<String, Map<String, Object>> plugins = new LinkedHashMap<>();
        for (Map<String, Object> plugin : list(config.get("plugins"))) {
            String name = plugin.get("name") != null ? (String) plugin.get("name") : (String) plugin.get("type");
            plugins.put(name, plugin);
        }
        Map<String, Object> source = pluginOfType(plugins, "metrics-data-source");
        assertThat(map(source.get("parameters"))).as("where the picker scrapes").containsEntry("path", "/q/metrics");

        Map<String, Object> extractor = map(pluginOfType(plugins, "core-metrics-extractor").get("parameters"));
        String engine = (String) extractor.get("defaultEngine");
        Map<String, Object> ours = list(extractor.get("engineConfigs")).stream()
                .filter(e -> engine.equals(e.get("name"))).findFirst().orElseThrow(() -> new AssertionError("no engineConfig " + engine));
        String labelKey = extractor.get("engineLabelKey") != null ? (String) extractor.get("engineLabelKey") : "inference.networking.k8s.io/engine-type";
        assertThat(server().getSpec().getTemplate().getMetadata().getLabels()).containsEntry(labelKey, engine);

        Map<String, MetricKind> registered = registeredMetrics();
        for (String spec : List.of("queuedRequestsSpec", "runningRequestsSpec", "kvUsageSpec")) {
            String metric = (String) ours.get(spec);
            assertThat(metric).as(spec).isIn(ROUTING_GAUGES);
            assertThat(registered).as("%s names a gauge the server registers", spec).containsEntry(metric, MetricKind.GAUGE);
        }
        assertThat(ours.get("loraSpec")).as("no LoRA metric: off").isEqualTo("");
        assertThat(ours.get("cacheInfoSpec")).as("no vLLM-style cache_config_info: off").isEqualTo("");

        // The data layer feeds the extractor, and the default profile scores by queue and KV usage.
        List<Map<String, Object>> sources = list(map(config.get("data")).get("sources"));
        assertThat(sources).anySatisfy(s -> {
            assertThat(s.get("pluginRef")).isEqualTo(nameOfType(plugins, "metrics-data-source"));
            assertThat(list(s.get("extractors"))).anySatisfy(e -> assertThat(e.get("pluginRef")).isEqualTo(nameOfType(plugins, "core-metrics-extractor")));
        });
        List<String> profileRefs = list(config.get("schedulingProfiles")).stream()
                .flatMap(p -> list(p.get("plugins")).stream()).map(p -> (String) p.get("pluginRef")).toList();
        assertThat(plugins.keySet()).as("plugins the profiles refer to").containsAll(profileRefs);
        assertThat(profileRefs).contains(nameOfType(plugins, "queue-scorer"), nameOfType(plugins, "kv-cache-utilization-scorer"));
    }

    // ---------------------------------------------------------------- the gateway

    @Test
    void theGatewayRoutesToThePool() {
        HTTPRoute route = one(HTTPRoute.class, SERVER);
        String gatewayName = route.getSpec().getParentRefs().getFirst().getName();
        Gateway gateway = one(Gateway.class, gatewayName);
        assertThat(gateway.getSpec().getGatewayClassName()).isNotBlank();
        List<HTTPBackendRef> backends = route.getSpec().getRules().stream().flatMap(r -> r.getBackendRefs().stream()).toList();
        assertThat(backends).isNotEmpty().allSatisfy(b -> {
            assertThat(b.getGroup()).isEqualTo(POOL_GROUP);
            assertThat(b.getKind()).isEqualTo("InferencePool");
            assertThat(b.getName()).isEqualTo(pool().getMetadata().getName());
        });
        assertThat(route.getSpec().getRules()).allSatisfy(r -> assertThat(quarkusDuration(r.getTimeouts().getRequest()))
                .as("route timeout: long generations stream for minutes").isGreaterThanOrEqualTo(Duration.ofMinutes(5)));
    }

    // ---------------------------------------------------------------- the server's metric names

    /** The ones ROUTING_GAUGES lists are still gauges in the code (a rename there breaks routing and scaling). */
    @Test
    void theRoutingGaugesAreRegisteredByTheServer() throws IOException {
        Map<String, MetricKind> registered = registeredMetrics();
        assertThat(registered).as("metric names scanned from %s", METRICS_SOURCES).hasSizeGreaterThan(10);
        for (String gauge : ROUTING_GAUGES) {
            assertThat(registered).containsEntry(gauge, MetricKind.GAUGE);
        }
        assertThat(registered).containsEntry("morphserve_time_to_first_token_seconds", MetricKind.TIMER);
    }
}
