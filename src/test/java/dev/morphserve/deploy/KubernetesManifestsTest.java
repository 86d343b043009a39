package dev.morphserve.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.KubernetesList;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.MetricSpec;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPBackendRef;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * Parses every manifest in {@code docker/k8s} into fabric8's typed Kubernetes model (CRDs such as
 * the InferencePool as generic resources) and checks that the pieces fit: ports, probes, labels,
 * drain timing, the autoscaler's metric and the endpoint picker's metric names against the metrics
 * the server registers. Nothing here talks to a cluster.
 */
class KubernetesManifestsTest {
    private static final Path K8S = Path.of("docker/k8s");
    private static final Path METRICS_SOURCES = Path.of("src/main/java/dev/morphserve/metrics");
    private static final String SERVER = "morphserve";
    private static final String POOL_GROUP = "inference.networking.k8s.io";
    /** The GIE release the InferencePool, the picker's image and its configuration follow. */
    private static final String GIE_VERSION = "v1.5.0";
    /** Gauges the endpoint picker and the autoscaler read; the source scan must find each of them. */
    private static final Set<String> ROUTING_GAUGES = Set.of(
            "morphserve_num_requests_waiting", "morphserve_num_requests_running", "morphserve_kv_cache_usage_perc");
    /** After the grace period: failing the leftovers (up to 5 s) and flushing them (0.5 s), see ShutdownDrain. */
    private static final Duration DRAIN_TAIL = Duration.ofMillis(5_500);
    /** Time for the JVM and Quarkus to stop once the drain is over. */
    private static final Duration EXIT_MARGIN = Duration.ofSeconds(5);
    /** The picker's metric-name flags: GIE v1.4 deprecated them and v1.5 refuses to start with them. */
    private static final List<String> REFUSED_EPP_FLAGS = List.of("--total-queued-requests-metric",
            "--total-running-requests-metric", "--kv-cache-usage-percentage-metric", "--lora-info-metric", "--cache-info-metric");

    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();
    private static final YAMLMapper YAML = new YAMLMapper();
    /** Objects of each manifest file, by file name (kustomization.yaml aside). */
    private static Map<String, List<HasMetadata>> manifests;

    @BeforeAll
    static void parseAll() throws IOException {
        manifests = new TreeMap<>();
        for (Path file : manifestFiles()) {
            manifests.put(file.getFileName().toString(), parse(file));
        }
    }

    static List<HasMetadata> parse(Path file) throws IOException {
        Object parsed;
        try {
            parsed = SERIALIZATION.unmarshal(Files.readString(file));
        } catch (RuntimeException e) {
            throw new AssertionError(file + " does not parse: " + e.getMessage(), e);
        }
        List<HasMetadata> objects = new ArrayList<>();
        switch (parsed) {
            case KubernetesList list -> objects.addAll(list.getItems());
            case List<?> list -> list.forEach(o -> objects.add((HasMetadata) o));
            case HasMetadata one -> objects.add(one);
            case null -> { }
            default -> fail("%s: not a Kubernetes object but %s", file, parsed.getClass().getName());
        }
        return objects;
    }

    private static List<Path> manifestFiles() throws IOException {
        try (Stream<Path> files = Files.list(K8S)) {
            return files.filter(f -> f.toString().endsWith(".yaml") || f.toString().endsWith(".yml"))
                    .filter(f -> !f.getFileName().toString().equals("kustomization.yaml"))
                    .sorted()
                    .toList();
        }
    }

    // ---------------------------------------------------------------- every file

    @Test
    void everyManifestParsesIntoNamedObjects() {
        assertThat(manifests).as("manifests in %s", K8S).isNotEmpty();
        manifests.forEach((file, objects) -> {
            assertThat(objects).as("%s holds no object", file).isNotEmpty();
            for (HasMetadata object : objects) {
                assertThat(object.getApiVersion()).as("%s: apiVersion of %s", file, object).isNotBlank();
                assertThat(object.getKind()).as("%s: kind of %s", file, object).isNotBlank();
                assertThat(object.getMetadata()).as("%s: metadata of a %s", file, object.getKind()).isNotNull();
                assertThat(object.getMetadata().getName()).as("%s: name of a %s", file, object.getKind()).isNotBlank();
            }
        });
    }

    /** A misspelt field (readinesProbe) parses fine but lands in additionalProperties: none may. */
    @Test
    void typedObjectsHaveNoUnknownFields() {
        manifests.forEach((file, objects) -> {
            for (HasMetadata object : objects) {
                if (object instanceof GenericKubernetesResource) {
                    continue;
                }
                List<String> unknown = new ArrayList<>();
                unknownFields(object, object.getKind() + "/" + object.getMetadata().getName(), unknown);
                assertThat(unknown).as("%s: fields the %s model does not know", file, object.getKind()).isEmpty();
            }
        });
    }

    /**
     * Objects take the namespace of `kubectl apply -k`'s context; only the adapter's rules live in
     * the adapter's namespace (which is also why the kustomization must not set one).
     */
    @Test
    void onlyTheAdapterConfigNamesANamespace() {
        List<String> namespaced = all().filter(o -> o.getMetadata().getNamespace() != null)
                .map(o -> o.getKind() + "/" + o.getMetadata().getName() + " in " + o.getMetadata().getNamespace()).toList();
        assertThat(namespaced).containsExactly("ConfigMap/adapter-config in monitoring");
    }

    @Test
    void onlyTheCustomResourcesAreGeneric() {
        Set<String> generic = new TreeSet<>();
        all().filter(GenericKubernetesResource.class::isInstance).forEach(o -> generic.add(o.getApiVersion() + " " + o.getKind()));
        assertThat(generic).containsExactly(POOL_GROUP + "/v1 InferencePool");
    }

    @Test
    void kustomizationListsEveryManifest() throws IOException {
        Map<String, Object> kustomization = yaml(Files.readString(K8S.resolve("kustomization.yaml")));
        assertThat(kustomization.get("kind")).isEqualTo("Kustomization");
        assertThat(kustomization).as("a namespace there would move the adapter's ConfigMap out of its namespace")
                .doesNotContainKey("namespace");
        @SuppressWarnings("unchecked")
        List<String> resources = (List<String>) kustomization.get("resources");
        assertThat(resources).as("kustomization.yaml resources").containsExactlyInAnyOrderElementsOf(manifests.keySet());
    }

    // ---------------------------------------------------------------- the server pods

    @Test
    void probesHitTheHealthEndpointsOnTheContainerPort() {
        Container server = serverContainer();
        assertThat(httpProbe(server, server.getLivenessProbe(), "liveness")).isEqualTo("/q/health/live");
        assertThat(httpProbe(server, server.getReadinessProbe(), "readiness")).isEqualTo("/q/health/ready");
        assertThat(server.getStartupProbe()).as("startup probe: loading a model outlasts the liveness probe's patience").isNotNull();
        httpProbe(server, server.getStartupProbe(), "startup");
        Probe startup = server.getStartupProbe();
        assertThat(startup.getPeriodSeconds() * startup.getFailureThreshold())
                .as("seconds the startup probe waits for the model to load").isGreaterThanOrEqualTo(300);
    }

    @Test
    void theServerListensWhereTheContainerPortSays() {
        Container server = serverContainer();
        List<String> args = server.getArgs();
        assertThat(args).as("server args").startsWith("serve");
        assertThat(argValue(args, "--port")).isEqualTo(String.valueOf(serverPort()));
        assertThat(argValue(args, "--host")).as("the default host is loopback, unreachable from the pod network").isEqualTo("0.0.0.0");
    }

    @Test
    void serviceAndPoolTargetTheContainerPortAndSelectThePods() {
        Map<String, String> podLabels = server().getSpec().getTemplate().getMetadata().getLabels();
        assertSelects(server().getSpec().getSelector().getMatchLabels(), podLabels, "Deployment selector");

        Service service = one(Service.class, SERVER);
        assertSelects(service.getSpec().getSelector(), podLabels, "Service selector");
        assertThat(service.getSpec().getPorts()).isNotEmpty().allSatisfy(port ->
                assertThat(resolvePort(serverContainer(), port.getTargetPort())).as("Service targetPort").isEqualTo(serverPort()));

        GenericKubernetesResource pool = pool();
        Map<String, String> poolSelector = pool.get("spec", "selector", "matchLabels");
        assertSelects(poolSelector, podLabels, "InferencePool selector");
        List<Map<String, Object>> targetPorts = pool.get("spec", "targetPorts");
        assertThat(targetPorts).as("InferencePool targetPorts").isNotEmpty()
                .allSatisfy(p -> assertThat(p.get("number")).isEqualTo(serverPort()));
    }

    @Test
    void evictionsTakeOnePodAtATime() {
        PodDisruptionBudget pdb = one(PodDisruptionBudget.class, SERVER);
        assertSelects(pdb.getSpec().getSelector().getMatchLabels(), server().getSpec().getTemplate().getMetadata().getLabels(), "PodDisruptionBudget selector");
        assertThat(pdb.getSpec().getMaxUnavailable().getIntVal()).isEqualTo(1);
    }

    @Test
    void eachPodGetsOneGpu() {
        Map<String, Quantity> limits = serverContainer().getResources().getLimits();
        assertThat(limits).as("limits").containsKey("nvidia.com/gpu");
        assertThat(limits.get("nvidia.com/gpu").getAmount()).isEqualTo("1");
        assertThat(argValue(serverContainer().getArgs(), "--backend")).as("no silent fall-back to the CPU").isEqualTo("CUDA");
    }

    @Test
    void theKubeletWaitsForTheWholeDrain() {
        PodSpec pod = server().getSpec().getTemplate().getSpec();
        Container server = serverContainer();
        var preStop = server.getLifecycle().getPreStop();
        long preStopSeconds = preStop.getSleep() != null ? preStop.getSleep().getSeconds() : execSleepSeconds(preStop.getExec().getCommand());
        assertThat(preStopSeconds).as("preStop sleep: endpoints go before the drain starts").isGreaterThanOrEqualTo(5);

        Duration grace = env(server, "MORPHSERVE_SHUTDOWN_GRACE").map(KubernetesManifestsTest::quarkusDuration).orElse(Duration.ofSeconds(30));
        Duration needed = Duration.ofSeconds(preStopSeconds).plus(grace).plus(DRAIN_TAIL).plus(EXIT_MARGIN);
        assertThat(Duration.ofSeconds(pod.getTerminationGracePeriodSeconds()))
                .as("terminationGracePeriodSeconds vs preStop %d s + grace %s + drain tail + exit", preStopSeconds, grace)
                .isGreaterThanOrEqualTo(needed);

        Deployment epp = one(Deployment.class, SERVER + "-epp");
        assertThat(epp.getSpec().getTemplate().getSpec().getTerminationGracePeriodSeconds())
                .as("the picker outlives the pods it routes to").isGreaterThanOrEqualTo(pod.getTerminationGracePeriodSeconds());
    }

    @Test
    void podsRunAsTheImageUserWithAWritableTmp() {
        PodSpec pod = server().getSpec().getTemplate().getSpec();
        assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(pod.getSecurityContext().getRunAsUser()).isEqualTo(10001L);
        Container server = serverContainer();
        assertThat(server.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
        assertThat(server.getVolumeMounts()).anySatisfy(m -> assertThat(m.getMountPath()).isEqualTo("/tmp"));
        String model = argValue(server.getArgs(), "--model");
        assertThat(server.getVolumeMounts()).as("a volume holds %s", model)
                .anySatisfy(m -> assertThat(model).startsWith(m.getMountPath() + "/"));
        Map<String, String> annotations = server().getSpec().getTemplate().getMetadata().getAnnotations();
        assertThat(annotations).containsEntry("prometheus.io/path", "/q/metrics")
                .containsEntry("prometheus.io/port", String.valueOf(serverPort()));
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

    private static Map<String, Object> pickerConfig() throws IOException {
        Deployment epp = one(Deployment.class, (String) pool().get("spec", "endpointPickerRef", "name"));
        Container picker = epp.getSpec().getTemplate().getSpec().getContainers().getFirst();
        String file = argValue(picker.getArgs(), "--config-file");
        var mount = picker.getVolumeMounts().stream().filter(m -> file.startsWith(m.getMountPath() + "/")).findFirst()
                .orElseThrow(() -> new AssertionError("no volume mount holds " + file));
        var volume = epp.getSpec().getTemplate().getSpec().getVolumes().stream().filter(v -> v.getName().equals(mount.getName()))
                .findFirst().orElseThrow();
        ConfigMap configMap = one(ConfigMap.class, volume.getConfigMap().getName());
        String key = file.substring(mount.getMountPath().length() + 1);
        assertThat(configMap.getData()).as("ConfigMap %s", configMap.getMetadata().getName()).containsKey(key);
        return yaml(configMap.getData().get(key));
    }

    private static Map<String, Object> pluginOfType(Map<String, Map<String, Object>> plugins, String type) {
        return plugins.values().stream().filter(p -> type.equals(p.get("type"))).findFirst()
                .orElseThrow(() -> new AssertionError("no plugin of type " + type));
    }

    private static String nameOfType(Map<String, Map<String, Object>> plugins, String type) {
        return plugins.entrySet().stream().filter(e -> type.equals(e.getValue().get("type"))).map(Map.Entry::getKey).findFirst()
                .orElseThrow(() -> new AssertionError("no plugin of type " + type));
    }

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

    enum MetricKind { GAUGE, COUNTER, TIMER }

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

    /**
     * Metric names as Prometheus shows them, scanned from the literals in the metrics package: dots
     * become underscores, counters gain _total and timers _seconds (their _bucket/_count/_sum
     * series are not listed).
     */
    static Map<String, MetricKind> registeredMetrics() throws IOException {
        Pattern builder = Pattern.compile("\\b(Gauge|FunctionCounter|Counter|Timer)\\s*\\.builder\\(\\s*\"([^\"]+)\"");
        Pattern helper = Pattern.compile("\\b(timer|counter|count)\\(\\s*\"([^\"]+)\"");
        Map<String, MetricKind> names = new TreeMap<>();
        try (Stream<Path> files = Files.list(METRICS_SOURCES)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                String source = Files.readString(file);
                for (Matcher m = builder.matcher(source); m.find(); ) {
                    MetricKind kind = switch (m.group(1)) {
                        case "Gauge" -> MetricKind.GAUGE;
                        case "Timer" -> MetricKind.TIMER;
                        default -> MetricKind.COUNTER;
                    };
                    names.put(prometheusName(m.group(2), kind), kind);
                }
                for (Matcher m = helper.matcher(source); m.find(); ) {
                    MetricKind kind = m.group(1).equals("timer") ? MetricKind.TIMER : MetricKind.COUNTER;
                    names.put(prometheusName(m.group(2), kind), kind);
                }
            }
        }
        return names;
    }

    private static String prometheusName(String name, MetricKind kind) {
        String base = name.replace('.', '_');
        return switch (kind) {
            case GAUGE -> base;
            case COUNTER -> base.endsWith("_total") ? base : base + "_total";
            case TIMER -> base + "_seconds";
        };
    }

    // ---------------------------------------------------------------- helpers

    private static Stream<HasMetadata> all() {
        return manifests.values().stream().flatMap(Collection::stream);
    }

    private static <T extends HasMetadata> T one(Class<T> type, String name) {
        List<T> found = all().filter(type::isInstance).map(type::cast).filter(o -> name.equals(o.getMetadata().getName())).toList();
        assertThat(found).as("%s %s in %s", type.getSimpleName(), name, K8S).hasSize(1);
        return found.getFirst();
    }

    private static Deployment server() {
        return one(Deployment.class, SERVER);
    }

    private static Container serverContainer() {
        List<Container> containers = server().getSpec().getTemplate().getSpec().getContainers();
        assertThat(containers).hasSize(1);
        return containers.getFirst();
    }

    private static int serverPort() {
        List<ContainerPort> ports = serverContainer().getPorts();
        assertThat(ports).as("server container ports").hasSize(1);
        return ports.getFirst().getContainerPort();
    }

    private static GenericKubernetesResource pool() {
        List<GenericKubernetesResource> pools = all().filter(GenericKubernetesResource.class::isInstance)
                .map(GenericKubernetesResource.class::cast).filter(o -> o.getKind().equals("InferencePool")).toList();
        assertThat(pools).as("InferencePools").hasSize(1);
        assertThat(pools.getFirst().getApiVersion()).isEqualTo(POOL_GROUP + "/v1");
        return pools.getFirst();
    }

    private static void assertSelects(Map<String, String> selector, Map<String, String> podLabels, String what) {
        assertThat(selector).as(what).isNotEmpty();
        assertThat(podLabels).as("pod labels %s must select", what).containsAllEntriesOf(selector);
    }

    /** A port given by number or by the container's port name, as a number. */
    private static int resolvePort(Container container, IntOrString port) {
        assertThat(port).as("port").isNotNull();
        if (port.getIntVal() != null) {
            return port.getIntVal();
        }
        return container.getPorts().stream().filter(p -> port.getStrVal().equals(p.getName())).findFirst()
                .orElseThrow(() -> new AssertionError("no container port named " + port.getStrVal())).getContainerPort();
    }

    private static String httpProbe(Container container, Probe probe, String what) {
        assertThat(probe).as("%s probe", what).isNotNull();
        assertThat(probe.getHttpGet()).as("%s probe is an HTTP GET", what).isNotNull();
        assertThat(resolvePort(container, probe.getHttpGet().getPort())).as("%s probe port", what).isEqualTo(serverPort());
        return probe.getHttpGet().getPath();
    }

    private static String argValue(List<String> args, String flag) {
        for (int i = 0; i < args.size(); i++) {
            if (args.get(i).equals(flag) && i + 1 < args.size()) {
                return args.get(i + 1);
            }
            if (args.get(i).startsWith(flag + "=")) {
                return args.get(i).substring(flag.length() + 1);
            }
        }
        throw new AssertionError("no " + flag + " in " + args);
    }

    private static java.util.Optional<String> env(Container container, String name) {
        return container.getEnv() == null ? java.util.Optional.empty()
                : container.getEnv().stream().filter(e -> e.getName().equals(name)).findFirst()
                        .map(e -> e.getValue() != null ? e.getValue() : "(from " + e.getValueFrom() + ")");
    }

    private static long execSleepSeconds(List<String> command) {
        assertThat(command).as("preStop exec").hasSize(2).first().isEqualTo("sleep");
        return Long.parseLong(command.get(1));
    }

    /** A duration as Quarkus reads it (30s, 500ms, 2m, or ISO-8601 PT30S); also Gateway API's 600s. */
    static Duration quarkusDuration(String text) {
        Matcher m = Pattern.compile("(\\d+)(ms|s|m|h)").matcher(text.strip());
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            return switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                default -> Duration.ofHours(n);
            };
        }
        if (text.strip().matches("\\d+")) {
            return Duration.ofSeconds(Long.parseLong(text.strip()));
        }
        return Duration.parse(text.strip());
    }

    private static Map<String, Object> yaml(String text) {
        return map(YAML.readValue(text, Map.class));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o) {
        assertThat(o).as("a YAML mapping").isInstanceOf(Map.class);
        return (Map<String, Object>) o;
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> list(Object o) {
        assertThat(o).as("a YAML list").isInstanceOf(List.class);
        return (List<Map<String, Object>>) o;
    }

    /** Walks fabric8 model objects and collects the paths of fields their classes do not declare. */
    private static void unknownFields(Object o, String path, List<String> unknown) {
        switch (o) {
            case null -> { }
            case Map<?, ?> map -> map.forEach((k, v) -> unknownFields(v, path + "." + k, unknown));
            case List<?> list -> {
                for (int i = 0; i < list.size(); i++) {
                    unknownFields(list.get(i), path + "[" + i + "]", unknown);
                }
            }
            default -> {
                if (!o.getClass().getName().startsWith("io.fabric8.kubernetes.api.model") || o instanceof IntOrString || o instanceof Quantity) {
                    return;
                }
                for (Method getter : o.getClass().getMethods()) {
                    if (getter.getParameterCount() != 0 || Modifier.isStatic(getter.getModifiers()) || !getter.getName().startsWith("get")
                            || getter.getDeclaringClass() == Object.class) {
                        continue;
                    }
                    Object value;
                    try {
                        value = getter.invoke(o);
                    } catch (ReflectiveOperationException e) {
                        throw new AssertionError(path + ": " + getter, e);
                    }
                    if (getter.getName().equals("getAdditionalProperties")) {
                        if (value instanceof Map<?, ?> extra && !extra.isEmpty()) {
                            extra.keySet().forEach(k -> unknown.add(path + "." + k));
                        }
                    } else {
                        unknownFields(value, path + "." + decapitalize(getter.getName().substring(3)), unknown);
                    }
                }
            }
        }
    }

    private static String decapitalize(String s) {
        return s.isEmpty() ? s : Character.toLowerCase(s.charAt(0)) + s.substring(1);
    }
}
