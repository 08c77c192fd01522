package dev.cafestack.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;

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
    @DisplayName("a wait of 0 returns at once; any other ends idle, or busy once its limit has passed")
    void waitsForIdleCpusOrItsLimit() throws InterruptedException {
        assertThat(IdleCpus.await(Duration.ZERO)).isEqualTo(new IdleCpus.Wait(0, true, 0));

        // This machine's load is not up to the test: whichever way the wait ends, it ends within its bounds.
        IdleCpus.Wait wait = IdleCpus.await(Duration.ofSeconds(1));
        assertThat(wait.millis()).isBetween(IdleCpus.WINDOW.toMillis(), 5_000L);
        if (wait.idle()) {
            assertThat(wait.lastBusy()).isLessThanOrEqualTo(IdleCpus.MAX_BUSY);
            assertThat(wait.millis()).isGreaterThanOrEqualTo(IdleCpus.WINDOWS * IdleCpus.WINDOW.toMillis());
        } else {
            assertThat(wait.millis()).isGreaterThanOrEqualTo(1_000L);
        }
    }
}
