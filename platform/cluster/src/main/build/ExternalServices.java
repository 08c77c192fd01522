import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Pattern;

/**
 * The ExternalName Services of each environment, from its {@code cluster.external-services} key, checked at build time
 * (run by platform/cluster's pom with Java's source launcher:
 * {@code java ExternalServices.java <repo root> <template> <out dir> <env,env,...>}).
 *
 * <p>The key is a comma-separated list of {@code <service name>=<external host>} (empty: none). For each entry it writes
 * {@code <out dir>/<env>/<name>-service.yml} from the template, replacing {@code @name@} and {@code @host@} with values
 * that passed the rules below (so nothing but a checked DNS name reaches the YAML); the shared render then fills in the
 * environment's namespace. A broken entry fails the build naming the file, the key, the value and the fix; every
 * environment is checked before anything is written.
 */
public final class ExternalServices {

    static final String KEY = "cluster.external-services";
    /** A Service name: a DNS-1035 label (Kubernetes' rule for Service names). */
    static final Pattern SERVICE_NAME = Pattern.compile("[a-z]([-a-z0-9]*[a-z0-9])?");
    /** The external host: a DNS-1123 subdomain, the rule Kubernetes applies to spec.externalName. */
    static final Pattern DNS_1123_SUBDOMAIN = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
    static final Pattern IPV4 = Pattern.compile("[0-9]{1,3}(\\.[0-9]{1,3}){3}");

    public static void main(String[] args) throws IOException {
        if (args.length != 4) {
            System.err.println("usage: java ExternalServices.java <repository root> <template> <output directory> <env,env,...>");
            System.exit(2);
        }
        Path root = Path.of(args[0]);
        String template = Files.readString(Path.of(args[1]), StandardCharsets.UTF_8);
        Path out = Path.of(args[2]);
        List<String> problems = new ArrayList<>();
        Map<String, Map<String, String>> byEnv = new LinkedHashMap<>();
        for (String env : args[3].split(",")) {
            String file = "environments/" + env + ".properties";
            Properties values = new Properties();
            try (Reader reader = Files.newBufferedReader(root.resolve(file), StandardCharsets.UTF_8)) {
                values.load(reader);
            }
            byEnv.put(env, parse(file, values.getProperty(KEY), problems));
        }
        if (!problems.isEmpty()) {
            problems.forEach(p -> System.err.println("[external-services] " + p));
            System.exit(1);
        }
        for (Map.Entry<String, Map<String, String>> env : byEnv.entrySet()) {
            Path dir = Files.createDirectories(out.resolve(env.getKey()));
            // Only what the environment declares now: no Service left over from an entry since removed.
            try (var old = Files.newDirectoryStream(dir, "*-service.yml")) {
                for (Path file : old) {
                    Files.delete(file);
                }
            }
            for (Map.Entry<String, String> service : env.getValue().entrySet()) {
                Files.writeString(dir.resolve(service.getKey() + "-service.yml"),
                        template.replace("@name@", service.getKey()).replace("@host@", service.getValue()),
                        StandardCharsets.UTF_8);
            }
        }
    }

    /** The entries of one environment's key (name to host, in order); each broken one adds a problem. */
    static Map<String, String> parse(String file, String value, List<String> problems) {
        Map<String, String> services = new LinkedHashMap<>();
        String at = file + ": " + KEY;
        if (value == null) {
            problems.add(at + " is missing: add it, empty when the environment has no external dependency"
                    + " (" + KEY + "=), or as <service name>=<external host>,...");
            return services;
        }
        if (value.isBlank()) {
            return services;
        }
        for (String entry : value.split(",", -1)) {
            String item = entry.trim();
            int eq = item.indexOf('=');
            if (eq < 0 || item.indexOf('=', eq + 1) >= 0) {
                problems.add(at + ": '" + item + "' is not <service name>=<external host>"
                        + " (like dev-mongo=docdb.dev.example.internal; entries are separated by commas)");
                continue;
            }
            String name = item.substring(0, eq).trim();
            String host = item.substring(eq + 1).trim();
            if (name.length() > 63 || !SERVICE_NAME.matcher(name).matches()) {
                problems.add(at + ": service name '" + name + "' is not a DNS-1035 label: at most 63 lower case letters,"
                        + " digits and '-', starting with a letter and not ending with '-' (like dev-mongo)");
            } else if (services.containsKey(name)) {
                problems.add(at + ": service name '" + name + "' is declared twice: keep one entry per name");
            }
            String hostProblem = hostProblem(host);
            if (hostProblem != null) {
                problems.add(at + ": external host '" + host + "' (for " + name + ") " + hostProblem);
            }
            services.put(name, host);
        }
        return services;
    }

    /** Why a host is not a valid ExternalName, or null. */
    static String hostProblem(String host) {
        String rule = "is not a DNS-1123 subdomain ([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*)";
        if (host.isEmpty()) {
            return "is empty: name the host the service stands for (like docdb.dev.example.internal)";
        }
        if (!host.equals(host.toLowerCase(java.util.Locale.ROOT)) && DNS_1123_SUBDOMAIN.matcher(host.toLowerCase(java.util.Locale.ROOT)).matches()) {
            return rule + ": write it in lower case (" + host.toLowerCase(java.util.Locale.ROOT) + ")";
        }
        if (host.endsWith(".")) {
            return rule + ": drop the trailing dot";
        }
        if (!DNS_1123_SUBDOMAIN.matcher(host).matches()) {
            return rule + ": use lower case letters, digits, '-' and '.', each label starting and ending with a letter or digit"
                    + " (no scheme, port or path)";
        }
        if (host.length() > 253) {
            return "is " + host.length() + " characters long: a DNS name has at most 253";
        }
        for (String label : host.split("\\.")) {
            if (label.length() > 63) {
                return "has a label of " + label.length() + " characters ('" + label + "'): at most 63 each";
            }
        }
        if (IPV4.matcher(host).matches()) {
            return "is an IP address: an ExternalName is a DNS name (a CNAME); for an address use a Service without"
                    + " selector and an EndpointSlice, or give the address a DNS name";
        }
        return null;
    }
}
