package dev.cafestack.relay.config;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

/**
 * The relay's configuration. Routing, message and retry settings come from the environment's relay.yaml (a ConfigMap
 * mounted at /config/relay.yaml, one file per environment in src/main/config/&lt;env&gt;/); where the store, the token
 * and the robot keys are comes from the pod (defaults below, environment variables in tests). Robot keys are never in
 * this file: only the robots' names, each a file in the Secret mounted at {@code wecom.keys-dir}.
 *
 * <p>Typing, required and unknown keys are enforced by SmallRye Config; {@link ConfigRules} adds the rest. Both run at
 * build time ({@link ConfigCheck}) and at startup.
 */
@ConfigMapping(prefix = "relay")
public interface RelayConfig {

    /** Time zone of start/end times in messages, e.g. Asia/Shanghai. */
    @WithName("time-zone")
    String timeZone();

    /** Base URL of Grafana, linked from every message (empty: no link). */
    @WithName("grafana-url")
    Optional<String> grafanaUrl();

    /** The robots' names. Each has its key in the robot Secret, under the same name. */
    List<String> robots();

    /** Routes, in order: an alert goes to the robots of the first route whose matchers all match (and of later
     * routes while a matching route says {@code continue: true}). */
    List<Route> routes();

    /** Robots of an alert that no route matches. */
    @WithName("default-robots")
    List<String> defaultRobots();

    /** Severity label value -> WeCom user ids mentioned ({@code <@id>}); "@all" mentions everyone. */
    Map<String, List<String>> mentions();

    Rate rate();

    Retry retry();

    /** How long (fingerprint, status, startsAt) is remembered, so Alertmanager's repeats are not sent again. */
    @WithName("dedup-retention")
    @WithDefault("7d")
    Duration dedupRetention();

    /** Largest accepted request body; bigger answers 413. */
    @WithName("max-body-bytes")
    @WithDefault("1048576")
    int maxBodyBytes();

    Store store();

    Auth auth();

    Wecom wecom();

    interface Route {
        /** Alertmanager label matchers: name="value", name!="value", name=~"regex", name!~"regex". */
        List<String> matchers();

        List<String> robots();

        @WithName("continue")
        @WithDefault("false")
        boolean continueMatching();
    }

    interface Rate {
        /** WeCom's limit: 20 messages per minute per robot. */
        @WithName("per-minute")
        @WithDefault("20")
        int perMinute();
    }

    interface Retry {
        @WithDefault("2s")
        Duration initial();

        @WithDefault("5m")
        Duration max();
    }

    interface Store {
        /** The MVStore file, on the PVC. */
        @WithDefault("/data/relay.mv.db")
        String path();

        /** fsync on every accepted notification (off only to measure what it costs). */
        @WithDefault("true")
        boolean fsync();
    }

    interface Auth {
        /** The bearer token, a file of the Secret that Alertmanager's credentials_file reads too. */
        @WithName("token-file")
        @WithDefault("/secrets/token/token")
        String tokenFile();
    }

    interface Wecom {
        @WithDefault("https://qyapi.weixin.qq.com/cgi-bin/webhook/send")
        String url();

        /** One robot's key per file, named as the robot (the Secret wecom-relay-robots). */
        @WithName("keys-dir")
        @WithDefault("/secrets/robots")
        String keysDir();

        /** How long one send may take before it counts as a timeout (and is retried). */
        @WithDefault("10s")
        Duration timeout();

        @WithName("connect-timeout")
        @WithDefault("5s")
        Duration connectTimeout();

        Optional<String> proxy();
    }
}
