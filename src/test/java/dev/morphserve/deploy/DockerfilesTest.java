package dev.morphserve.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The images cannot be built here (no container engine), so their Dockerfiles are read: what
 * the runtime stage must hold for the README's commands to work. DeploymentIT runs the same
 * jlinked runtime and health check script outside a container.
 */
class DockerfilesTest {

    /** One instruction with its continuation lines joined. */
    record Instruction(String keyword, String arguments) {}

    @ParameterizedTest
    @ValueSource(strings = {"docker/Dockerfile", "docker/Dockerfile.cuda"})
    void runtimeStageIsNonRootHealthCheckedAndListensBeyondLoopback(String file) throws IOException {
        List<Instruction> all = parse(Path.of(file));
        List<Instruction> runtime = all.subList(lastIndexOf(all, "FROM"), all.size());

        assertThat(arguments(runtime, "USER")).as("runs as a non-root uid").containsExactly("10001");
        assertThat(arguments(runtime, "HEALTHCHECK")).singleElement().asString()
                .contains("CMD [\"/opt/morphserve/healthcheck.sh\"]");
        assertThat(arguments(runtime, "COPY")).as("the health check script is copied in").contains("docker/healthcheck.sh /opt/morphserve/healthcheck.sh");

        List<String> entrypoint = jsonArray(arguments(runtime, "ENTRYPOINT").getFirst());
        assertThat(entrypoint.getFirst()).as("the jlinked runtime's java").isEqualTo("/opt/java/bin/java");
        assertThat(entrypoint).containsSubsequence("--add-modules", "jdk.incubator.vector").contains("--enable-native-access=ALL-UNNAMED")
                .endsWith("-jar", "/opt/morphserve/quarkus-run.jar");
        assertThat(jsonArray(arguments(runtime, "CMD").getFirst())).containsSubsequence("--host", "0.0.0.0").startsWith("serve");
        assertThat(arguments(runtime, "ENV").toString()).contains("MORPHSERVE_HOST=0.0.0.0", "MORPHSERVE_CACHE=/cache");
        assertThat(arguments(runtime, "VOLUME")).containsExactly("[\"/cache\"]");

        assertThat(arguments(all, "RUN").toString()).as("the runtime is jlinked by the tested script").contains("docker/jlink-runtime.sh /opt/morphserve-java");
        assertThat(arguments(runtime, "COPY")).contains("--from=build /opt/morphserve-java /opt/java");
        for (Instruction copy : all) {
            if (copy.keyword().equals("COPY") && !copy.arguments().startsWith("--from")) {
                String[] parts = copy.arguments().split("\\s+");
                for (int i = 0; i < parts.length - 1; i++) {
                    assertThat(Path.of(parts[i])).as("%s: COPY source", file).exists();
                }
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"docker/Dockerfile.cuda"})
    void cudaImageBuildsTheKernelsAndRunsOnACudaRuntimeBase(String file) throws IOException {
        List<Instruction> all = parse(Path.of(file));
        List<String> bases = arguments(all, "FROM");
        assertThat(bases.getLast()).startsWith("nvidia/cuda:${CUDA_VERSION}-runtime-");
        assertThat(bases).anyMatch(base -> base.startsWith("nvidia/cuda:${CUDA_VERSION}-devel-"));
        assertThat(arguments(all, "RUN").toString()).as("the build stops when nvcc produced no kernels").contains("test -s target/classes/cuda/morphserve.ptx");
        assertThat(arguments(all, "ENV").toString()).contains("NVIDIA_DRIVER_CAPABILITIES=compute", "MORPHSERVE_BACKEND=CUDA");
    }

    static List<Instruction> parse(Path dockerfile) throws IOException {
        List<Instruction> instructions = new ArrayList<>();
        StringBuilder pending = new StringBuilder();
        for (String line : Files.readAllLines(dockerfile)) {
            String trimmed = line.strip();
            if (trimmed.startsWith("#") || (trimmed.isEmpty() && pending.isEmpty())) {
                continue;
            }
            boolean continues = trimmed.endsWith("\\");
            pending.append(continues ? trimmed.substring(0, trimmed.length() - 1) : trimmed).append(' ');
            if (!continues) {
                String text = pending.toString().strip().replaceAll("\\s+", " ");
                int space = text.indexOf(' ');
                instructions.add(new Instruction(text.substring(0, space).toUpperCase(), text.substring(space + 1)));
                pending.setLength(0);
            }
        }
        return instructions;
    }

    private static int lastIndexOf(List<Instruction> instructions, String keyword) {
        for (int i = instructions.size() - 1; i >= 0; i--) {
            if (instructions.get(i).keyword().equals(keyword)) {
                return i;
            }
        }
        throw new AssertionError("no " + keyword);
    }

    private static List<String> arguments(List<Instruction> instructions, String keyword) {
        return instructions.stream().filter(i -> i.keyword().equals(keyword)).map(Instruction::arguments).toList();
    }

    private static List<String> jsonArray(String exec) throws IOException {
        return List.of(new ObjectMapper().readValue(exec, String[].class));
    }
}
