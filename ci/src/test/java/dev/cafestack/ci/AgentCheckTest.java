package dev.cafestack.ci;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ci/bin/check-agent run by bash with a PATH that holds only stand-ins for the tools (each prints what the real one
 * prints for its version) and the few utilities the script uses: what it reports is what that PATH has.
 */
class AgentCheckTest {

    private static final Path SCRIPT = Path.of("bin/check-agent").toAbsolutePath();

    @TempDir
    Path bin;

    record Run(int exit, String output) {
    }

    private void tool(String name, String output) throws IOException {
        Path file = bin.resolve(name);
        Files.writeString(file, "#!/bin/bash\ncat <<'OUT'\n" + output + "\nOUT\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private Run run() throws Exception {
        for (String utility : List.of("sed", "head", "cat")) {
            Path real = Path.of("/usr/bin", utility);
            if (!Files.exists(real)) {
                real = Path.of("/bin", utility);
            }
            if (!Files.exists(bin.resolve(utility))) {
                Files.copy(real, bin.resolve(utility), java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
            }
        }
        ProcessBuilder builder = new ProcessBuilder("/bin/bash", SCRIPT.toString()).redirectErrorStream(true);
        builder.environment().clear();
        builder.environment().put("PATH", bin.toString());
        Process p = builder.start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return new Run(p.exitValue(), output);
    }

    private void allTools() throws IOException {
        tool("java", "openjdk version \"17.0.13\" 2024-10-15");
        tool("javac", "javac 17.0.13");
        tool("aws", "aws-cli/2.22.4 Python/3.12.6 Linux/6.1 exe/x86_64");
        tool("kubectl", "Client Version: v1.35.0");
        tool("eksctl", "0.220.0");
        tool("docker-credential-ecr-login", "");
        tool("git", "git version 2.47.1");
    }

    @Test
    @DisplayName("an agent with every tool passes")
    void everything() throws Exception {
        allTools();
        Run run = run();
        assertThat(run.exit()).as(run.output()).isZero();
        assertThat(run.output()).contains("ok       JDK                          java 17")
                .contains("aws-cli/2.22.4").contains("All tools present.").doesNotContain("MISSING");
    }

    @Test
    @DisplayName("an agent without eksctl and the ECR helper, with aws CLI v1 and Java 11, is told each and fails")
    void lacks() throws Exception {
        allTools();
        Files.delete(bin.resolve("eksctl"));
        Files.delete(bin.resolve("docker-credential-ecr-login"));
        tool("aws", "aws-cli/1.45.11 Python/3.11.2 Linux/6.1 botocore/1.37.11");
        tool("java", "openjdk version \"11.0.25\" 2024-10-15");
        Run run = run();
        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.output())
                .contains("MISSING  JDK 17+                      found java 11")
                .contains("MISSING  aws CLI v2                   found aws-cli/1.45.11")
                .contains("MISSING  eksctl")
                .contains("MISSING  docker-credential-ecr-login")
                .contains("ok       kubectl")
                .contains("lacks the tools marked MISSING");
    }
}
