package dev.cafestack.tests.images;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Runs the Maven that runs this build on the root pom of this checkout alone ({@code -N}: it has no dependencies to
 * resolve), with the outer build's local repository, so a test exercises the root pom's real executions rather than a
 * copy of them.
 */
final class ProjectMaven {

    /** What a run printed ({@code -B}: no colours) and how it ended. */
    record Run(List<String> command, int exitCode, List<String> output, Path log) {

        String describe() {
            List<String> tail = output.subList(Math.max(0, output.size() - 40), output.size());
            return "`" + String.join(" ", command) + "` exited " + exitCode + " (full output: " + log + "):\n"
                    + String.join("\n", tail);
        }

        /** The value that {@code help:evaluate -DforceStdout} printed: the last line, alone. */
        Optional<String> evaluated() {
            return output.isEmpty() ? Optional.empty() : Optional.of(output.get(output.size() - 1).trim());
        }
    }

    private final Path root;

    ProjectMaven(Path root) {
        this.root = root;
    }

    Run run(Path log, List<String> goalsAndProperties) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(BuildProperties.required("maven.home"), "bin", "mvn").toString());
        command.addAll(List.of("-B", "-ntp", "-N", "-f", root.resolve("pom.xml").toString()));
        String repo = System.getProperty("maven.repo.local");
        if (repo != null && !repo.isBlank()) {
            command.add("-Dmaven.repo.local=" + repo);
        }
        command.addAll(goalsAndProperties);
        Files.createDirectories(log.toAbsolutePath().getParent());
        ProcessBuilder builder = new ProcessBuilder(command).directory(root.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        // A short Maven run starts about twice as fast without the C2 compiler (and, unless told otherwise, with the
        // serial collector).
        String options = System.getenv().getOrDefault("MAVEN_OPTS", "").trim();
        builder.environment().put("MAVEN_OPTS", options.isEmpty()
                ? "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC" : options + " -XX:TieredStopAtLevel=1");
        Process process = builder.start();
        if (!process.waitFor(3, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new AssertionError("Maven did not finish in 3 minutes: " + String.join(" ", command) + " (see " + log + ")");
        }
        return new Run(List.copyOf(command), process.exitValue(), Files.readAllLines(log), log);
    }
}
