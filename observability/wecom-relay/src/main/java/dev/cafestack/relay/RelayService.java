package dev.cafestack.relay;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import dev.cafestack.relay.config.ConfigRules;
import dev.cafestack.relay.config.RelayConfig;
import dev.cafestack.relay.core.Masker;
import dev.cafestack.relay.core.MessageFormatter;
import dev.cafestack.relay.core.Notification;
import dev.cafestack.relay.core.Relay;
import dev.cafestack.relay.core.RelayMetrics;
import dev.cafestack.relay.core.RelayStore;
import dev.cafestack.relay.core.Router;
import dev.cafestack.relay.core.WeComClient;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;

/**
 * Starts the relay: checks the configuration (the build's rules), reads the Secrets, opens the store and runs the
 * delivery loop on its own thread. On shutdown the loop finishes the send in flight and the store is closed; what was
 * not confirmed by WeCom stays queued for the next start.
 */
@ApplicationScoped
public class RelayService {

    private static final Logger LOG = Logger.getLogger(RelayService.class);

    @Inject
    RelayConfig config;

    @Inject
    MeterRegistry registry;

    private final Object signal = new Object();
    private boolean woken;
    private volatile boolean running;
    private Thread loop;
    private RelayStore store;
    private Relay relay;
    private Secrets secrets;
    private final Clock clock = Clock.systemUTC();

    void start(@Observes StartupEvent event) {
        List<String> problems = ConfigRules.problems(config);
        if (!problems.isEmpty()) {
            throw new IllegalStateException("relay config is invalid:\n  " + String.join("\n  ", problems));
        }
        secrets = new Secrets(Path.of(config.auth().tokenFile()));
        secrets.checkToken();
        Map<String, String> keys = Secrets.robotKeys(Path.of(config.wecom().keysDir()), config.robots());
        store = new RelayStore(Path.of(config.store().path()), config.store().fsync());
        Relay.Settings settings = new Relay.Settings(config.rate().perMinute(), config.retry().initial(),
                config.retry().max(), config.dedupRetention());
        relay = new Relay(store, new Router(config),
                new MessageFormatter(ZoneId.of(config.timeZone()), config.grafanaUrl().orElse(""), config.mentions()),
                new WeComClient(config.wecom().url(), config.wecom().connectTimeout(), config.wecom().timeout()),
                keys, clock, new SecureRandom(), new RelayMetrics(registry, store, clock), settings);
        Masker masker = relay.masker();
        keys.forEach((robot, key) -> LOG.infof("robot %s: key %s", robot, Masker.masked(key)));
        LOG.infof("store %s: %d alert(s) waiting, %d kept as failed; sending to %s", config.store().path(), store.depth(),
                store.failedCount(), masker.mask(config.wecom().url()));
        running = true;
        loop = new Thread(this::deliver, "relay-delivery");
        loop.start();
    }

    void stop(@Observes ShutdownEvent event) {
        running = false;
        wake();
        if (loop != null) {
            try {
                loop.join(config.wecom().timeout().toMillis() + 2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (store != null) {
            LOG.infof("stopping: %d alert(s) left in the store for the next start", store.depth());
            store.close();
        }
    }

    /** Stores the notification (durably) and wakes the delivery loop; answers how many alerts were new. */
    int accept(Notification notification) {
        int added = relay.accept(notification);
        if (added > 0) {
            wake();
        }
        return added;
    }

    boolean authorized(String header) {
        return secrets.authorized(header);
    }

    boolean storeWritable() {
        return store != null && running && store.writable();
    }

    int maxBodyBytes() {
        return config.maxBodyBytes();
    }

    private void wake() {
        synchronized (signal) {
            woken = true;
            signal.notifyAll();
        }
    }

    private void deliver() {
        while (running) {
            long next;
            try {
                next = relay.dispatchOnce();
            } catch (RuntimeException e) {
                LOG.error("delivery round failed; trying again in 1 s: " + relay.masker().mask(String.valueOf(e)));
                next = clock.millis() + 1000;
            }
            synchronized (signal) {
                long wait = next - clock.millis();
                if (!woken && wait > 0 && running) {
                    try {
                        signal.wait(wait);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
                woken = false;
            }
        }
    }
}
