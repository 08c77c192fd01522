package dev.cafestack.ci;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The real {@code mvn} of the build that runs the test ({@code maven.home}), as a separate process in the repository
 * root: offline, batch, this build's local repository, no cluster in reach (kubeconfig pointed at a file that does not
 * exist, {@code KUBERNETES_*} dropped). Killed, failing the test, after 3 minutes.
 */
final class NestedMaven {

    record Result(List<String> command, int exitCode, String output) {

        String describe() {
            return String.join(" ", command) + "\nexit " + exitCode + ", output:\n" + output;
        }
    }

    private NestedMaven() {
    }

    static Path root() {
        return Path.of(required("cafe.root"));
    }

    static Path localRepository() {
        return Path.of(required("cafe.local.repository"));
    }

    static Result run(String logName, List<String> arguments) {
        List<String> command = new ArrayList<>(List.of(Path.of(required("maven.home"), "bin", "mvn").toString(),
                "-o", "-B", "-Dstyle.color=never", "-Dmaven.repo.local=" + localRepository()));
        command.addAll(arguments);
        try {
            Path logs = Files.createDirectories(Path.of("target", "nested-maven"));
            Path log = logs.resolve(logName + ".log");
            ProcessBuilder builder = new ProcessBuilder(command).directory(root().toFile()).redirectErrorStream(true)
                    .redirectOutput(log.toFile());
            Map<String, String> env = builder.environment();
            env.keySet().removeIf(name -> name.startsWith("KUBERNETES_") || name.equals("KUBECONFIG"));
            env.put("KUBECONFIG", logs.toAbsolutePath().resolve("no-kubeconfig").toString());
            env.merge("MAVEN_OPTS", "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC", (a, b) -> a + " " + b);
            Process process = builder.start();
            if (!process.waitFor(3, TimeUnit.MINUTES)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
                throw new AssertionError("nested Maven did not finish in 3 minutes: " + command);
            }
            return new Result(command, process.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new AssertionError("could not run " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted: " + command, e);
        }
    }

    static String required(String property) {
        String value = System.getProperty(property);
        if (value == null || value.isBlank()) {
            throw new IllegalStateException("system property " + property + " is not set: run this test through Maven "
                    + "(./mvnw -pl ci verify; failsafe passes it, see ci/pom.xml)");
        }
        return value;
    }
}
