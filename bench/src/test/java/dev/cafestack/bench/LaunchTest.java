package dev.cafestack.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class LaunchTest {

    @Test
    @DisplayName("a service's start is the median of its launches, with every launch printed in the order it ran")
    void startIsTheMedianOfTheLaunches() {
        Bench.Launch launch = new Bench.Launch("obs-off", Map.of("latte", List.of(948L, 946L, 724L, 902L, 822L),
                "mocha", List.of(1182L, 1183L, 1082L, 1279L), "solo", List.of(1041L)));

        assertThat(launch.median("latte")).isEqualTo(902);
        assertThat(launch.min("latte")).isEqualTo(724);
        assertThat(launch.max("latte")).isEqualTo(948);
        assertThat(launch.describe("latte")).isEqualTo("median 902 ms of 5 launches (948, 946, 724, 902, 822)");
        // An even count: the mean of the middle two.
        assertThat(launch.median("mocha")).isEqualTo(1183);
        assertThat(launch.describe("solo")).isEqualTo("1041 ms");
    }

    @Test
    @DisplayName("a line says how long the bench waited for idle CPUs before the launches, and how many found them busy")
    void saysHowLongTheLaunchesWaitedForIdleCpus() {
        Bench.Launch idle = new Bench.Launch("obs-on", Map.of("latte", List.of(948L, 902L), "mocha", List.of(1182L, 1082L)),
                Map.of("latte", List.of(new IdleCpus.Wait(400, true, 0.02), new IdleCpus.Wait(1630, true, 0.05)),
                        "mocha", List.of(new IdleCpus.Wait(600, true, 0.0), new IdleCpus.Wait(402, true, 0.1))));
        Bench.Launch busy = new Bench.Launch("obs-off", Map.of("latte", List.of(948L), "mocha", List.of(1182L)),
                Map.of("latte", List.of(new IdleCpus.Wait(401, true, 0.02)),
                        "mocha", List.of(new IdleCpus.Wait(10_004, false, 0.35))));

        assertThat(idle.idleNote())
                .isEqualTo("obs-on: each launch on idle CPUs; the waits before them: latte 400-1630 ms, mocha 402-600 ms");
        assertThat(busy.idleNote()).isEqualTo("obs-off: not every launch on idle CPUs; the waits before them: latte 401 ms, "
                + "mocha 10004 ms (1 of 1 launches on busy CPUs after the wait's limit)");
        assertThat(new Bench.Launch("obs-off", Map.of("latte", List.of(948L))).idleNote()).isEmpty();
    }
}
