package dev.cafestack.tests.images;

/** The system properties that the root pom's failsafe configuration passes to tests (maven.home, cafe.root, ...). */
final class BuildProperties {

    private BuildProperties() {
    }

    static String required(String property) {
        String value = System.getProperty(property);
        if (value == null || value.isBlank()) {
            throw new IllegalStateException("System property " + property
                    + " is not set: run this test through Maven (failsafe passes it, see the root pom).");
        }
        return value;
    }
}
