package dev.cafestack.relay.config;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import dev.cafestack.configcheck.ConfigFileCheck;

/**
 * Checks relay.yaml files the way the relay does at startup: the same SmallRye mapping (types, required and unknown
 * keys) and the same {@link ConfigRules}, each problem with the file, the key and its line. Used by the build for
 * every environment's file, and by tests.
 *
 * <pre>java dev.cafestack.relay.config.ConfigCheck &lt;config-dir&gt; &lt;env,env,...&gt;</pre>
 */
public final class ConfigCheck {

    private static final ConfigFileCheck<RelayConfig> CHECK =
            new ConfigFileCheck<>(RelayConfig.class, ConfigRules::problems);

    private ConfigCheck() {
    }

    /** The problems of one file, each prefixed with the file's path; empty when the file is good. */
    public static List<String> check(Path file) {
        return CHECK.check(file);
    }

    /** The file as the relay maps it (types, required and unknown keys checked; not the rules). */
    public static RelayConfig read(Path file) throws IOException {
        return CHECK.read(file);
    }

    public static void main(String[] args) {
        CHECK.commandLine(args);
    }
}
