package dev.cafestack.mocha;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.inject.Inject;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * OpenTelemetry carries traces only: metrics are Micrometer's (Prometheus) and logs go to stdout, so its SDK runs no
 * metric reader and no log record processor, neither their threads nor their classes.
 */
@QuarkusTest
@QuarkusTestResource(LatteProcess.class)
class TracesOnlyTest {

    @Inject
    OpenTelemetry openTelemetry;

    @Test
    @DisplayName("the OpenTelemetry SDK (tracing on, as in a cluster) starts no metric reader or log processor thread")
    void runsNoMetricOrLogPipeline() {
        // The SDK is up and records spans (a root span is sampled; the tests export nothing during the run).
        Span span = openTelemetry.getTracer("test").spanBuilder("probe").startSpan();
        span.end();
        assertThat(span.getSpanContext().isSampled()).isTrue();
        assertThat(Thread.getAllStackTraces().keySet()).map(Thread::getName)
                .isNotEmpty()
                .noneMatch(name -> name.startsWith("PeriodicMetricReader"))
                .noneMatch(name -> name.startsWith("BatchLogRecordProcessor"));
    }
}
