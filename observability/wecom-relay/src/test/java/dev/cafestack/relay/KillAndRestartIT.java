package dev.cafestack.relay;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.cafestack.relay.WeComStandIn.Mode;
import dev.cafestack.relay.WeComStandIn.Request;

/** The packaged relay killed mid-queue (SIGKILL) and started again on the same store file. */
@DisplayName("The relay killed mid-queue and restarted on the same store")
class KillAndRestartIT {

    @TempDir
    Path dir;

    private final WeComStandIn robot = new WeComStandIn(Clock.systemUTC(), Set.of(SimulatedRelay.OPS_KEY, SimulatedRelay.TEAM_KEY));

    @AfterEach
    void close() {
        robot.close();
    }

    private static String alert(String instance) {
        return Payloads.notification("firing", "Killed", Payloads.alert("firing", "Killed", "warning", "monitoring", instance,
                "queued before the kill", Instant.parse("2026-11-25T08:00:00Z")));
    }

    private long deliveries(String instance) {
        return robot.delivered().stream().filter(r -> r.content().contains(instance + ":")
                || r.content().contains("instance=" + instance + ",") || r.content().contains("instance=" + instance + "<")).count();
    }

    private static void await(String what, BooleanSupplier condition, RelayProcess relay) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(what + " did not happen within 30 s; relay log:\n" + relay.log());
            }
            RelayProcess.sleep(50);
        }
    }

    @Test
    @DisplayName("nothing lost, nothing sent twice: 30 queued alerts arrive once each after a kill; an unanswered send is sent again")
    void killedMidQueue() throws Exception {
        Path store = dir.resolve("relay.mv.db");
        Path log = dir.resolve("relay.log");
        robot.mode(Mode.HTTP_500);
        try (RelayProcess first = new RelayProcess(store, robot.url(), log).start()) {
            for (int i = 0; i < 30; i++) {
                assertThat(first.post(alert("kill-" + i))).as("accepted").isEqualTo(200);
            }
            await("two failed attempts", () -> robot.requests().size() >= 2, first);
            assertThat(first.metrics()).contains("relay_queue_depth 30.0");
            first.kill();
        }
        assertThat(robot.delivered()).isEmpty();

        robot.mode(Mode.OK);
        try (RelayProcess second = new RelayProcess(store, robot.url(), log).start()) {
            await("all 30 delivered", () -> java.util.stream.IntStream.range(0, 30).allMatch(i -> deliveries("kill-" + i) > 0), second);
            for (int i = 0; i < 30; i++) {
                assertThat(deliveries("kill-" + i)).as("kill-" + i + " delivered exactly once").isEqualTo(1);
            }
            assertThat(robot.answered(45009)).isZero();
            for (int i = 0; i < 30; i++) {
                assertThat(second.post(alert("kill-" + i))).isEqualTo(200);
            }
            RelayProcess.sleep(500);
            assertThat(robot.delivered().stream().mapToLong(r -> r.content().split("kill-", -1).length - 1).sum())
                    .as("Alertmanager's repeats after the restart are not sent again").isEqualTo(30);

            // A send in flight when the process dies: WeCom may have got it, the relay never heard back.
            robot.mode(Mode.HANG);
            assertThat(second.post(alert("inflight-1"))).isEqualTo(200);
            await("the send in flight", () -> robot.requests().stream().anyMatch(r -> r.errcode() == -1), second);
            second.kill();
        }
        robot.mode(Mode.OK);
        try (RelayProcess third = new RelayProcess(store, robot.url(), log).start()) {
            await("the unanswered alert sent again", () -> deliveries("inflight-1") == 1, third);
            List<Request> hung = robot.requests().stream().filter(r -> r.errcode() == -1).toList();
            assertThat(hung).as("at-least-once: the one unanswered send is the only possible duplicate").hasSize(1);
            assertThat(third.stop()).as("SIGTERM exits cleanly").isIn(0, 143);
        }
        assertThat(Files.readString(log)).contains("stopping: 0 alert(s) left in the store for the next start");
    }
}
