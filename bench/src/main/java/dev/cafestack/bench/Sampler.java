package dev.cafestack.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import dev.cafestack.localrun.ServiceProcess;

/** Samples RSS, threads and open file descriptors of the service JVMs every 200 ms while a run is recorded. */
final class Sampler implements AutoCloseable {

    static final long PERIOD_MILLIS = 200;

    /** What one JVM showed during one recording. */
    record Samples(List<Long> rssKiB, long threadsMax, long fdsMax) {

        double rssMedianMiB() {
            return Stats.median(rssKiB.stream().mapToDouble(k -> k / 1024.0).toArray());
        }

        double rssMaxMiB() {
            return rssKiB.stream().mapToLong(Long::longValue).max().orElse(0) / 1024.0;
        }
    }

    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "bench-sampler");
        t.setDaemon(true);
        return t;
    });
    private final Map<String, long[]> maxima = new LinkedHashMap<>();
    private final Map<String, List<Long>> rss = new LinkedHashMap<>();
    private List<ServiceProcess> recording = List.of();

    Sampler() {
        timer.scheduleAtFixedRate(this::sample, PERIOD_MILLIS, PERIOD_MILLIS, TimeUnit.MILLISECONDS);
    }

    synchronized void record(List<ServiceProcess> jvms) {
        recording = List.copyOf(jvms);
        rss.clear();
        maxima.clear();
        for (ServiceProcess jvm : jvms) {
            rss.put(jvm.name, new ArrayList<>());
            maxima.put(jvm.name, new long[] {-1, -1});
        }
        sample();
    }

    synchronized Map<String, Samples> stop() {
        sample();
        Map<String, Samples> out = new LinkedHashMap<>();
        for (ServiceProcess jvm : recording) {
            out.put(jvm.name, new Samples(List.copyOf(rss.get(jvm.name)), maxima.get(jvm.name)[0], maxima.get(jvm.name)[1]));
        }
        recording = List.of();
        return out;
    }

    private synchronized void sample() {
        for (ServiceProcess jvm : recording) {
            if (!jvm.alive()) {
                continue;
            }
            long kib = Proc.rssKiB(jvm.pid());
            if (kib > 0) {
                rss.get(jvm.name).add(kib);
            }
            long[] max = maxima.get(jvm.name);
            max[0] = Math.max(max[0], Proc.threads(jvm.pid()));
            max[1] = Math.max(max[1], Proc.openFds(jvm.pid()));
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
