package dev.cafestack.mocha.config;

import java.nio.file.Path;
import java.util.List;

import dev.cafestack.configcheck.ConfigFileCheck;

/**
 * Checks mocha.yaml files the way mocha does at startup: the same SmallRye mapping (types, required and unknown
 * keys) and the same {@link ConfigRules}, each problem with the file, the key and its line. Used by the build for
 * every environment's file, by the config-only pipeline, and by tests.
 *
 * <pre>java dev.cafestack.mocha.config.ConfigCheck &lt;config-dir&gt; &lt;env,env,...&gt;</pre>
 */
public final class ConfigCheck {

    private static final ConfigFileCheck<MochaConfig> CHECK =
            new ConfigFileCheck<>(MochaConfig.class, ConfigRules::problems);

    private ConfigCheck() {
    }

    /** The problems of one file, each prefixed with the file's path; empty when the file is good. */
    public static List<String> check(Path file) {
        return CHECK.check(file);
    }

    public static void main(String[] args) {
        CHECK.commandLine(args);
    }
}
