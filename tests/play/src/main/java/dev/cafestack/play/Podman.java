package dev.cafestack.play;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The podman command line: runs one podman command, optionally feeding it stdin, and returns its exit code and output. */
public final class Podman {

    /** What one podman command did. */
    public record Result(List<String> command, int exitCode, String output) {

        public boolean ok() {
            return exitCode == 0;
        }

        /** The output, failing with the command and its output when the command failed. */
        public String orFail() {
            if (!ok()) {
                throw new IllegalStateException(describe());
            }
            return output;
        }

        public String describe() {
            return String.join(" ", command) + " -> exit " + exitCode + ":\n" + output.strip();
        }
    }

    private Podman() {
    }

    public static Result run(Duration timeout, String... arguments) {
        return runWithInput(timeout, null, arguments);
    }

    /** Runs {@code podman <arguments>} with {@code stdin} (or nothing) as its input; stderr is part of the output. */
    public static Result runWithInput(Duration timeout, String stdin, String... arguments) {
        List<String> command = new ArrayList<>();
        command.add("podman");
        command.addAll(List.of(arguments));
        Path output = null;
        Path input = null;
        try {
            output = Files.createTempFile("podman", ".out");
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile());
            if (stdin != null) {
                input = Files.createTempFile("podman", ".in");
                Files.writeString(input, stdin, StandardCharsets.UTF_8);
                builder.redirectInput(input.toFile());
            }
            Process process = builder.start();
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                return new Result(command, -1, "did not finish within " + timeout + "\n" + Files.readString(output));
            }
            return new Result(command, process.exitValue(), Files.readString(output));
        } catch (IOException e) {
            return new Result(command, -1, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(command, -1, "interrupted");
        } finally {
            delete(output);
            delete(input);
        }
    }

    private static void delete(Path file) {
        if (file != null) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                // a temp file left behind is harmless
            }
        }
    }
}
