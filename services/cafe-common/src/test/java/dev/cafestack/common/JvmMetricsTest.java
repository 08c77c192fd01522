package dev.cafestack.common;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import io.micrometer.prometheus.PrometheusConfig;
import io.micrometer.prometheus.PrometheusMeterRegistry;

class JvmMetricsTest {

    @Test
    @DisplayName("binds every JVM series the JVM dashboard reads, jvm_info and the class counts, not the heap-pressure pair")
    void bindsTheSeriesTheDashboardReads() throws InterruptedException {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        JvmMetrics jvm = new JvmMetrics();
        try {
            jvm.bindTo(registry);
            // A collection's pause is recorded when the JVM's notification arrives, on a thread of its own.
            for (int i = 0; i < 50 && !registry.scrape().contains("jvm_gc_pause_seconds_count{"); i++) {
                System.gc();
                Thread.sleep(100);
            }
            assertThat(registry.scrape())
                    .contains("jvm_memory_used_bytes{", "jvm_memory_max_bytes{", "jvm_gc_pause_seconds_sum{",
                            "jvm_gc_pause_seconds_count{", "jvm_threads_live_threads ", "jvm_threads_states_threads{",
                            "jvm_info_total{", "jvm_classes_loaded_classes ")
                    .doesNotContain("jvm_gc_overhead", "jvm_memory_usage_after_gc");
        } finally {
            jvm.stop();
        }
    }
}
