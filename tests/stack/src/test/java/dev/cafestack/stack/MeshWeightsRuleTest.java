package dev.cafestack.stack;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/**
 * The build-time rule for latte's weights (mesh/istio's MeshValues.java, which the mesh-values step of mvn package
 * runs): fed environment files with bad weights, it must fail and name the file, the property and the value; fed the
 * repository's own environment files, it must derive the split each of them says.
 */
class MeshWeightsRuleTest {

    private static final Path PROGRAM = Stack.ROOT.resolve("mesh/istio/src/main/build/MeshValues.java");

    @TempDir
    Path repo;

    record Run(int exitCode, String output) {
    }

    private Run run(String env, String weight, String canaryTag) throws IOException, InterruptedException {
        return run(env, weight, canaryTag, "1.0");
    }

    private Run run(String env, String weight, String canaryTag, String sampling) throws IOException, InterruptedException {
        Path envs = Files.createDirectories(repo.resolve("environments"));
        List<String> lines = Files.readAllLines(Stack.ROOT.resolve("environments/local.properties"), StandardCharsets.UTF_8)
                .stream()
                .map(l -> l.startsWith("latte.canary.weight=") ? "latte.canary.weight=" + weight : l)
                .map(l -> l.startsWith("latte.canary.tag=") ? "latte.canary.tag=" + canaryTag : l)
                .map(l -> l.startsWith("cafe.trace.sampling=") ? "cafe.trace.sampling=" + sampling : l)
                .toList();
        Files.write(envs.resolve(env + ".properties"), lines, StandardCharsets.UTF_8);
        Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                PROGRAM.toString(), repo.toString(), repo.resolve("out").toString(), env)
                .redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Run(process.exitValue(), output);
    }

    @ParameterizedTest(name = "latte.canary.weight={0} fails the build")
    @CsvSource(delimiter = '|', value = {"-10", "101", "ten", "20.5", "''"})
    @DisplayName("a canary weight that is not a whole percentage 0-100 fails the build, naming the file, the property and the value")
    void badWeightFails(String weight) throws Exception {
        Run run = run("broken", weight, "0.2.0-canary");
        assertThat(run.exitCode()).as(run.output()).isNotZero();
        assertThat(run.output()).contains("environments/broken.properties: latte.canary.weight=" + weight + " is not a weight")
                .contains("sum to 100");
        assertThat(repo.resolve("out/broken.properties")).as("nothing derived from a broken file").doesNotExist();
    }

    @Test
    @DisplayName("a canary weight without a canary tag fails the build: it would send traffic to pods that are not rendered")
    void weightWithoutCanaryFails() throws Exception {
        Run run = run("broken", "10", "");
        assertThat(run.exitCode()).as(run.output()).isNotZero();
        assertThat(run.output()).contains("environments/broken.properties: latte.canary.weight=10")
                .contains("latte.canary.tag is empty");
    }

    @ParameterizedTest(name = "latte.canary.weight={0} gives v1={1}, v2={2}")
    @CsvSource({"0, 100, 0", "10, 90, 10", "100, 0, 100"})
    @DisplayName("a good canary weight gives v1 the rest of 100")
    void goodWeightDerivesTheSplit(String weight, String v1, String v2) throws Exception {
        Run run = run("good", weight, "0.2.0-canary");
        assertThat(run.exitCode()).as(run.output()).isZero();
        Properties derived = new Properties();
        try (var in = Files.newInputStream(repo.resolve("out/good.properties"))) {
            derived.load(in);
        }
        assertThat(derived.getProperty("latte.v1.weight")).isEqualTo(v1);
        assertThat(derived.getProperty("latte.v2.weight")).isEqualTo(v2);
        assertThat(Integer.parseInt(v1) + Integer.parseInt(v2)).isEqualTo(100);
        assertThat(derived.getProperty("latte.route.fragment")).isEqualTo("virtual-service-latte-canary.yml");
    }

    @ParameterizedTest(name = "cafe.trace.sampling={0} fails the build")
    @CsvSource(delimiter = '|', value = {"1.5", "-0.1", "all", "0.00001"})
    @DisplayName("a sampling ratio outside 0-1, not a number, or finer than Istio's 0.01 % steps fails the build, naming it")
    void badSamplingFails(String sampling) throws Exception {
        Run run = run("broken", "0", "", sampling);
        assertThat(run.exitCode()).as(run.output()).isNotZero();
        assertThat(run.output()).contains("environments/broken.properties: cafe.trace.sampling=" + sampling);
    }

    @ParameterizedTest(name = "cafe.trace.sampling={0} samples {1} %")
    @CsvSource({"1.0, 100.0", "0.05, 5.0", "0.001, 0.1", "0, 0.0"})
    @DisplayName("the Telemetry sampling percentage is the services' sampling ratio times 100")
    void samplingPercentage(String sampling, String percentage) throws Exception {
        Run run = run("good", "0", "", sampling);
        assertThat(run.exitCode()).as(run.output()).isZero();
        Properties derived = new Properties();
        try (var in = Files.newInputStream(repo.resolve("out/good.properties"))) {
            derived.load(in);
        }
        assertThat(derived.getProperty("trace.sampling.percentage")).isEqualTo(percentage);
        assertThat(derived.getProperty("latte.route.fragment")).isEqualTo("virtual-service-latte.yml");
    }
}
