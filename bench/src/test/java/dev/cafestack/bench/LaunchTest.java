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
}
