package dev.cafestack.localrun;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.grpc.Status;

/**
 * A service's training file ({@code src/main/appcds/training.txt}): what its AppCDS training run does once the service
 * has started, so that the classes its requests load are archived too. One instruction per line; {@code #} starts a
 * comment:
 *
 * <pre>
 * env NAME=VALUE                 over the prod Deployment's env for this run; ${closed-port} is a local port
 *                                nothing listens on (for endpoints the run must not reach), ${grpc-stand-in} the
 *                                port of the run's stand-in gRPC server (below)
 * rounds N                       how often the requests are sent, in order (default 20)
 * METHOD PATH STATUS [BODY]      one request and the status it must answer; a body is sent as application/json
 * call SERVICE/METHOD CODE [HEX] one unary call to the service's own gRPC server, with this request message (its
 *                                protobuf bytes in hex; none: an empty message), and the gRPC status code it must
 *                                answer (OK, INVALID_ARGUMENT, ...); sent in its place among the requests
 * grpc SERVICE/METHOD HEX        the stand-in gRPC server answers this method with this message (its protobuf
 *                                bytes in hex), so that the service's calls to a peer succeed in the run
 * </pre>
 */
public record Training(Path file, Map<String, String> env, int rounds, List<Step> requests,
        Map<String, byte[]> grpcReplies) {

    /** The placeholder in an {@code env} value for a local port nothing listens on. */
    public static final String CLOSED_PORT = "${closed-port}";

    /** The placeholder in an {@code env} value for the port of the run's stand-in gRPC server. */
    public static final String GRPC_STAND_IN = "${grpc-stand-in}";

    static final int DEFAULT_ROUNDS = 20;

    private static final Pattern ENV = Pattern.compile("env\\s+([A-Z_][A-Z0-9_]*)=(.*)");
    private static final Pattern ROUNDS = Pattern.compile("rounds\\s+(\\d+)");
    private static final Pattern REQUEST = Pattern.compile("(GET|POST|PUT|DELETE)\\s+(/\\S*)\\s+(\\d{3})(?:\\s+(.+))?");
    private static final Pattern GRPC = Pattern.compile("grpc\\s+(\\S+)\\s+(\\S+)");
    private static final Pattern CALL = Pattern.compile("call\\s+(\\S+)\\s+(\\S+)(?:\\s+(\\S+))?");
    private static final Pattern GRPC_METHOD = Pattern.compile("[A-Za-z_][\\w.]*/[A-Za-z_]\\w*");
    private static final Pattern HEX = Pattern.compile("(?:[0-9a-fA-F]{2})+");

    /** One step of a round, with the line it came from: an HTTP request or a gRPC call, and what it must answer. */
    public sealed interface Step permits Request, Call {

        int line();

        /** What the service must answer: an HTTP status ("201") or a gRPC status code ("OK"). */
        String expected();
    }

    /** An HTTP request of a round. */
    public record Request(int line, String method, String path, int status, String body) implements Step {

        @Override
        public String expected() {
            return Integer.toString(status);
        }

        @Override
        public String toString() {
            return method + " " + path;
        }
    }

    /** A unary gRPC call of a round: the method's full name, the request message's bytes in hex, the status code. */
    public record Call(int line, String method, Status.Code code, String hex) implements Step {

        public byte[] message() {
            return HexFormat.of().parseHex(hex);
        }

        @Override
        public String expected() {
            return code.name();
        }

        @Override
        public String toString() {
            return "call " + method;
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
        List<Step> requests = new ArrayList<>();
        Map<String, byte[]> grpcReplies = new LinkedHashMap<>();
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
            } else if ((m = CALL.matcher(line)).matches()) {
                requests.add(call(file, i + 1, line, m));
            } else if ((m = GRPC.matcher(line)).matches()) {
                if (!GRPC_METHOD.matcher(m.group(1)).matches()) {
                    throw bad(file, i + 1, line, "name the method in full, package.Service/Method (e.g. "
                            + "grpc.health.v1.Health/Check)");
                }
                if (!HEX.matcher(m.group(2)).matches()) {
                    throw bad(file, i + 1, line, "give the reply as its protobuf bytes in hex, two digits a byte (e.g. "
                            + "0801 for a grpc.health.v1.HealthCheckResponse with status SERVING)");
                }
                if (grpcReplies.put(m.group(1), HexFormat.of().parseHex(m.group(2))) != null) {
                    throw bad(file, i + 1, line, m.group(1) + " has a reply on an earlier line already; keep one");
                }
            } else {
                throw bad(file, i + 1, line, "write 'env NAME=VALUE', 'rounds N', 'METHOD /path STATUS [JSON body]', "
                        + "'call package.Service/Method CODE [HEX]' or 'grpc package.Service/Method HEX'");
            }
        }
        boolean standInNamed = env.values().stream().anyMatch(value -> value.contains(GRPC_STAND_IN));
        if (standInNamed && grpcReplies.isEmpty()) {
            throw new IllegalArgumentException(file + ": an env line names " + GRPC_STAND_IN + " but no 'grpc "
                    + "package.Service/Method HEX' line says what the stand-in gRPC server answers; add one per method "
                    + "the service calls");
        }
        if (!standInNamed && !grpcReplies.isEmpty()) {
            throw new IllegalArgumentException(file + ": 'grpc' lines give the stand-in gRPC server's replies, but no "
                    + "env line points the service at it; set the peer's port to " + GRPC_STAND_IN + " (e.g. 'env "
                    + "LATTE_PORT=" + GRPC_STAND_IN + "')");
        }
        if (requests.isEmpty()) {
            throw new IllegalArgumentException(file + ": no requests; add at least one 'METHOD /path STATUS [JSON "
                    + "body]' line (a request the service answers once it has started, e.g. 'GET /q/health/live 200') "
                    + "or 'call package.Service/Method CODE [HEX]' line");
        }
        return new Training(file, Map.copyOf(env), rounds, List.copyOf(requests),
                Collections.unmodifiableMap(grpcReplies));
    }

    /**
     * The env lines with {@value #CLOSED_PORT} replaced by {@code closedPort} and {@value #GRPC_STAND_IN} by
     * {@code standInPort}.
     */
    public Map<String, String> env(int closedPort, int standInPort) {
        Map<String, String> out = new LinkedHashMap<>();
        env.forEach((name, value) -> out.put(name, value.replace(CLOSED_PORT, Integer.toString(closedPort))
                .replace(GRPC_STAND_IN, Integer.toString(standInPort))));
        return out;
    }

    private static Call call(Path file, int line, String text, Matcher m) {
        if (!GRPC_METHOD.matcher(m.group(1)).matches()) {
            throw bad(file, line, text, "name the method in full, package.Service/Method (e.g. cafe.v1.Barista/Brew)");
        }
        Status.Code code;
        try {
            code = Status.Code.valueOf(m.group(2));
        } catch (IllegalArgumentException e) {
            throw bad(file, line, text, "give the gRPC status code the call must answer by its name: one of "
                    + Arrays.toString(Status.Code.values()));
        }
        String hex = m.group(3) == null ? "" : m.group(3);
        if (!hex.isEmpty() && !HEX.matcher(hex).matches()) {
            throw bad(file, line, text, "give the request message as its protobuf bytes in hex, two digits a byte, or "
                    + "nothing for an empty message");
        }
        return new Call(line, m.group(1), code, hex.toLowerCase(Locale.ROOT));
    }

    private static IllegalArgumentException bad(Path file, int line, String text, String fix) {
        return new IllegalArgumentException(file + ":" + line + ": cannot read '" + text + "': " + fix);
    }
}
