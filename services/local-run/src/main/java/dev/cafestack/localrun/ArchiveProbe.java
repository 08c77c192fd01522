package dev.cafestack.localrun;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Loads the classes it is given through the JVM's class path loader, without initialising them, and exits: started
 * with {@code -Xshare:on -XX:SharedArchiveFile=<archive> -Xlog:class+load} and the archive's class path first, its
 * log says whether each came from the archive ({@code source: shared objects file}) or from a jar. The same question
 * for an AppCDS archive (JDK 17, 21) and an AOT cache (JDK 25+), which list their classes in different ways or not at
 * all.
 */
public final class ArchiveProbe {

    private ArchiveProbe() {
    }

    public static void main(String[] args) throws ClassNotFoundException {
        ClassLoader classPath = ClassLoader.getSystemClassLoader();
        for (String name : args) {
            Class.forName(name, false, classPath);
        }
    }

    /**
     * The probe's command, to run in an application directory whose {@code quarkus-run.jar} the archive was written for:
     * {@code java -Xshare:on -XX:SharedArchiveFile=<archive> -Xlog:class+load=info -cp quarkus-run.jar:<this probe>
     * ArchiveProbe <classes>}. {@code -Xshare:on} makes an archive the JVM cannot use a failed start.
     */
    public static List<String> command(Path java, String archive, String... classNames) {
        Path probe;
        try {
            probe = Path.of(ArchiveProbe.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException("where ArchiveProbe was loaded from is not a file path", e);
        }
        List<String> command = new ArrayList<>(List.of(java.toString(), "-Xshare:on", "-XX:SharedArchiveFile=" + archive,
                "-Xlog:class+load=info", "-cp", "quarkus-run.jar:" + probe, ArchiveProbe.class.getName()));
        command.addAll(List.of(classNames));
        return command;
    }

    /**
     * A {@code class+load} log line of the class that came from the archive: {@code <class> source: shared objects
     * file}, with {@code (top)} for an AppCDS archive's dynamic layer.
     */
    public static Pattern fromArchive(String className) {
        return Pattern.compile("(?m) " + Pattern.quote(className) + " source: shared objects file( \\(top\\))?$");
    }
}
