package dev.cafestack.common;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

class MetricsSwitchTest {

    @Test
    @DisplayName("cafe.metrics.enabled=false turns every meter into a no-op; true leaves meters alone")
    void switchesMetersOffAndOn() {
        SimpleMeterRegistry off = new SimpleMeterRegistry();
        off.config().meterFilter(new MetricsSwitch().metricsSwitch(false));
        Counter.builder("http.server.requests").register(off).increment();
        assertThat(off.getMeters()).isEmpty();

        SimpleMeterRegistry on = new SimpleMeterRegistry();
        on.config().meterFilter(new MetricsSwitch().metricsSwitch(true));
        Counter.builder("http.server.requests").register(on).increment();
        assertThat(on.get("http.server.requests").counter().count()).isEqualTo(1.0);
    }
}
