package dev.cafestack.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

/**
 * {@code --profile=true}: a JDK Flight Recording (settings "profile") of each JVM during the first measured run of
 * each configuration, started and stopped with jcmd; the hottest methods (own samples, and samples with the method
 * anywhere on the stack for the cafe code) are printed, and the .jfr files kept for JDK Mission Control.
 */
final class Profiler {

    private final Path jcmd;
    private final Path java;

    Profiler(String java) {
        this.java = Path.of(java);
        this.jcmd = jcmdFor(this.java, Path.of(System.getProperty("java.home")));
    }

    /**
     * The jcmd beside the services' {@code java}, or, when that is a runtime without one (the images' base is a JRE),
     * the jcmd of the JDK running the benchmark ({@code javaHome}): JFR's diagnostic commands run inside the target JVM,
     * so a jcmd of another release starts and stops its recording as well.
     */
    static Path jcmdFor(Path java, Path javaHome) {
        Path beside = java.resolveSibling("jcmd");
        return Files.isExecutable(beside) ? beside : javaHome.resolve("bin").resolve("jcmd");
    }

    void start(long pid, Path file) {
        jcmd(pid, "JFR.start", "name=bench", "settings=profile", "filename=" + file);
    }

    void stop(long pid) {
        jcmd(pid, "JFR.stop", "name=bench");
    }

    /** The top methods of a recording by execution samples in which they are the running frame. */
    static String top(Path recording, int limit) throws IOException {
        Map<String, Integer> self = new HashMap<>();
        Map<String, Integer> cafe = new HashMap<>();
        Map<String, Integer> interpreted = new HashMap<>();
        int total = 0;
        for (RecordedEvent event : RecordingFile.readAllEvents(recording)) {
            if (!event.getEventType().getName().equals("jdk.ExecutionSample")) {
                continue;
            }
            RecordedStackTrace stack = event.getStackTrace();
            if (stack == null || stack.getFrames().isEmpty()) {
                continue;
            }
            total++;
            List<RecordedFrame> frames = stack.getFrames();
            self.merge(name(frames.get(0)), 1, Integer::sum);
            int slow = interpretedCalledFromCompiled(frames.stream().map(RecordedFrame::getType).toList());
            if (slow >= 0) {
                interpreted.merge(name(frames.get(slow)), 1, Integer::sum);
            }
            frames.stream().map(Profiler::name).filter(n -> n.startsWith("dev.cafestack.")).distinct()
                    .forEach(n -> cafe.merge(n, 1, Integer::sum));
        }
        int samples = Math.max(1, total);
        int interpretedSamples = interpreted.values().stream().mapToInt(Integer::intValue).sum();
        StringBuilder out = new StringBuilder(String.format(Locale.ROOT, "%d execution samples; hottest methods (own time):%n", total));
        String hottest = ranked(self, samples, limit);
        out.append(hottest).append(hottest.isEmpty() ? "" : "\n");
        out.append("  cafe code on the stack (total time):\n");
        out.append(ranked(cafe, samples, limit));
        out.append(String.format(Locale.ROOT, "%n  samples where compiled code called into the interpreter (a method not"
                + " compiled yet, or deoptimized): %.1f%%; the interpreted methods it called:%n", interpretedSamples * 100.0 / samples));
        out.append(ranked(interpreted, samples, limit));
        return out.toString();
    }

    /** The {@code limit} largest counts, one line each ("share  method"), largest first. */
    private static String ranked(Map<String, Integer> counts, int samples, int limit) {
        return counts.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed()).limit(limit)
                .map(e -> String.format(Locale.ROOT, "    %5.1f%%  %s", e.getValue() * 100.0 / samples, e.getKey()))
                .collect(Collectors.joining("\n"));
    }

    /**
     * Of a stack's frame types (JFR's {@code RecordedFrame.getType()}, the innermost frame first), the index of the
     * outermost interpreted frame whose caller is compiled ("JIT compiled" or "Inlined"), or -1: where compiled code
     * calls into the interpreter, i.e. a method not compiled yet or deoptimized, which a warmed-up JVM should not have
     * on its hot paths. Interpreted frames with no compiled caller do not count: a thread's run method and an event
     * loop's are entered once and stay interpreted for good, costing nothing; nor do native frames count as compiled.
     */
    static int interpretedCalledFromCompiled(List<String> types) {
        for (int i = types.size() - 2; i >= 0; i--) {
            String caller = types.get(i + 1);
            if ("Interpreted".equals(types.get(i)) && ("JIT compiled".equals(caller) || "Inlined".equals(caller))) {
                return i;
            }
        }
        return -1;
    }

    private static String name(RecordedFrame frame) {
        return frame.getMethod().getType().getName() + "." + frame.getMethod().getName();
    }

    private void jcmd(long pid, String... command) {
        List<String> line = new java.util.ArrayList<>(List.of(jcmd.toString(), Long.toString(pid)));
        line.addAll(List.of(command));
        try {
            Process p = new ProcessBuilder(line).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.waitFor() != 0) {
                throw new IllegalStateException(String.join(" ", line) + " failed:\n" + out);
            }
        } catch (IOException e) {
            String fallback = jcmd.equals(java.resolveSibling("jcmd")) ? "" : " (there is no jcmd beside " + java + " either)";
            throw new IllegalStateException("cannot run " + jcmd + fallback + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
