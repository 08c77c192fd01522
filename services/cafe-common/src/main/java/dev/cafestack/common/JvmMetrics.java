package dev.cafestack.common;

import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.quarkus.arc.properties.IfBuildProperty;
import io.quarkus.micrometer.runtime.binder.JVMInfoBinder;

/**
 * The JVM's meters, one {@code MeterBinder} bean that Quarkus binds as it binds every such bean: the classes, memory
 * pools, threads, JVM version ({@code jvm_info}) and collections ({@code jvm_gc_pause_seconds}, ...) that Quarkus' own
 * JVM binder registers. Only where a service switches Quarkus' binder off ({@code quarkus.micrometer.binder.jvm=false}, as mocha
 * and latte do): never both, which would count every collection twice.
 *
 * <p>Left out: Micrometer's {@code JvmHeapPressureMetrics} ({@code jvm_memory_usage_after_gc},
 * {@code jvm_gc_overhead}), which no dashboard or alert of the stack reads. Its constructor divides a {@code Duration}
 * by a number, through {@code BigDecimal}, whose class initialisation on Java 25 is 40-90 ms of interpreted work on the
 * main thread of every start (docs/sizing-log.md, "What changed").
 *
 * <p>Active only for exactly {@code quarkus.micrometer.binder.jvm=false}. Binds {@code JvmGcMetrics} in JVM mode, as
 * Quarkus does; the services are not built native.
 */
@Singleton
@IfBuildProperty(name = "quarkus.micrometer.binder.jvm", stringValue = "false")
public class JvmMetrics implements MeterBinder {

    /** Listens to the JVM's collection notifications until the application stops. */
    private final JvmGcMetrics collections = new JvmGcMetrics();

    @Override
    public void bindTo(MeterRegistry registry) {
        new ClassLoaderMetrics().bindTo(registry);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new JVMInfoBinder().bindTo(registry);
        collections.bindTo(registry);
    }

    @PreDestroy
    void stop() {
        collections.close();
    }
}
