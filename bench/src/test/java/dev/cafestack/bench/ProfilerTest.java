package dev.cafestack.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProfilerTest {

    static final String INTERPRETED = "Interpreted";
    static final String COMPILED = "JIT compiled";
    static final String INLINED = "Inlined";
    static final String NATIVE = "Native";

    @Test
    @DisplayName("the services' runtime without a jcmd (a JRE, as the images' base is) gets the benchmark's own JDK's")
    void jcmdFallsBackToTheBenchmarksJdk(@TempDir Path dir) throws IOException {
        Path jre = executable(dir.resolve("jre/bin/java"));
        Path jdk = executable(dir.resolve("jdk/bin/java"));
        executable(dir.resolve("jdk/bin/jcmd"));

        assertThat(Profiler.jcmdFor(jre, dir.resolve("bench-jdk"))).isEqualTo(dir.resolve("bench-jdk/bin/jcmd"));
        assertThat(Profiler.jcmdFor(jdk, dir.resolve("bench-jdk"))).isEqualTo(dir.resolve("jdk/bin/jcmd"));
    }

    @Test
    @DisplayName("a sample counts as interpreted where compiled code called into the interpreter, and names that method")
    void interpretedCalledFromCompiledCode() {
        // Innermost frame first, as JFR lists them.
        assertThat(Profiler.interpretedCalledFromCompiled(List.of(INTERPRETED, COMPILED, INTERPRETED))).isZero();
        assertThat(Profiler.interpretedCalledFromCompiled(List.of(COMPILED, INTERPRETED, INLINED, COMPILED))).isEqualTo(1);
        // Two interpreted frames above compiled code: the one compiled code called, not its callee.
        assertThat(Profiler.interpretedCalledFromCompiled(List.of(INTERPRETED, INTERPRETED, COMPILED, INTERPRETED)))
                .isEqualTo(1);
        // The outermost such call when there are several.
        assertThat(Profiler.interpretedCalledFromCompiled(List.of(INTERPRETED, COMPILED, INTERPRETED, COMPILED)))
                .isEqualTo(2);
    }

    @Test
    @DisplayName("interpreted frames that compiled code did not call do not count: a thread's or event loop's outer frames")
    void interpretedOuterFramesDoNotCount() {
        // An event loop: compiled code on top of the run methods, entered once and interpreted for good.
        assertThat(Profiler.interpretedCalledFromCompiled(List.of(COMPILED, INLINED, INTERPRETED, INTERPRETED))).isEqualTo(-1);
        // A native frame is not compiled Java code.
        assertThat(Profiler.interpretedCalledFromCompiled(List.of(INTERPRETED, NATIVE, INTERPRETED))).isEqualTo(-1);
        assertThat(Profiler.interpretedCalledFromCompiled(List.of(COMPILED))).isEqualTo(-1);
        assertThat(Profiler.interpretedCalledFromCompiled(List.of())).isEqualTo(-1);
    }

    private static Path executable(Path file) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, "#!/bin/sh\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
        return file;
    }
}
