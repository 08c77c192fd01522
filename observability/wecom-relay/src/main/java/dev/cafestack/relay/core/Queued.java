package dev.cafestack.relay.core;

/** An alert waiting in the store for one robot. seq orders the robot's queue; acceptedAt is epoch milliseconds. */
public record Queued(long seq, String robot, String groupKey, String externalURL, Alert alert, long acceptedAt) {

    /** What makes a repeat a repeat: Alertmanager sends the same alert again on every group change and repeat_interval. */
    public String dedupKey() {
        return robot + "|" + alert.fingerprint() + "|" + alert.status() + "|" + alert.startsAt();
    }
}
