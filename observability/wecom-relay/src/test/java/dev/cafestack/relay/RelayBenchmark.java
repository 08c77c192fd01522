package dev.cafestack.relay;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Figures for the README (not a test): the packaged relay as a process, the WeCom stand-in on loopback.
 *
 * <ol>
 * <li>Ingestion: notifications/s answered 200 (each stored and fsynced first), 8 concurrent senders, after a warm-up;
 * and the same with fsync off, to show what durability costs.</li>
 * <li>Delivery lag under the rate limit: alerts at 15/min (under WeCom's 20/min) — post to robot; then a burst of 200
 * alerts at once — until the last of them reached the robot (merged messages).</li>
 * </ol>
 *
 * <pre>./mvnw -o -pl observability/wecom-relay -am package -DskipTests &amp;&amp; ./mvnw -o -pl observability/wecom-relay exec:java@bench</pre>
 */
public final class RelayBenchmark {

    private static final int SENDERS = 8;

    private RelayBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Files.createTempDirectory("relay-bench");
        try (WeComStandIn robot = new WeComStandIn(Clock.systemUTC(), Set.of(SimulatedRelay.OPS_KEY, SimulatedRelay.TEAM_KEY))) {
            double durable = ingestion(dir.resolve("fsync"), robot, true);
            double lax = ingestion(dir.resolve("nofsync"), robot, false);
            System.out.printf("[bench] ingestion, %d senders, fsync on : %.0f notifications/s%n", SENDERS, durable);
            System.out.printf("[bench] ingestion, %d senders, fsync off: %.0f notifications/s%n", SENDERS, lax);
        }
        // A fresh robot: the ingestion runs spent the first one's minute.
        try (WeComStandIn robot = new WeComStandIn(Clock.systemUTC(), Set.of(SimulatedRelay.OPS_KEY, SimulatedRelay.TEAM_KEY))) {
            lag(dir.resolve("lag"), robot);
        }
        System.exit(0);
    }

    private static double ingestion(Path dir, WeComStandIn robot, boolean fsync) throws Exception {
        Files.createDirectories(dir);
        try (RelayProcess relay = new RelayProcess(dir.resolve("relay.mv.db"), robot.url(), dir.resolve("relay.log"))
                .start("-Drelay.store.fsync=" + fsync)) {
            run(relay, Duration.ofSeconds(10), "warm" + fsync);
            long count = run(relay, Duration.ofSeconds(15), "run" + fsync);
            return count / 15.0;
        }
    }

    /** Posts distinct one-alert notifications from SENDERS threads for the duration; answers how many got a 200. */
    private static long run(RelayProcess relay, Duration duration, String prefix) throws Exception {
        AtomicLong ok = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        AtomicBoolean stop = new AtomicBoolean();
        ExecutorService pool = Executors.newFixedThreadPool(SENDERS);
        Instant start = Instant.parse("2026-11-25T08:00:00Z");
        for (int t = 0; t < SENDERS; t++) {
            int thread = t;
            pool.submit(() -> {
                long i = 0;
                while (!stop.get()) {
                    String instance = prefix + "-" + thread + "-" + i++;
                    String body = Payloads.notification("firing", "Bench" + (i % 10), Payloads.alert("firing", "Bench" + (i % 10),
                            "warning", "monitoring", instance, "benchmark alert", start));
                    try {
                        if (relay.post(body) == 200) {
                            ok.incrementAndGet();
                        } else {
                            failed.incrementAndGet();
                        }
                    } catch (Exception e) {
                        failed.incrementAndGet();
                    }
                }
                return null;
            });
        }
        Thread.sleep(duration.toMillis());
        stop.set(true);
        pool.shutdown();
        pool.awaitTermination(30, TimeUnit.SECONDS);
        if (failed.get() > 0) {
            System.out.println("[bench] " + failed.get() + " requests not answered 200");
        }
        return ok.get();
    }

    private static void lag(Path dir, WeComStandIn robot) throws Exception {
        Files.createDirectories(dir);
        Map<String, Long> posted = new ConcurrentHashMap<>();
        try (RelayProcess relay = new RelayProcess(dir.resolve("relay.mv.db"), robot.url(), dir.resolve("relay.log")).start()) {
            Instant start = Instant.parse("2026-11-25T09:00:00Z");
            int before = robot.requests().size();
            List<String> steady = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                String instance = "steady-" + i;
                steady.add(instance);
                posted.put(instance, System.currentTimeMillis());
                relay.post(Payloads.notification("firing", "Steady", Payloads.alert("firing", "Steady", "warning", "monitoring",
                        instance, "steady alert", start)));
                Thread.sleep(4000);
            }
            List<Long> lags = lags(robot, steady, posted, Duration.ofSeconds(30));
            if (lags.isEmpty()) {
                return;
            }
            System.out.printf("[bench] delivery lag at 15 alerts/min (under the 20/min limit): p50 %d ms, max %d ms (%d alerts)%n",
                    lags.get(lags.size() / 2), lags.get(lags.size() - 1), lags.size());

            List<String> burst = new ArrayList<>();
            long burstStart = System.currentTimeMillis();
            for (int i = 0; i < 200; i++) {
                String instance = "burst-" + i;
                burst.add(instance);
                posted.put(instance, System.currentTimeMillis());
                relay.post(Payloads.notification("firing", "Burst" + (i % 4), Payloads.alert("firing", "Burst" + (i % 4), "warning",
                        "monitoring", instance, "burst alert", start)));
            }
            List<Long> burstLags = lags(robot, burst, posted, Duration.ofSeconds(150));
            if (burstLags.isEmpty()) {
                return;
            }
            long messages = robot.requests().size() - before - steady.size();
            System.out.printf("[bench] burst of 200 alerts posted in %d ms: all delivered after %d ms (max lag), p50 lag %d ms,"
                    + " in %d messages (single, then merged); 45009 replies: %d%n", posted.get("burst-199") - burstStart,
                    burstLags.get(burstLags.size() - 1), burstLags.get(burstLags.size() / 2), messages, robot.answered(45009));
        }
    }

    /** Per alert: robot receipt time minus post time, sorted. */
    private static List<Long> lags(WeComStandIn robot, List<String> instances, Map<String, Long> posted, Duration limit)
            throws InterruptedException {
        long deadline = System.currentTimeMillis() + limit.toMillis();
        List<Long> lags = new ArrayList<>();
        while (System.currentTimeMillis() < deadline) {
            lags.clear();
            for (String instance : instances) {
                robot.delivered().stream().filter(r -> r.content().contains(instance + ":") || r.content().contains("instance=" + instance + ",")
                        || r.content().contains("instance=" + instance + "<"))
                        .findFirst().ifPresent(r -> lags.add(r.at() - posted.get(instance)));
            }
            if (lags.size() == instances.size()) {
                break;
            }
            Thread.sleep(50);
        }
        Collections.sort(lags);
        if (lags.size() < instances.size()) {
            System.out.printf("[bench] only %d of %d alerts delivered within %s%n", lags.size(), instances.size(), limit);
        }
        return lags;
    }
}
