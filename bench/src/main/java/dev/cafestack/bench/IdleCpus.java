package dev.cafestack.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Waits before each launch until this machine's CPUs are idle, so that a service's launch -> ready is its own start:
 * on two cores, a JVM that is still compiling after its own start, or any other process, would share the CPUs with
 * the one being timed. Reads Linux's /proc/stat: the CPU time of all CPUs together, whoever spends it. The share is of
 * all CPUs, so on a host with many more cores than the bench's two a single busy core may count as idle.
 */
final class IdleCpus {

    /** A window is idle when all CPUs together were busy at most this share of it. */
    static final double MAX_BUSY = 0.10;
    static final Duration WINDOW = Duration.ofMillis(200);
    /** Idle windows in a row before a launch. */
    static final int WINDOWS = 2;
    /** The shortest wait that can end idle: {@value #WINDOWS} windows. */
    static final Duration SHORTEST = WINDOW.multipliedBy(WINDOWS);

    /** How long the bench waited, whether the CPUs were idle then, and how busy the last window was. */
    record Wait(long millis, boolean idle, double lastBusy) {
    }

    /** Sleeps between two readings (a test's clock instead of the real one). */
    interface Sleeper {
        void sleep(long millis) throws InterruptedException;
    }

    private IdleCpus() {
    }

    /** Busy and total clock ticks of all CPUs from /proc/stat's first line ({@code cpu  user nice system idle ...}). */
    static long[] ticks(String cpuLine) {
        String[] f = cpuLine.trim().split("\\s+");
        if (!f[0].equals("cpu") || f.length < 9) {
            throw new IllegalArgumentException("not the all-CPU line of /proc/stat: " + cpuLine);
        }
        long user = Long.parseLong(f[1]);
        long nice = Long.parseLong(f[2]);
        long system = Long.parseLong(f[3]);
        long idle = Long.parseLong(f[4]);
        long iowait = Long.parseLong(f[5]);
        long irq = Long.parseLong(f[6]);
        long softirq = Long.parseLong(f[7]);
        long steal = Long.parseLong(f[8]);
        // guest and guest_nice (fields 9 and 10) are counted in user and nice already.
        long busy = user + nice + system + irq + softirq + steal;
        return new long[] {busy, busy + idle + iowait};
    }

    /** The share of the CPUs' time between two readings that was busy (0 when no time passed). */
    static double busyShare(long[] before, long[] after) {
        long total = after[1] - before[1];
        return total <= 0 ? 0 : (double) (after[0] - before[0]) / total;
    }

    /**
     * Waits until {@value #WINDOWS} windows in a row were idle, or {@code max} has passed (the last window may end up to
     * one window after it); {@code max} 0: no wait.
     */
    static Wait await(Duration max) throws InterruptedException {
        return await(max, IdleCpus::ticks, Thread::sleep, System::nanoTime);
    }

    static Wait await(Duration max, Supplier<long[]> ticks, Sleeper sleeper, LongSupplier nanoTime)
            throws InterruptedException {
        if (max.isZero()) {
            return new Wait(0, true, 0);
        }
        long start = nanoTime.getAsLong();
        long deadline = start + max.toNanos();
        long[] before = ticks.get();
        int idleInRow = 0;
        while (true) {
            sleeper.sleep(WINDOW.toMillis());
            long[] now = ticks.get();
            long at = nanoTime.getAsLong();
            double busy = busyShare(before, now);
            before = now;
            idleInRow = busy <= MAX_BUSY ? idleInRow + 1 : 0;
            long waited = (at - start) / 1_000_000;
            if (idleInRow == WINDOWS) {
                return new Wait(waited, true, busy);
            }
            if (at >= deadline) {
                return new Wait(waited, false, busy);
            }
        }
    }

    private static long[] ticks() {
        try (var lines = Files.lines(Path.of("/proc/stat"))) {
            return ticks(lines.findFirst().orElseThrow(() -> new IllegalStateException("/proc/stat is empty")));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read /proc/stat", e);
        }
    }
}
