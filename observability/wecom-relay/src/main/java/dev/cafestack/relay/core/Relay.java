package dev.cafestack.relay.core;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;

import org.jboss.logging.Logger;

/**
 * The relay without its HTTP front: {@link #accept} routes and stores a notification; {@link #dispatchOnce} does one
 * round of deliveries and says when the next round is due. Time comes from the {@link Clock} alone, so tests run
 * hours of outage in milliseconds.
 *
 * <p>Per robot, in queue order: while the waiting alerts fit the robot's budget each goes as its own message; when
 * more wait, they are merged (one message per Alertmanager group, split at 4096 bytes). A retryable failure (45009,
 * 5xx, timeout, connection) stops the robot's round and backs off exponentially with jitter, capped; a permanent one
 * (93000, 40058, other errcodes) moves the message's alerts to the store's failed list and goes on.
 */
public final class Relay {

    private static final Logger LOG = Logger.getLogger(Relay.class);
    /** Alerts of one robot looked at per round; more wait for the next round. */
    private static final int BATCH = 2000;
    private static final long IDLE_MILLIS = 60_000;
    /** WeCom's minute, plus a second for the difference between our clock and the moment WeCom counted the message. */
    private static final long WINDOW_MILLIS = 61_000;

    /** Settings of delivery. */
    public record Settings(int perMinute, Duration initialBackoff, Duration maxBackoff, Duration dedupRetention) {
    }

    private static final class RobotState {
        final RateBudget budget;
        int failures;
        long retryAt;
        long lastSend = Long.MIN_VALUE / 2;

        RobotState(RateBudget budget) {
            this.budget = budget;
        }
    }

    private final RelayStore store;
    private final Router router;
    private final MessageFormatter formatter;
    private final WeComClient client;
    private final Map<String, String> keys;
    private final Masker masker;
    private final Clock clock;
    private final RandomGenerator random;
    private final RelayMetrics metrics;
    private final Settings settings;
    private final Map<String, RobotState> robots = new HashMap<>();
    private long nextForget;

    public Relay(RelayStore store, Router router, MessageFormatter formatter, WeComClient client, Map<String, String> keys,
            Clock clock, RandomGenerator random, RelayMetrics metrics, Settings settings) {
        this.store = store;
        this.router = router;
        this.formatter = formatter;
        this.client = client;
        this.keys = Map.copyOf(keys);
        this.masker = new Masker(List.copyOf(keys.values()));
        this.clock = clock;
        this.random = random;
        this.metrics = metrics;
        this.settings = settings;
    }

    /** Routes and stores the notification's alerts (durably); answers how many were new (not repeats). */
    public int accept(Notification n) {
        long now = clock.millis();
        List<Queued> items = new ArrayList<>();
        for (Alert alert : n.alerts()) {
            for (String robot : router.robots(alert.labels())) {
                items.add(new Queued(0, robot, n.groupKey(), n.externalURL(), alert, now));
            }
        }
        int added = store.accept(items);
        metrics.received();
        return added;
    }

    /** One round of deliveries for every robot with waiting alerts; returns when the next round is due (epoch ms). */
    public synchronized long dispatchOnce() {
        long now = clock.millis();
        if (now >= nextForget) {
            store.forgetRepeatsBefore(now - settings.dedupRetention().toMillis());
            nextForget = now + Duration.ofHours(1).toMillis();
        }
        long next = now + IDLE_MILLIS;
        for (String robot : store.robotsWithPending()) {
            next = Math.min(next, dispatch(robot));
        }
        return next;
    }

    private long dispatch(String robot) {
        long now = clock.millis();
        String key = keys.get(robot);
        if (key == null) {
            List<Queued> orphans = store.pending(robot, BATCH);
            LOG.errorf("robot %s is no longer configured or has no key: %d alert(s) kept as failed", robot, orphans.size());
            store.failed(orphans, "unknown_robot");
            orphans.forEach(q -> metrics.failure("unknown_robot"));
            return now;
        }
        RobotState state = robots.computeIfAbsent(robot, r -> new RobotState(
                new RateBudget(settings.perMinute(), WINDOW_MILLIS, store.sendTimes(r))));
        if (state.retryAt > now) {
            return state.retryAt;
        }
        int tokens = state.budget.available(now);
        if (tokens == 0) {
            return state.budget.nextToken(now);
        }
        List<Queued> items = store.pending(robot, BATCH);
        // A few tokens are kept for merged messages. While the budget is that low, merged messages go out no faster
        // than the tokens come back, so each one gathers what arrived meanwhile instead of spending the last tokens on
        // the first alerts of a burst.
        int reserve = Math.max(1, settings.perMinute() / 4);
        boolean scarce = tokens <= reserve;
        boolean singles = !scarce && items.size() <= tokens - reserve;
        if (scarce) {
            long pace = WINDOW_MILLIS / settings.perMinute();
            if (now - state.lastSend < pace) {
                return state.lastSend + pace;
            }
        }
        List<MessageFormatter.Message> messages = singles
                ? items.stream().map(formatter::single).toList()
                : formatter.merged(items);
        int sent = 0;
        for (MessageFormatter.Message message : messages) {
            if (sent == tokens) {
                break;
            }
            sent++;
            Delivery delivery = client.send(key, message.content());
            // The token is spent when the answer came: WeCom counted the message before it answered.
            now = clock.millis();
            state.budget.spend(now);
            state.lastSend = now;
            store.saveSendTimes(robot, state.budget.spentTimes());
            Delivery.Outcome outcome = delivery.outcome();
            if (outcome == Delivery.Outcome.OK) {
                store.delivered(message.items());
                metrics.sent("ok");
                state.failures = 0;
                continue;
            }
            metrics.failure(outcome.reason);
            if (outcome.permanent) {
                store.failed(message.items(), outcome.reason + " (" + delivery.detail() + ")");
                metrics.sent("failed");
                LOG.errorf("robot %s refused a message for good (%s): %d alert(s) kept as failed in the store",
                        robot, masker.mask(delivery.detail()), message.items().size());
                continue;
            }
            metrics.sent("retry");
            state.failures++;
            long backoff = backoff(state.failures);
            state.retryAt = now + backoff;
            if (outcome == Delivery.Outcome.RATE_LIMITED) {
                state.budget.exhaust(now);
                state.retryAt = Math.max(state.retryAt, state.budget.nextToken(now));
                store.saveSendTimes(robot, state.budget.spentTimes());
            }
            LOG.warnf("robot %s: send failed (%s, %s); attempt %d, next in %d ms; %d alert(s) wait", robot,
                    outcome.reason, masker.mask(delivery.detail()), state.failures, state.retryAt - now, items.size());
            return state.retryAt;
        }
        return sent < messages.size() || items.size() == BATCH ? Math.min(now + 1, state.budget.nextToken(now)) : now + IDLE_MILLIS;
    }

    /** Capped exponential backoff with jitter: a random delay between half and all of min(max, initial * 2^(n-1)). */
    long backoff(int failures) {
        long initial = settings.initialBackoff().toMillis();
        long cap = settings.maxBackoff().toMillis();
        long exp = failures >= 31 ? cap : Math.min(cap, initial << (failures - 1));
        return exp / 2 + random.nextLong(exp / 2 + 1);
    }

    public Masker masker() {
        return masker;
    }
}
