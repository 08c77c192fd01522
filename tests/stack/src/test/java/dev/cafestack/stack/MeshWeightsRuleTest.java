package dev.cafestack.stack;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/**
 * The build-time rule for latte's weights (mesh/istio's MeshValues.java, which the mesh-values step of mvn package
 * runs): fed environment files with bad weights (not a number, negative, over 100, a sum other than 100), it must fail
 * and name the file, the property and the value; fed good ones, it must give the split they state.
 */
class MeshWeightsRuleTest {

    private static final Path PROGRAM = Stack.ROOT.resolve("mesh/istio/src/main/build/MeshValues.java");

    @TempDir
    Path repo;

    /** What the rule says about one environment file: its problems (as the build prints them) and what it derives. */
    record Run(int exitCode, String output, Properties derived) {
    }

    /** The build step's class, compiled once from its source (the rules run in-process: one JVM start per case is slow). */
    private static Method derive;

    @BeforeAll
    static void compileTheBuildStep(@TempDir Path classes) throws Exception {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assertThat(javac).as("a JDK (javac) runs the tests").isNotNull();
        assertThat(javac.run(null, null, null, "-d", classes.toString(), PROGRAM.toString())).isZero();
        Class<?> program = new URLClassLoader(new URL[] {classes.toUri().toURL()}).loadClass("MeshValues");
        derive = program.getDeclaredMethod("derive", String.class, Properties.class, List.class);
        derive.setAccessible(true);
    }

    private Run run(String env, String weight, String canaryTag) throws Exception {
        return run(env, weight, canaryTag, "1.0");
    }

    private Run run(String env, String weight, String canaryTag, String sampling) throws Exception {
        // v1 gets the rest of 100, so that only the value under test is wrong; a weight that is not a number leaves v1 at 100.
        String stable = weight.matches("-?[0-9]+") ? Integer.toString(100 - Integer.parseInt(weight)) : "100";
        return run(env, stable, weight, canaryTag, sampling);
    }

    /** local.properties with the given values (stable null: no latte.stable.weight line), written to a copy of the repo. */
    private Path environmentFile(String env, String stable, String weight, String canaryTag, String sampling) throws IOException {
        Path envs = Files.createDirectories(repo.resolve("environments"));
        List<String> lines = Files.readAllLines(Stack.ROOT.resolve("environments/local.properties"), StandardCharsets.UTF_8)
                .stream()
                .filter(l -> stable != null || !l.startsWith("latte.stable.weight="))
                .map(l -> l.startsWith("latte.stable.weight=") ? "latte.stable.weight=" + stable : l)
                .map(l -> l.startsWith("latte.canary.weight=") ? "latte.canary.weight=" + weight : l)
                .map(l -> l.startsWith("latte.canary.tag=") ? "latte.canary.tag=" + canaryTag : l)
                .map(l -> l.startsWith("cafe.trace.sampling=") ? "cafe.trace.sampling=" + sampling : l)
                .toList();
        return Files.write(envs.resolve(env + ".properties"), lines, StandardCharsets.UTF_8);
    }

    private Run run(String env, String stable, String weight, String canaryTag, String sampling) throws Exception {
        Properties values = new Properties();
        try (var reader = Files.newBufferedReader(environmentFile(env, stable, weight, canaryTag, sampling), StandardCharsets.UTF_8)) {
            values.load(reader);
        }
        List<String> problems = new ArrayList<>();
        Properties derived = (Properties) derive.invoke(null, "environments/" + env + ".properties", values, problems);
        return new Run(problems.isEmpty() ? 0 : 1, String.join("\n", problems), derived);
    }

    /** The build step as mvn package runs it: java MeshValues.java &lt;repo&gt; &lt;out&gt; &lt;env&gt;. */
    private Run process(String env) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                PROGRAM.toString(), repo.toString(), repo.resolve("out").toString(), env)
                .redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Run(process.exitValue(), output, null);
    }

    @Test
    @DisplayName("the build step itself stops on weights that sum to 90: non-zero exit, the message, nothing derived")
    void sum90StopsTheBuildStep() throws Exception {
        environmentFile("broken", "70", "20", "0.2.0-canary", "1.0");
        Run run = process("broken");
        assertThat(run.exitCode()).as(run.output()).isNotZero();
        assertThat(run.output()).contains("[mesh] environments/broken.properties: latte.stable.weight=70 + latte.canary.weight=20 = 90, not 100");
        assertThat(repo.resolve("out/broken.properties")).as("nothing derived from a broken file").doesNotExist();
    }

    @Test
    @DisplayName("the build step itself writes a good file's split for the scenario step")
    void goodFileWritesTheSplit() throws Exception {
        environmentFile("good", "80", "20", "0.2.0-canary", "1.0");
        Run run = process("good");
        assertThat(run.exitCode()).as(run.output()).isZero();
        Properties derived = new Properties();
        try (var in = Files.newInputStream(repo.resolve("out/good.properties"))) {
            derived.load(in);
        }
        assertThat(derived).containsEntry("latte.v1.weight", "80").containsEntry("latte.v2.weight", "20");
    }

    @ParameterizedTest(name = "latte.canary.weight={0} fails the build")
    @CsvSource(delimiter = '|', value = {"-10", "101", "ten", "20.5", "''"})
    @DisplayName("a canary weight that is not a whole percentage 0-100 fails the build, naming the file, the property and the value")
    void badWeightFails(String weight) throws Exception {
        Run run = run("broken", weight, "0.2.0-canary");
        assertThat(run.exitCode()).as(run.output()).isNotZero();
        assertThat(run.output()).contains("environments/broken.properties: latte.canary.weight=" + weight + " is not a weight")
                .contains("latte.stable.weight (v1) + latte.canary.weight (v2) = 100");
    }

    @ParameterizedTest(name = "latte.stable.weight={0} fails the build")
    @CsvSource(delimiter = '|', value = {"-10", "101", "ninety", "''"})
    @DisplayName("a stable (v1) weight that is not a whole percentage 0-100 fails the build, naming the file, the property and the value")
    void badStableWeightFails(String stable) throws Exception {
        Run run = run("broken", stable, "10", "0.2.0-canary", "1.0");
        assertThat(run.exitCode()).as(run.output()).isNotZero();
        assertThat(run.output()).contains("environments/broken.properties: latte.stable.weight=" + stable + " is not a weight")
                .contains("whole percentages 0-100");
    }

    @ParameterizedTest(name = "v1={0} + v2={1} = {2} fails the build")
    @CsvSource({"70, 20, 90", "90, 20, 110", "100, 10, 110", "0, 0, 0"})
    @DisplayName("weights that do not sum to 100 fail the build, naming both properties, their values and the sum")
    void sumOtherThan100Fails(String stable, String canary, String sum) throws Exception {
        Run run = run("broken", stable, canary, "0.2.0-canary", "1.0");
        assertThat(run.exitCode()).as(run.output()).isNotZero();
        assertThat(run.output()).contains("environments/broken.properties: latte.stable.weight=" + stable
                + " + latte.canary.weight=" + canary + " = " + sum + ", not 100")
                .contains("set latte.stable.weight=" + (100 - Integer.parseInt(canary)));
    }

    @Test
    @DisplayName("a missing stable weight fails the build, naming the property")
    void missingStableWeightFails() throws Exception {
        Run run = run("broken", null, "0", "", "1.0");
        assertThat(run.exitCode()).as(run.output()).isNotZero();
        assertThat(run.output()).contains("environments/broken.properties: latte.stable.weight is missing");
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
    @DisplayName("good weights (v1 + v2 = 100) give the split the environment states")
    void goodWeightDerivesTheSplit(String weight, String v1, String v2) throws Exception {
        Run run = run("good", weight, "0.2.0-canary");
        assertThat(run.exitCode()).as(run.output()).isZero();
        Properties derived = run.derived();
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
    @CsvSource({"1.0, 100.0", "0.05, 5.0", "0.01, 1.0", "0.001, 0.1", "0, 0.0"})
    @DisplayName("the Telemetry sampling percentage is the services' sampling ratio times 100")
    void samplingPercentage(String sampling, String percentage) throws Exception {
        Run run = run("good", "0", "", sampling);
        assertThat(run.exitCode()).as(run.output()).isZero();
        Properties derived = run.derived();
        assertThat(derived.getProperty("trace.sampling.percentage")).isEqualTo(percentage);
        assertThat(derived.getProperty("latte.route.fragment")).isEqualTo("virtual-service-latte.yml");
    }
}
