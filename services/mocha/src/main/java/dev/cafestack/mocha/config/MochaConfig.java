package dev.cafestack.mocha.config;

import java.time.Duration;
import java.util.Map;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * mocha's runtime configuration: the YAML file that Kubernetes mounts from a ConfigMap at /config/mocha.yaml
 * (path from MOCHA_CONFIG). One file per environment lives in src/main/config/&lt;env&gt;/mocha.yaml.
 *
 * <p>Typing, required keys and unknown keys are enforced by SmallRye Config; the rules of {@link ConfigRules}
 * add what types cannot say. Both run at build time ({@link ConfigCheck}) and at startup.
 */
@ConfigMapping(prefix = "mocha")
public interface MochaConfig {

    Menu menu();

    Orders orders();

    Latte latte();

    interface Menu {
        /** ISO 4217 code, e.g. EUR. */
        String currency();

        /** Drink name -> size -> price. Drink and size names are what latte brews. */
        Map<String, Map<String, Price>> drinks();
    }

    interface Latte {
        /** How long one call to latte may take, from its start (a gRPC deadline latte sees too). */
        @WithDefault("1s")
        Duration deadline();
    }

    interface Orders {
        /** Longest accepted notes, in characters. */
        @WithDefault("140")
        int maxNotesLength();
    }
}
