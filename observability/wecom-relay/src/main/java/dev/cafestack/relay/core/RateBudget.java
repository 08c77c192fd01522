package dev.cafestack.relay.core;

import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Deque;

/**
 * One robot's token bucket: {@code capacity} tokens, each spent token comes back one window (a minute) after it was
 * spent. So at most {@code capacity} messages go out in any window, which is WeCom's limit (20 per minute per robot)
 * however it counts the minute. A 45009 reply empties the bucket for a window.
 */
public final class RateBudget {

    private final int capacity;
    private final long windowMillis;
    private final Deque<Long> spent = new ArrayDeque<>();

    public RateBudget(int capacity, long windowMillis, Collection<Long> recent) {
        this.capacity = capacity;
        this.windowMillis = windowMillis;
        recent.stream().sorted().forEach(spent::addLast);
        while (spent.size() > capacity) {
            spent.removeFirst();
        }
    }

    public int available(long now) {
        expire(now);
        return capacity - spent.size();
    }

    /** When the next token comes back (now if one is there). */
    public long nextToken(long now) {
        expire(now);
        return spent.size() < capacity ? now : spent.peekFirst() + windowMillis;
    }

    public void spend(long now) {
        expire(now);
        spent.addLast(now);
    }

    /** WeCom said 45009: someone else used the robot too. No token until a window from now. */
    public void exhaust(long now) {
        spent.clear();
        for (int i = 0; i < capacity; i++) {
            spent.addLast(now);
        }
    }

    public Collection<Long> spentTimes() {
        return spent;
    }

    private void expire(long now) {
        while (!spent.isEmpty() && spent.peekFirst() + windowMillis <= now) {
            spent.removeFirst();
        }
    }
}
