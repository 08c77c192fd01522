import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * The mesh values that an environment file does not state but implies, computed and checked at build time (run by
 * mesh/istio's pom with Java's source launcher: {@code java MeshValues.java <repo root> <out dir> <env,env,...>}).
 *
 * <p>For each environment it writes {@code <out dir>/<env>.properties}: the latte split (v1 = latte.stable.weight,
 * v2 = latte.canary.weight, whole percentages that must sum to 100),
 * the trace sampling percentage (Telemetry) from the sampling ratio (OpenTelemetry), and which scenario fragments to
 * render (the Gateway with or without TLS, latte's route with or without a canary). Anything that breaks the rules
 * fails the build with a message naming the file, the property and the values; all environments are checked first.
 */
public final class MeshValues {

    static final String WEIGHT = "latte.canary.weight";
    static final String STABLE = "latte.stable.weight";
    static final String TAG = "latte.canary.tag";
    static final String SAMPLING = "cafe.trace.sampling";
    static final String TLS = "mesh.gateway.tls.secret";

    public static void main(String[] args) throws IOException {
        if (args.length != 3) {
            System.err.println("usage: java MeshValues.java <repository root> <output directory> <env,env,...>");
            System.exit(2);
        }
        Path root = Path.of(args[0]);
        Path out = Path.of(args[1]);
        List<String> problems = new ArrayList<>();
        List<String> envs = List.of(args[2].split(","));
        List<Properties> results = new ArrayList<>();
        for (String env : envs) {
            Path file = root.resolve("environments").resolve(env + ".properties");
            Properties values = new Properties();
            try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                values.load(reader);
            }
            results.add(derive("environments/" + env + ".properties", values, problems));
        }
        if (!problems.isEmpty()) {
            problems.forEach(p -> System.err.println("[mesh] " + p));
            System.exit(1);
        }
        Files.createDirectories(out);
        for (int i = 0; i < envs.size(); i++) {
            try (Writer writer = Files.newBufferedWriter(out.resolve(envs.get(i) + ".properties"), StandardCharsets.UTF_8)) {
                results.get(i).store(writer, "derived by mesh/istio/src/main/build/MeshValues.java; do not edit");
            }
        }
    }

    static Properties derive(String file, Properties values, List<String> problems) {
        Properties derived = new Properties();
        String canaryTag = values.getProperty(TAG, "").trim();
        String weight = values.getProperty(WEIGHT);
        String stableWeight = values.getProperty(STABLE);
        String rule = ": latte's weights are whole percentages 0-100, " + STABLE + " (v1) + " + WEIGHT + " (v2) = 100";
        Integer v2 = percent(weight);
        Integer v1 = percent(stableWeight);
        if (v2 == null) {
            problems.add(file + ": " + WEIGHT + "=" + weight + " is not a weight" + rule);
        }
        if (stableWeight == null) {
            problems.add(file + ": " + STABLE + " is missing" + rule + " (100 without a canary)");
        } else if (v1 == null) {
            problems.add(file + ": " + STABLE + "=" + stableWeight + " is not a weight" + rule);
        }
        if (v1 != null && v2 != null) {
            if (v1 + v2 != 100) {
                problems.add(file + ": " + STABLE + "=" + v1 + " + " + WEIGHT + "=" + v2 + " = " + (v1 + v2)
                        + ", not 100" + rule + " (set " + STABLE + "=" + (100 - v2) + " for a " + v2 + " % canary)");
            }
            if (v2 > 0 && canaryTag.isEmpty()) {
                problems.add(file + ": " + WEIGHT + "=" + v2 + " sends traffic to latte v2, but " + TAG
                        + " is empty (no latte-v2 is rendered): set the tag or the weight to 0");
            }
            derived.setProperty("latte.v1.weight", Integer.toString(v1));
            derived.setProperty("latte.v2.weight", Integer.toString(v2));
        }
        derived.setProperty("latte.route.fragment",
                canaryTag.isEmpty() ? "virtual-service-latte.yml" : "virtual-service-latte-canary.yml");

        String ratio = values.getProperty(SAMPLING);
        BigDecimal percentage = null;
        try {
            percentage = ratio == null ? null : new BigDecimal(ratio.trim());
        } catch (NumberFormatException e) {
            // reported below
        }
        if (percentage == null || percentage.signum() < 0 || percentage.compareTo(BigDecimal.ONE) > 0) {
            problems.add(file + ": " + SAMPLING + "=" + ratio + " is not a sampling ratio between 0 and 1");
        } else if (percentage.movePointRight(4).stripTrailingZeros().scale() > 0) {
            problems.add(file + ": " + SAMPLING + "=" + ratio + " is finer than Istio's sampling precision"
                    + " (randomSamplingPercentage steps of 0.01 %, i.e. a ratio with at most 4 decimals)");
        } else {
            BigDecimal scaled = percentage.movePointRight(2).stripTrailingZeros();
            // Telemetry's randomSamplingPercentage is a double: always written with a decimal point (100.0, 5.0, 0.5).
            derived.setProperty("trace.sampling.percentage",
                    scaled.setScale(Math.max(1, scaled.scale()), java.math.RoundingMode.UNNECESSARY).toPlainString());
        }

        String secret = values.getProperty(TLS);
        if (secret == null) {
            problems.add(file + ": " + TLS + " is missing (leave it empty for a gateway without HTTPS)");
        } else {
            derived.setProperty("gateway.fragment",
                    secret.trim().isEmpty() ? "gateway-cafe.yml" : "gateway-cafe-tls.yml");
        }
        return derived;
    }

    /** A whole number 0-100, or null. */
    private static Integer percent(String text) {
        if (text == null || !text.trim().matches("-?[0-9]{1,9}")) {
            return null;
        }
        int value = Integer.parseInt(text.trim());
        return value < 0 || value > 100 ? null : value;
    }
}
