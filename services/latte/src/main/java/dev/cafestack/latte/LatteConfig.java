package dev.cafestack.latte;

import java.util.List;
import java.util.Map;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** What latte can brew and who it says it is. Values come from application.properties and the pod's environment. */
@ConfigMapping(prefix = "latte")
public interface LatteConfig {

    /** The serving pod's name: the downward API's POD_NAME, else HOSTNAME. Never resolved through DNS. */
    String pod();

    /** The deployed version of latte ("v1", "v2"), from the Deployment's environment. */
    String version();

    /** Drink name -> base brew time in milliseconds for a small cup. */
    Map<String, Long> drinks();

    /** Allowed sizes, smallest first; each size up multiplies the brew time by {@link #sizeFactor()}. */
    List<String> sizes();

    @WithDefault("1.25")
    double sizeFactor();
}
