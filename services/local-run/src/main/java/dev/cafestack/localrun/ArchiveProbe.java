package dev.cafestack.localrun;

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
}
