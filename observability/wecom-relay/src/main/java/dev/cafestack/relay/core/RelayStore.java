package dev.cafestack.relay.core;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The durable queue: H2's MVStore in one file (on the PVC). An accepted alert is committed (and fsynced) before the
 * relay answers 2xx; it leaves the queue only when WeCom confirmed it (delivered) or refused it for good (kept in
 * {@code failed} with the reason). Keys of {@code pending} are {@code robot NUL seq} so each robot's queue is one
 * ordered range.
 *
 * <p>MVStore locks its file: a second process cannot open the same store.
 */
public final class RelayStore implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final char SEP = '\u0000';

    private final MVStore store;
    private final boolean fsync;
    private final MVMap<String, String> pending;
    private final MVMap<String, String> failed;
    private final MVMap<String, Long> dedup;
    private final MVMap<String, String> sends;
    private final MVMap<String, Long> meta;
    private long seq;
    /** Group commit: the writes made (under this) and the last of them known durable (under durable). */
    private long written;
    private final Object durable = new Object();
    private long durableVersion;

    public RelayStore(Path file, boolean fsync) {
        try {
            if (file.getParent() != null) {
                Files.createDirectories(file.getParent());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.store = new MVStore.Builder().fileName(file.toString()).autoCommitDisabled().open();
        this.fsync = fsync;
        this.pending = store.openMap("pending");
        this.failed = store.openMap("failed");
        this.dedup = store.openMap("dedup");
        this.sends = store.openMap("sends");
        this.meta = store.openMap("meta");
        this.seq = meta.getOrDefault("seq", 0L);
    }

    /**
     * Queues the alerts that are not repeats and returns once they are durable (committed, and fsynced unless turned
     * off): the number that were new. The caller's seq is ignored: the store numbers them.
     *
     * <p>Group commit: callers that arrive while an fsync runs share the next one, so concurrent notifications cost one
     * fsync per batch rather than one each.
     */
    public int accept(List<Queued> alerts) {
        int added = 0;
        long version;
        synchronized (this) {
            for (Queued q : alerts) {
                String key = q.dedupKey();
                if (dedup.containsKey(key)) {
                    continue;
                }
                long n = ++seq;
                Queued numbered = new Queued(n, q.robot(), q.groupKey(), q.externalURL(), q.alert(), q.acceptedAt());
                pending.put(key(q.robot(), n), write(numbered));
                dedup.put(key, q.acceptedAt());
                added++;
            }
            if (added > 0) {
                meta.put("seq", seq);
                version = ++written;
            } else {
                // Only repeats: answer once what they repeat is durable (a failed commit may have left it in memory).
                version = written;
            }
        }
        synchronized (durable) {
            if (durableVersion >= version) {
                return added; // another caller's commit covered these writes
            }
            long target;
            synchronized (this) {
                target = written;
                store.commit();
            }
            if (fsync) {
                store.sync();
            }
            durableVersion = target;
        }
        return added;
    }

    /** The robot's oldest waiting alerts, in queue order. */
    public List<Queued> pending(String robot, int limit) {
        List<Queued> items = new ArrayList<>();
        Iterator<String> keys = pending.keyIterator(robot + SEP);
        while (keys.hasNext() && items.size() < limit) {
            String key = keys.next();
            if (!key.startsWith(robot + SEP)) {
                break;
            }
            String value = pending.get(key);
            if (value != null) {
                items.add(read(value));
            }
        }
        return items;
    }

    /** The robots that have alerts waiting. */
    public List<String> robotsWithPending() {
        List<String> robots = new ArrayList<>();
        String key = pending.firstKey();
        while (key != null) {
            String robot = key.substring(0, key.indexOf(SEP));
            robots.add(robot);
            key = pending.ceilingKey(robot + '\u0001');
        }
        return robots;
    }

    public synchronized void delivered(Collection<Queued> items) {
        for (Queued q : items) {
            pending.remove(key(q.robot(), q.seq()));
        }
        commit();
    }

    /** Moves the alerts out of the queue into {@code failed}, with the reason WeCom gave. */
    public synchronized void failed(Collection<Queued> items, String reason) {
        for (Queued q : items) {
            String value = pending.remove(key(q.robot(), q.seq()));
            if (value != null) {
                failed.put(key(q.robot(), q.seq()), reason + " " + value);
            }
        }
        commit();
    }

    public int depth() {
        return (int) Math.min(Integer.MAX_VALUE, pending.sizeAsLong());
    }

    public int failedCount() {
        return (int) Math.min(Integer.MAX_VALUE, failed.sizeAsLong());
    }

    /** The reasons and alerts kept as failed: reason, then the alert as stored. */
    public List<String> failedEntries() {
        return new ArrayList<>(failed.values());
    }

    /** When the oldest waiting alert was accepted (epoch ms). */
    public OptionalLong oldestAcceptedAt() {
        long oldest = Long.MAX_VALUE;
        for (String robot : robotsWithPending()) {
            List<Queued> first = pending(robot, 1);
            if (!first.isEmpty()) {
                oldest = Math.min(oldest, first.get(0).acceptedAt());
            }
        }
        return oldest == Long.MAX_VALUE ? OptionalLong.empty() : OptionalLong.of(oldest);
    }

    /** The robot's recent send times (epoch ms), so the rate budget survives a restart. */
    public List<Long> sendTimes(String robot) {
        String value = sends.get(robot);
        List<Long> times = new ArrayList<>();
        if (value != null && !value.isEmpty()) {
            for (String t : value.split(",")) {
                times.add(Long.parseLong(t));
            }
        }
        return times;
    }

    public synchronized void saveSendTimes(String robot, Collection<Long> times) {
        sends.put(robot, String.join(",", times.stream().map(String::valueOf).toList()));
        commit();
    }

    /** Forgets repeats older than the retention. */
    public synchronized int forgetRepeatsBefore(long epochMillis) {
        List<String> old = new ArrayList<>();
        for (Map.Entry<String, Long> e : dedup.entrySet()) {
            if (e.getValue() < epochMillis) {
                old.add(e.getKey());
            }
        }
        old.forEach(dedup::remove);
        if (!old.isEmpty()) {
            commit();
        }
        return old.size();
    }

    /** Writes and commits a probe value: true when the store takes writes (readiness). */
    public synchronized boolean writable() {
        try {
            meta.put("probe", System.currentTimeMillis());
            commit();
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    private void commit() {
        store.commit();
        if (fsync) {
            store.sync();
        }
    }

    @Override
    public synchronized void close() {
        if (!store.isClosed()) {
            store.close();
        }
    }

    private static String key(String robot, long seq) {
        return robot + SEP + String.format("%019d", seq);
    }

    private static String write(Queued q) {
        try {
            return JSON.writeValueAsString(q);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static Queued read(String value) {
        try {
            return JSON.readValue(value, Queued.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("unreadable queue entry: " + e.getMessage(), e);
        }
    }
}
