package dev.cafestack.stack;

import static dev.cafestack.stack.RenderedManifestsTest.all;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.fabric8.kubernetes.api.model.Service;

/**
 * platform/cluster's ExternalName Services: the build-time rules of cluster.external-services (ExternalServices.java,
 * which the external-services step of mvn package runs), one test per rule asserting the message; and, for every
 * environment, the rendered Services are exactly what its file declares.
 */
@DisplayName("External services")
class ExternalServicesTest {

    private static final Path CLUSTER = Stack.ROOT.resolve("platform/cluster");
    private static final Path PROGRAM = CLUSTER.resolve("src/main/build/ExternalServices.java");
    private static final Path TEMPLATE = CLUSTER.resolve("src/main/jkube-templates/external-service.yml");

    @TempDir
    Path repo;

    record Run(int exitCode, String output) {
    }

    /** Runs the build step on a copy of local.properties whose cluster.external-services is {@code value} (null: no key). */
    private Run run(String value) throws IOException, InterruptedException {
        Path envs = Files.createDirectories(repo.resolve("environments"));
        List<String> lines = Files.readAllLines(Stack.ROOT.resolve("environments/local.properties"), StandardCharsets.UTF_8)
                .stream().filter(l -> !l.startsWith("cluster.external-services=")).toList();
        Files.write(envs.resolve("broken.properties"), lines, StandardCharsets.UTF_8);
        if (value != null) {
            Files.writeString(envs.resolve("broken.properties"), "cluster.external-services=" + value + "\n",
                    StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.APPEND);
        }
        Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                PROGRAM.toString(), repo.toString(), TEMPLATE.toString(), repo.resolve("out").toString(), "broken")
                .redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Run(process.exitValue(), output);
    }

    /** The build step's class, compiled once from its source (the rules run in-process: one JVM start per rule is slow). */
    private static Method parse;

    @BeforeAll
    static void compileTheBuildStep(@TempDir Path classes) throws Exception {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assertThat(javac).as("a JDK (javac) runs the tests").isNotNull();
        assertThat(javac.run(null, null, null, "-d", classes.toString(), PROGRAM.toString())).isZero();
        Class<?> program = new URLClassLoader(new URL[] {classes.toUri().toURL()}).loadClass("ExternalServices");
        parse = program.getDeclaredMethod("parse", String.class, String.class, List.class);
        parse.setAccessible(true);
    }

    /** The problems the build step reports for one value of the key (null: the key is missing). */
    @SuppressWarnings("unchecked")
    private static List<String> problems(String value) throws Exception {
        List<String> problems = new ArrayList<>();
        parse.invoke(null, "environments/broken.properties", value, problems);
        return problems;
    }

    private void assertFails(String value, String... messages) throws Exception {
        assertThat(problems(value)).singleElement().asString()
                .startsWith("environments/broken.properties: cluster.external-services").contains(messages);
    }

    @Test
    @DisplayName("a missing key fails the build (mvn package's step exits non-zero, writes nothing) and says how to declare none")
    void missingKey() throws Exception {
        Run run = run(null);
        assertThat(run.exitCode()).as(run.output()).isNotZero();
        assertThat(run.output()).contains("environments/broken.properties: cluster.external-services is missing",
                "cluster.external-services=)");
        assertThat(repo.resolve("out/broken")).as("nothing written from a broken file").doesNotExist();
    }

    @Test
    @DisplayName("a broken entry fails the build step itself: non-zero exit, the message on its output, nothing written")
    void brokenEntryFailsTheStep() throws Exception {
        Run run = run("mongo=10.0.2.15");
        assertThat(run.exitCode()).as(run.output()).isNotZero();
        assertThat(run.output()).contains("[external-services] environments/broken.properties: cluster.external-services:"
                + " external host '10.0.2.15' (for mongo) is an IP address");
        assertThat(repo.resolve("out/broken")).doesNotExist();
    }

    @ParameterizedTest(name = "''{0}''")
    @CsvSource(delimiter = '|', value = {"dev-mongo", "dev-mongo=a=b", "dev-mongo=docdb.example.internal,"})
    @DisplayName("an entry that is not <service name>=<external host> fails the build, showing the form")
    void notAnEntry(String value) throws Exception {
        assertFails(value, "is not <service name>=<external host>", "like dev-mongo=docdb.dev.example.internal");
    }

    @ParameterizedTest(name = "''{0}''")
    @CsvSource(delimiter = '|', value = {"Dev-Mongo", "dev_mongo", "1mongo", "mongo-", "a23456789012345678901234567890123456789012345678901234567890abcd"})
    @DisplayName("a service name that is not a DNS-1035 label fails the build, naming it")
    void badServiceName(String name) throws Exception {
        assertFails(name + "=docdb.dev.example.internal", "service name '" + name + "' is not a DNS-1035 label");
    }

    @Test
    @DisplayName("a service name declared twice fails the build")
    void duplicateName() throws Exception {
        assertFails("mongo=a.example.internal,mongo=b.example.internal", "service name 'mongo' is declared twice");
    }

    @Test
    @DisplayName("a host in upper case fails the build and shows it in lower case")
    void upperCaseHost() throws Exception {
        assertFails("mongo=DocDB.Example.Internal", "external host 'DocDB.Example.Internal' (for mongo) is not a DNS-1123 subdomain",
                "write it in lower case (docdb.example.internal)");
    }

    @Test
    @DisplayName("a host with a trailing dot fails the build, saying to drop it")
    void trailingDot() throws Exception {
        assertFails("mongo=docdb.example.internal.", "is not a DNS-1123 subdomain", "drop the trailing dot");
    }

    @ParameterizedTest(name = "''{0}''")
    @CsvSource(delimiter = '|', value = {"mongodb://docdb.example.internal", "docdb.example.internal:27017", "-docdb.example.internal",
            "docdb..example.internal", "docdb_1.example.internal"})
    @DisplayName("a host that breaks the DNS-1123 subdomain pattern fails the build, quoting the rule")
    void notDns1123(String host) throws Exception {
        assertFails("mongo=" + host, "external host '" + host + "' (for mongo) is not a DNS-1123 subdomain",
                "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*", "no scheme, port or path");
    }

    @Test
    @DisplayName("a host label longer than 63 characters fails the build")
    void longLabel() throws Exception {
        String label = "a".repeat(64);
        assertFails("mongo=" + label + ".example.internal", "has a label of 64 characters");
    }

    @Test
    @DisplayName("a host longer than 253 characters fails the build")
    void longHost() throws Exception {
        String host = String.join(".", java.util.Collections.nCopies(5, "a".repeat(60))); // 304 characters
        assertFails("mongo=" + host, "is 304 characters long: a DNS name has at most 253");
    }

    @Test
    @DisplayName("an IP address fails the build: an ExternalName is a DNS name")
    void ipAddress() throws Exception {
        assertFails("mongo=10.0.2.15", "external host '10.0.2.15' (for mongo) is an IP address");
    }

    @Test
    @DisplayName("an empty host fails the build")
    void emptyHost() throws Exception {
        assertFails("mongo=", "external host '' (for mongo) is empty");
    }

    @Test
    @DisplayName("good entries become one Service fragment each, with the name and host filled in; an empty key, none")
    void goodEntries() throws Exception {
        Run run = run(" dev-mongo = docdb.dev.example.internal , cache=redis-1.cache.example.internal");
        assertThat(run.exitCode()).as(run.output()).isZero();
        Path out = repo.resolve("out/broken");
        try (Stream<Path> files = Files.list(out)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("dev-mongo-service.yml", "cache-service.yml");
        }
        assertThat(Files.readString(out.resolve("dev-mongo-service.yml")))
                .contains("name: dev-mongo\n", "externalName: docdb.dev.example.internal\n", "type: ExternalName")
                .doesNotContain("@name@", "@host@");
        Run empty = run("");
        assertThat(empty.exitCode()).as(empty.output()).isZero();
        try (Stream<Path> files = Files.list(out)) {
            assertThat(files).as("the earlier run's Services are gone").isEmpty();
        }
    }

    @TestFactory
    @DisplayName("every environment renders exactly the ExternalName Services its file declares, in the app namespace")
    Stream<DynamicTest> renderedPerEnvironment() {
        return Stack.environments().stream().map(env -> dynamicTest(env, () -> {
            String value = Stack.environment(env).getProperty("cluster.external-services");
            assertThat(value).as("environments/" + env + ".properties declares cluster.external-services").isNotNull();
            Map<String, String> declared = new LinkedHashMap<>();
            if (!value.isBlank()) {
                for (String entry : value.split(",")) {
                    String[] kv = entry.split("=");
                    declared.put(kv[0].trim(), kv[1].trim());
                }
            }
            Map<String, String> rendered = new LinkedHashMap<>();
            for (Service s : all(env, Service.class)) {
                if ("ExternalName".equals(s.getSpec().getType())) {
                    assertThat(s.getMetadata().getNamespace()).isEqualTo(Stack.environment(env).getProperty("cafe.namespace"));
                    rendered.put(s.getMetadata().getName(), s.getSpec().getExternalName());
                }
            }
            assertThat(rendered).isEqualTo(declared);
        }));
    }
}
