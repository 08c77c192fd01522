package dev.cafestack.relay;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.cafestack.relay.WeComStandIn.Mode;
import dev.cafestack.relay.WeComStandIn.Request;

/**
 * Delivery through WeCom's faults, with numbers: the relay's core runs on a controllable clock against the WeCom
 * stand-in (real HTTP on loopback), so a 10-minute outage or a flood held back by the 20/min limit takes a second.
 */
@DisplayName("Delivery through WeCom's faults")
class DeliveryFaultsTest {

    @TempDir
    Path dir;

    private SimulatedRelay sim;

    @AfterEach
    void close() {
        if (sim != null) {
            sim.close();
        }
    }

    private static String firing(int i, Instant at) {
        return Payloads.notification("firing", "Outage" + (i % 3),
                Payloads.alert("firing", "Outage" + (i % 3), "warning", "monitoring", "host-" + String.format("%03d", i),
                        "磁盘将满 disk " + i, at));
    }

    /** Index of the first delivered message that names the instance, or -1. */
    private static int firstDelivery(List<Request> delivered, String instance) {
        for (int i = 0; i < delivered.size(); i++) {
            if (delivered.get(i).content().contains(instance + ":") || delivered.get(i).content().contains(instance + ",")
                    || delivered.get(i).content().contains("instance=" + instance)) {
                return i;
            }
        }
        return -1;
    }

    @Test
    @DisplayName("a 10-minute outage (HTTP 500): every alert accepted during it arrives after recovery, in order, with capped backoff")
    void tenMinuteOutage() throws Exception {
        sim = new SimulatedRelay(dir, true);
        sim.robot.mode(Mode.HTTP_500);
        Instant start = sim.clock.instant();
        for (int i = 0; i < 20; i++) {
            assertThat(sim.accept(firing(i, sim.clock.instant()))).isEqualTo(1);
            sim.runUntil(start.plusSeconds(30L * (i + 1)));
        }
        assertThat(sim.clock.instant()).isEqualTo(start.plus(Duration.ofMinutes(10)));
        assertThat(sim.robot.delivered()).isEmpty();
        assertThat(sim.store.depth()).isEqualTo(20);

        List<Long> attempts = sim.robot.requests().stream().map(Request::at).toList();
        List<Long> gaps = new ArrayList<>();
        for (int i = 1; i < attempts.size(); i++) {
            gaps.add(attempts.get(i) - attempts.get(i - 1));
        }
        assertThat(attempts.size()).as("attempts in 10 minutes: backing off, not hammering").isBetween(6, 30);
        assertThat(gaps).as("no wait beyond the 5 min cap").allSatisfy(g -> assertThat(g).isLessThanOrEqualTo(300_000L));
        assertThat(gaps.stream().mapToLong(Long::longValue).max().orElse(0)).as("backoff grew").isGreaterThan(60_000L);

        sim.robot.mode(Mode.OK);
        Duration took = sim.drain(Duration.ofMinutes(30));
        assertThat(sim.store.depth()).isZero();
        assertThat(took).as("delivered within the backoff cap plus a rate window").isLessThanOrEqualTo(Duration.ofMinutes(6));
        List<Request> delivered = sim.robot.delivered();
        List<Integer> positions = IntStream.range(0, 20).mapToObj(i -> firstDelivery(delivered, "host-" + String.format("%03d", i))).toList();
        assertThat(positions).as("every alert arrived").doesNotContain(-1);
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            String content = String.join("\n", delivered.stream().map(Request::content).toList());
            order.add(content.indexOf("host-" + String.format("%03d", i)));
        }
        // Merged messages group by Alertmanager group; within a group the queue order holds.
        for (int g = 0; g < 3; g++) {
            int group = g;
            List<Integer> inGroup = IntStream.range(0, 20).filter(i -> i % 3 == group).mapToObj(order::get).toList();
            assertThat(inGroup).as("group " + g + " in order").isSorted();
        }
        assertThat(sim.counter("relay.delivery.failures", "reason", "server_error")).isEqualTo(attempts.size());
        assertThat(sim.counter("relay.messages.sent", "result", "ok")).isEqualTo(delivered.size());
        assertThat(sim.store.failedCount()).isZero();
    }

    @Test
    @DisplayName("a robot that hangs (timeouts) or refuses connections: alerts wait and arrive once it is back")
    void hangAndRefused() throws Exception {
        sim = new SimulatedRelay(dir, true);
        sim.robot.mode(Mode.HANG);
        Instant start = sim.clock.instant();
        sim.accept(firing(1, start));
        sim.runUntil(start.plusSeconds(40));
        sim.robot.mode(Mode.REFUSED);
        sim.accept(firing(2, sim.clock.instant()));
        sim.runUntil(start.plusSeconds(120));
        assertThat(sim.counter("relay.delivery.failures", "reason", "timeout")).isGreaterThanOrEqualTo(2);
        assertThat(sim.counter("relay.delivery.failures", "reason", "connection")).isGreaterThanOrEqualTo(1);
        assertThat(sim.store.depth()).isEqualTo(2);

        sim.robot.mode(Mode.OK);
        sim.drain(Duration.ofMinutes(10));
        String all = String.join("\n", sim.robot.delivered().stream().map(Request::content).toList());
        assertThat(all).contains("host-001").contains("host-002");
        assertThat(all.indexOf("host-001")).isLessThan(all.indexOf("host-002"));
        assertThat(sim.store.depth()).isZero();
    }

    @Test
    @DisplayName("a flood of 1,000 alerts in 5 s: all reach the group in merged messages, never over 20/min, zero 45009")
    void flood() throws Exception {
        sim = new SimulatedRelay(dir, true);
        Instant start = sim.clock.instant();
        for (int i = 0; i < 1000; i++) {
            sim.accept(firing(i, sim.clock.instant()));
            sim.runUntil(start.plusMillis(5L * (i + 1)));
        }
        Duration took = sim.drain(Duration.ofMinutes(30));
        assertThat(sim.store.depth()).isZero();
        List<Request> delivered = sim.robot.delivered();
        List<Integer> missing = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            String instance = "host-" + String.format("%03d", i);
            String merged = instance + ": 磁盘将满 disk " + i + " (";
            String single = "> 磁盘将满 disk " + i + "\n";
            if (delivered.stream().noneMatch(r -> r.content().contains(merged)
                    || r.content().contains(single) && r.content().contains("instance=" + instance))) {
                missing.add(i);
            }
        }
        assertThat(missing).as("alerts whose content never reached the group").isEmpty();
        assertThat(sim.robot.answered(45009)).as("45009 replies").isZero();
        assertThat(sim.robot.requests()).hasSameSizeAs(delivered);
        for (Request r : delivered) {
            long inWindow = delivered.stream().filter(o -> o.at() > r.at() - 60_000 && o.at() <= r.at()).count();
            assertThat(inWindow).as("messages in the minute up to " + r.at()).isLessThanOrEqualTo(20);
            assertThat(r.content().getBytes(java.nio.charset.StandardCharsets.UTF_8).length).isLessThanOrEqualTo(4096);
        }
        assertThat(delivered.size()).as("merged: far fewer messages than alerts").isLessThan(100);
        System.out.printf("[flood] 1000 alerts -> %d messages, all delivered %s after the flood began%n", delivered.size(),
                Duration.between(start, sim.clock.instant()));
        assertThat(took).as("all delivered within the minutes the rate limit needs for them")
                .isLessThanOrEqualTo(Duration.ofMinutes(delivered.size() / 20 + 2));
    }

    @Test
    @DisplayName("45009 from a robot someone else also uses: the relay waits a full window instead of looping")
    void rateLimitedByOthers() throws Exception {
        sim = new SimulatedRelay(dir, true);
        // Someone else spent the robot's minute: the stand-in counts their 20 messages.
        WeComStandIn other = sim.robot;
        var client = new dev.cafestack.relay.core.WeComClient(other.url(), Duration.ofSeconds(1), Duration.ofSeconds(1));
        for (int i = 0; i < 20; i++) {
            assertThat(client.send(SimulatedRelay.OPS_KEY, "other sender " + i).outcome())
                    .isEqualTo(dev.cafestack.relay.core.Delivery.Outcome.OK);
        }
        Instant start = sim.clock.instant();
        sim.accept(firing(1, start));
        sim.runUntil(start.plusSeconds(59));
        assertThat(sim.robot.answered(45009)).as("one 45009, then a wait").isEqualTo(1);
        sim.drain(Duration.ofMinutes(5));
        assertThat(sim.robot.answered(45009)).isEqualTo(1);
        assertThat(sim.robot.delivered().stream().filter(r -> r.content().contains("host-001"))).hasSize(1);
        assertThat(sim.counter("relay.delivery.failures", "reason", "rate_limited")).isEqualTo(1);
    }

    @Test
    @DisplayName("93000 (bad key) and 40058 (too long) are recorded as failed once, never retried, and the queue goes on")
    void permanentErrors() throws Exception {
        sim = new SimulatedRelay(dir, false);
        Instant start = sim.clock.instant();
        // namespace ecp-cafe routes to cafe-team, whose key the robot does not know.
        sim.accept(Payloads.notification("firing", "Team", Payloads.alert("firing", "Team", "warning", "ecp-cafe", "team-1", "x", start)));
        sim.drain(Duration.ofMinutes(10));
        assertThat(sim.robot.answered(93000)).isEqualTo(1);
        assertThat(sim.store.failedEntries()).singleElement().asString().startsWith("invalid_key").contains("team-1");
        assertThat(sim.counter("relay.delivery.failures", "reason", "invalid_key")).isEqualTo(1);
        assertThat(sim.counter("relay.messages.sent", "result", "failed")).isEqualTo(1);

        sim.robot.maxBytes(300);
        sim.accept(Payloads.notification("firing", "Long", Payloads.alert("firing", "Long", "warning", "monitoring", "long-1",
                "长".repeat(200), start)));
        sim.accept(Payloads.notification("firing", "Short", Payloads.alert("firing", "S", "info", "m", "s", "s", start)));
        sim.robot.maxBytes(4096);
        sim.clock.advance(Duration.ofSeconds(1));
        sim.robot.maxBytes(300);
        sim.drain(Duration.ofMinutes(10));
        assertThat(sim.robot.answered(40058)).isEqualTo(1);
        assertThat(sim.store.failedEntries()).hasSize(2).anySatisfy(e -> assertThat(e).startsWith("too_long").contains("long-1"));
        assertThat(sim.robot.delivered()).singleElement().satisfies(r -> assertThat(r.content()).contains("**S**"));
        sim.clock.advance(Duration.ofHours(1));
        sim.drain(Duration.ofMinutes(1));
        assertThat(sim.robot.requests()).as("no retries of permanent failures").hasSize(3);
    }

    @Test
    @DisplayName("Alertmanager's repeats are sent once; the resolution of the same alert is sent too")
    void deduplicates() throws Exception {
        sim = new SimulatedRelay(dir, true);
        Instant start = sim.clock.instant();
        var a = Payloads.alert("firing", "Dup", "warning", "monitoring", "dup-1", "s", start);
        assertThat(sim.accept(Payloads.notification("firing", "Dup", a))).isEqualTo(1);
        assertThat(sim.accept(Payloads.notification("firing", "Dup", a))).isZero();
        sim.drain(Duration.ofMinutes(1));
        sim.clock.advance(Duration.ofHours(4));
        assertThat(sim.accept(Payloads.notification("firing", "Dup", a))).as("repeat_interval later").isZero();
        var resolved = Payloads.alert("resolved", "Dup", "warning", "monitoring", "dup-1", "s", start);
        assertThat(sim.accept(Payloads.notification("resolved", "Dup", resolved))).isEqualTo(1);
        sim.drain(Duration.ofMinutes(1));
        assertThat(sim.robot.delivered()).hasSize(2);
        assertThat(sim.robot.delivered().get(1).content()).contains("RESOLVED").contains("Ended: ");
    }
}
