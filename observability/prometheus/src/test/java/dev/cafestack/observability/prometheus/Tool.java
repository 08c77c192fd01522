package dev.cafestack.observability.prometheus;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Prometheus' own tools, as installed by Debian's packages: a tool that is missing fails the test with the command that
 * installs it (never a silent skip).
 */
final class Tool {

    /** promtool, from Debian's package prometheus. */
    static final Tool PROMTOOL = new Tool("promtool", "prometheus");
    /** amtool, from Debian's package prometheus-alertmanager. */
    static final Tool AMTOOL = new Tool("amtool", "prometheus-alertmanager");
    /** The Alertmanager server, from Debian's package prometheus-alertmanager (which names it so). */
    static final Tool ALERTMANAGER = new Tool("prometheus-alertmanager", "prometheus-alertmanager");

    private final String name;
    private final String aptPackage;

    private Tool(String name, String aptPackage) {
        this.name = name;
        this.aptPackage = aptPackage;
    }

    /** The tool's path; fails the test with how to install it when it is not on the PATH. */
    Path path() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path candidate = Path.of(dir, name);
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        throw new AssertionError(name + " is not on the PATH. Install it: sudo apt-get install -y " + aptPackage
                + " (Debian/Ubuntu; .ci/run does this in CI)");
    }

    /** Runs the tool with arguments in a directory; its exit code and everything it printed. */
    Result run(Path dir, String... args) {
        List<String> command = new ArrayList<>();
        command.add(path().toString());
        command.addAll(List.of(args));
        try {
            Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
            process.getOutputStream().close();
            byte[] output = process.getInputStream().readAllBytes();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError(String.join(" ", command) + " did not finish in 60 s");
            }
            return new Result(String.join(" ", command), process.exitValue(), new String(output, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    record Result(String command, int exit, String output) {
        boolean ok() {
            return exit == 0;
        }

        @Override
        public String toString() {
            return command + " -> exit " + exit + "\n" + output;
        }
    }
}
