package dev.cafestack.localrun;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ServiceProcessTest {

    @Test
    @DisplayName("names the class data archive a JVM is started with: the image's AppCDS archive, or a JDK 24+ AOT cache")
    void namesTheClassDataArchiveOfItsFlags() {
        assertThat(ServiceProcess.classDataArchive(List.of("-XX:+UseSerialGC", "-XX:SharedArchiveFile=app-cds.jsa",
                "-Xlog:cds*=off"))).contains("app-cds.jsa");
        assertThat(ServiceProcess.classDataArchive(List.of("-XX:+UseSerialGC", "-XX:AOTCache=/tmp/aot/mocha.aot")))
                .contains("mocha.aot");
        // The JVM takes the last of its flags: so does the name.
        assertThat(ServiceProcess.classDataArchive(List.of("-XX:AOTCache=/tmp/a.aot", "-XX:AOTCache=/tmp/b.aot")))
                .contains("b.aot");
        assertThat(ServiceProcess.classDataArchive(List.of("-XX:+UseSerialGC", "-XX:AOTCacheOutput=app.aot"))).isEmpty();
    }
}
