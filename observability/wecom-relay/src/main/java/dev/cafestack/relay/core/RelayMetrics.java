package dev.cafestack.relay.core;

import java.time.Clock;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The relay's metrics, named as the monitoring rules expect them: relay_notifications_received_total,
 * relay_messages_sent_total{result}, relay_queue_depth, relay_oldest_pending_seconds,
 * relay_delivery_failures_total{reason}. Every result and reason is registered at zero, so rates work from the start.
 */
public final class RelayMetrics {

    private final MeterRegistry registry;
    private final Counter received;

    public RelayMetrics(MeterRegistry registry, RelayStore store, Clock clock) {
        this.registry = registry;
        this.received = Counter.builder("relay.notifications.received")
                .description("Alertmanager notifications accepted (stored) by the relay").register(registry);
        for (String result : new String[] {"ok", "retry", "failed"}) {
            sentCounter(result);
        }
        for (Delivery.Outcome outcome : Delivery.Outcome.values()) {
            if (outcome != Delivery.Outcome.OK) {
                failureCounter(outcome.reason);
            }
        }
        failureCounter("unknown_robot");
        Gauge.builder("relay.queue.depth", store, RelayStore::depth)
                .description("Alerts waiting in the store for delivery").register(registry);
        Gauge.builder("relay.oldest.pending.seconds", store,
                s -> s.oldestAcceptedAt().stream().mapToDouble(t -> Math.max(0, clock.millis() - t) / 1000.0).findFirst().orElse(0))
                .description("Age of the oldest alert waiting for delivery (0 when none waits)").register(registry);
    }

    public void received() {
        received.increment();
    }

    /** A message sent: ok (WeCom took it), retry (it will be sent again), failed (WeCom refused it for good). */
    public void sent(String result) {
        sentCounter(result).increment();
    }

    public void failure(String reason) {
        failureCounter(reason).increment();
    }

    private Counter sentCounter(String result) {
        return Counter.builder("relay.messages.sent").tag("result", result)
                .description("Messages sent to WeCom robots, by result").register(registry);
    }

    private Counter failureCounter(String reason) {
        return Counter.builder("relay.delivery.failures").tag("reason", reason)
                .description("Failed sends to WeCom robots, by reason (retried or permanent)").register(registry);
    }
}
