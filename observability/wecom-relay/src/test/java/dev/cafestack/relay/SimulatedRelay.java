package dev.cafestack.relay;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Map;
import java.util.Random;

import dev.cafestack.relay.config.ConfigCheck;
import dev.cafestack.relay.config.RelayConfig;
import dev.cafestack.relay.core.BadPayload;
import dev.cafestack.relay.core.MessageFormatter;
import dev.cafestack.relay.core.PayloadParser;
import dev.cafestack.relay.core.Relay;
import dev.cafestack.relay.core.RelayMetrics;
import dev.cafestack.relay.core.RelayStore;
import dev.cafestack.relay.core.Router;
import dev.cafestack.relay.core.WeComClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * The relay's core (store, routing, formatting, budget, retries, the real HTTP client) on a {@link MutableClock}, sending
 * to a {@link WeComStandIn} on the same clock. {@link #runUntil} plays the delivery loop: it runs a round and moves the
 * clock to the time the round asked for, so simulated minutes take milliseconds.
 */
final class SimulatedRelay implements AutoCloseable {

    static final String OPS_KEY = "robot-key-ops-0001";
    static final String TEAM_KEY = "robot-key-team-0002";

    final MutableClock clock = new MutableClock(Instant.parse("2026-11-25T08:00:00Z"));
    final WeComStandIn robot;
    final RelayStore store;
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final Relay relay;

    /** teamKeyKnown=false: the stand-in does not know cafe-team's key (93000). */
    SimulatedRelay(Path dir, boolean teamKeyKnown) throws Exception {
        RelayConfig config = ConfigCheck.read(Path.of("src/test/resources/relay.yaml"));
        robot = new WeComStandIn(clock, teamKeyKnown ? java.util.Set.of(OPS_KEY, TEAM_KEY) : java.util.Set.of(OPS_KEY));
        // No fsync here: these tests are about delivery (the process tests run with fsync, as in a cluster).
        store = new RelayStore(dir.resolve("relay.mv.db"), false);
        relay = new Relay(store, new Router(config),
                new MessageFormatter(ZoneId.of(config.timeZone()), config.grafanaUrl().orElse(""), config.mentions()),
                new WeComClient(robot.url(), Duration.ofSeconds(1), Duration.ofMillis(300)),
                Map.of("ops", OPS_KEY, "cafe-team", TEAM_KEY), clock, new Random(7),
                new RelayMetrics(registry, store, clock),
                new Relay.Settings(20, Duration.ofSeconds(2), Duration.ofMinutes(5), Duration.ofDays(7)));
    }

    int accept(String payload) throws BadPayload {
        return relay.accept(PayloadParser.parse(payload.getBytes(StandardCharsets.UTF_8)));
    }

    /** Delivery rounds until the clock reaches the end (the loop is woken at once after each accept, as in the service). */
    void runUntil(Instant end) {
        while (clock.millis() < end.toEpochMilli()) {
            long next = relay.dispatchOnce();
            clock.moveTo(Math.min(Math.max(next, clock.millis() + 1), end.toEpochMilli()));
        }
    }

    /** Delivery rounds until the queue is empty or the limit passes; answers the time it took on the clock. */
    Duration drain(Duration limit) {
        Instant start = clock.instant();
        long end = start.plus(limit).toEpochMilli();
        relay.dispatchOnce();
        while (store.depth() > 0 && clock.millis() < end) {
            long next = relay.dispatchOnce();
            clock.moveTo(Math.max(next, clock.millis() + 1));
            relay.dispatchOnce();
        }
        return Duration.between(start, clock.instant());
    }

    double counter(String name, String tag, String value) {
        return registry.get(name).tag(tag, value).counter().count();
    }

    @Override
    public void close() {
        robot.close();
        store.close();
    }
}
