package dev.cafestack.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class IdleCpusTest {

    @Test
    @DisplayName("busy time is user, nice, system, irq, softirq and steal; idle and iowait are not; guest time is in user already")
    void readsBusyAndTotalTicksFromProcStat() {
        long[] ticks = IdleCpus.ticks("cpu  100 5 30 800 40 2 3 7 50 0");

        assertThat(ticks[0]).isEqualTo(100 + 5 + 30 + 2 + 3 + 7);
        assertThat(ticks[1]).isEqualTo(100 + 5 + 30 + 800 + 40 + 2 + 3 + 7);
    }

    @Test
    @DisplayName("refuses a line that is not /proc/stat's all-CPU line")
    void refusesAnotherLine() {
        assertThatThrownBy(() -> IdleCpus.ticks("cpu0 1 2 3 4 5 6 7 8 9 10"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cpu0");
    }

    @Test
    @DisplayName("the busy share is the busy ticks over all ticks between two readings, 0 when no time passed")
    void busyShareBetweenTwoReadings() {
        long[] before = IdleCpus.ticks("cpu  100 0 50 1000 0 0 0 0 0 0");
        long[] after = IdleCpus.ticks("cpu  130 0 60 1060 0 0 0 0 0 0");

        assertThat(IdleCpus.busyShare(before, after)).isCloseTo(40.0 / 100, within(1e-9));
        assertThat(IdleCpus.busyShare(after, after)).isZero();
    }

    @Test
    @DisplayName("a wait ends after two idle windows in a row; a busy window between idle ones starts the count again")
    void endsAfterTwoIdleWindowsInARow() throws InterruptedException {
        // Windows of 40 ticks: busy 50 %, idle 5 %, busy 25 %, idle 0 %, idle 10 % (the limit, still idle).
        Machine machine = new Machine(20, 2, 10, 0, 4);

        IdleCpus.Wait wait = IdleCpus.await(Duration.ofSeconds(10), machine::ticks, machine::sleep, machine::nanoTime);

        assertThat(wait).isEqualTo(new IdleCpus.Wait(5 * 200, true, 0.10));
        assertThat(machine.readings).isEmpty();
    }

    @Test
    @DisplayName("a wait on CPUs that stay busy ends once its limit has passed, saying so and how busy the last window was")
    void endsBusyAtItsLimit() throws InterruptedException {
        Machine machine = new Machine(4, 30, 8, 12, 20, 36, 40, 40);

        IdleCpus.Wait wait = IdleCpus.await(Duration.ofMillis(1000), machine::ticks, machine::sleep, machine::nanoTime);

        // One idle window (4 of 40 ticks) before busy ones is not enough; the fifth window ends at the limit.
        assertThat(wait).isEqualTo(new IdleCpus.Wait(1000, false, 0.5));
        assertThat(machine.readings).hasSize(3);
    }

    @Test
    @DisplayName("a wait of 0 returns at once without reading the CPUs")
    void noWait() throws InterruptedException {
        Machine machine = new Machine();

        assertThat(IdleCpus.await(Duration.ZERO, machine::ticks, machine::sleep, machine::nanoTime))
                .isEqualTo(new IdleCpus.Wait(0, true, 0));
        assertThat(machine.nanos).isZero();
    }

    /** Two CPUs at 100 ticks a second: each 200 ms window is 40 ticks, of which the given number were busy. */
    private static final class Machine {
        final Deque<Long> readings = new ArrayDeque<>();
        long busy;
        long total;
        long nanos;
        boolean first = true;

        Machine(long... busyTicksPerWindow) {
            for (long b : busyTicksPerWindow) {
                readings.add(b);
            }
        }

        long[] ticks() {
            if (first) {
                first = false;
            } else {
                busy += readings.remove();
                total += 40;
            }
            return new long[] {busy, total};
        }

        void sleep(long millis) {
            nanos += millis * 1_000_000;
        }

        long nanoTime() {
            return nanos;
        }
    }
}
