package dev.cafestack.relay;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The two Secrets the relay reads, both mounted as files: the bearer token Alertmanager sends (the same file its
 * credentials_file reads) and one key per robot. The token is read again when its file changes, so a rotated Secret
 * takes effect without a restart.
 */
final class Secrets {

    private final Path tokenFile;
    private volatile long tokenModified = Long.MIN_VALUE;
    private volatile byte[] token = new byte[0];

    Secrets(Path tokenFile) {
        this.tokenFile = tokenFile;
    }

    /** Fails with the file and the fix when the token is missing or empty. */
    void checkToken() {
        if (current().length == 0) {
            throw new IllegalStateException(tokenFile + ": the bearer token is missing or empty; create the Secret: "
                    + "kubectl -n monitoring create secret generic wecom-relay-token --from-literal=token=\"$(openssl rand -hex 32)\"");
        }
    }

    /** Constant-time comparison of an Authorization header with "Bearer TOKEN". */
    boolean authorized(String header) {
        byte[] expected = current();
        if (header == null || expected.length == 0 || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return false;
        }
        byte[] given = header.substring(7).trim().getBytes(StandardCharsets.UTF_8);
        return MessageDigest.isEqual(expected, given);
    }

    private byte[] current() {
        try {
            long modified = Files.getLastModifiedTime(tokenFile).toMillis();
            if (modified != tokenModified) {
                token = Files.readString(tokenFile, StandardCharsets.UTF_8).trim().getBytes(StandardCharsets.UTF_8);
                tokenModified = modified;
            }
        } catch (IOException e) {
            return new byte[0];
        }
        return token;
    }

    /** robot name -> key, from one file per robot; fails naming every robot without a key (never a key). */
    static Map<String, String> robotKeys(Path dir, List<String> robots) {
        Map<String, String> keys = new LinkedHashMap<>();
        List<String> missing = new ArrayList<>();
        for (String robot : robots) {
            Path file = dir.resolve(robot);
            try {
                String key = Files.isRegularFile(file) ? Files.readString(file, StandardCharsets.UTF_8).trim() : "";
                if (key.isEmpty()) {
                    missing.add(robot);
                } else {
                    keys.put(robot, key);
                }
            } catch (IOException e) {
                missing.add(robot);
            }
        }
        if (!missing.isEmpty()) {
            throw new IllegalStateException(dir + ": no key for robot(s) " + missing + "; add them to the Secret: "
                    + "kubectl -n monitoring create secret generic wecom-relay-robots --from-literal=<robot>=<key> ...");
        }
        return keys;
    }
}
