package dev.cafestack.localrun;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A service's training file ({@code src/main/appcds/training.txt}): what its AppCDS training run does once the service
 * has started, so that the classes its requests load are archived too. One instruction per line; {@code #} starts a
 * comment:
 *
 * <pre>
 * env NAME=VALUE                 over the prod Deployment's env for this run; ${closed-port} is a local port
 *                                nothing listens on (for endpoints the run must not reach)
 * rounds N                       how often the requests are sent, in order (default 20)
 * METHOD PATH STATUS [BODY]      one request and the status it must answer; a body is sent as application/json
 * </pre>
 */
public record Training(Path file, Map<String, String> env, int rounds, List<Request> requests) {

    /** The placeholder in an {@code env} value for a local port nothing listens on. */
    public static final String CLOSED_PORT = "${closed-port}";

    static final int DEFAULT_ROUNDS = 20;

    private static final Pattern ENV = Pattern.compile("env\\s+([A-Z_][A-Z0-9_]*)=(.*)");
    private static final Pattern ROUNDS = Pattern.compile("rounds\\s+(\\d+)");
    private static final Pattern REQUEST = Pattern.compile("(GET|POST|PUT|DELETE)\\s+(/\\S*)\\s+(\\d{3})(?:\\s+(.+))?");

    /** One request of a round, with the line it came from. */
    public record Request(int line, String method, String path, int status, String body) {

        @Override
        public String toString() {
            return method + " " + path;
        }
    }

    /** Reads and checks a training file; a bad line fails naming the file, the line and the fix. */
    public static Training read(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the training file " + file + " (cafe.appcds.training)", e);
        }
        Map<String, String> env = new LinkedHashMap<>();
        int rounds = DEFAULT_ROUNDS;
        List<Request> requests = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            Matcher m;
            if ((m = ENV.matcher(line)).matches()) {
                env.put(m.group(1), m.group(2).strip());
            } else if ((m = ROUNDS.matcher(line)).matches()) {
                rounds = Integer.parseInt(m.group(1));
                if (rounds < 1 || rounds > 10_000) {
                    throw bad(file, i + 1, line, "rounds must be 1 to 10000");
                }
            } else if ((m = REQUEST.matcher(line)).matches()) {
                requests.add(new Request(i + 1, m.group(1), m.group(2), Integer.parseInt(m.group(3)), m.group(4)));
            } else {
                throw bad(file, i + 1, line, "write 'env NAME=VALUE', 'rounds N' or 'METHOD /path STATUS [JSON body]'");
            }
        }
        if (requests.isEmpty()) {
            throw new IllegalArgumentException(file + ": no requests; add at least one 'METHOD /path STATUS [JSON body]' "
                    + "line (a request the service answers once it has started, e.g. 'GET /q/health/live 200')");
        }
        return new Training(file, Map.copyOf(env), rounds, List.copyOf(requests));
    }

    /** The env lines with {@value #CLOSED_PORT} replaced by {@code closedPort}. */
    public Map<String, String> env(int closedPort) {
        Map<String, String> out = new LinkedHashMap<>();
        env.forEach((name, value) -> out.put(name, value.replace(CLOSED_PORT, Integer.toString(closedPort))));
        return out;
    }

    private static IllegalArgumentException bad(Path file, int line, String text, String fix) {
        return new IllegalArgumentException(file + ":" + line + ": cannot read '" + text + "': " + fix);
    }
}
