package dev.cafestack.relay;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import dev.cafestack.relay.core.Alert;
import dev.cafestack.relay.core.Masker;
import dev.cafestack.relay.core.MessageFormatter;
import dev.cafestack.relay.core.Queued;
import dev.cafestack.relay.core.Utf8;

@DisplayName("WeCom messages")
class MessagesTest {

    private final MessageFormatter formatter = new MessageFormatter(ZoneId.of("Asia/Shanghai"), "http://grafana.test",
            Map.of("critical", List.of("@all", "zhangsan")));

    private static Queued queued(long seq, String severity, String description) {
        long start = Instant.parse("2026-11-25T00:00:00Z").toEpochMilli();
        return new Queued(seq, "ops", "g", "http://am", new Alert("firing",
                Map.of("alertname", "告警" + seq, "severity", severity, "instance", "i-" + seq),
                Map.of("summary", "摘要 " + seq, "description", description), start, 0, "http://prom/graph", "f" + seq), start);
    }

    @Test
    @DisplayName("cuts UTF-8 on a character boundary: Chinese (3 bytes) and emoji (4 bytes, a surrogate pair) are never split")
    void cutsOnCharacterBoundaries() {
        String chinese = "中".repeat(2000);
        for (int max = 10; max < 40; max++) {
            String cut = Utf8.truncate(chinese, max);
            assertThat(cut.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(max);
            assertThat(new String(cut.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8)).isEqualTo(cut);
            assertThat(cut).endsWith("…").matches("中*…");
        }
        String emoji = "🚨".repeat(100);
        String cut = Utf8.truncate(emoji, 4096 / 100);
        assertThat(cut).matches("(🚨)*…");
        assertThat(Utf8.length("a中🚨")).isEqualTo(1 + 3 + 4).isEqualTo("a中🚨".getBytes(StandardCharsets.UTF_8).length);
        assertThat(Utf8.truncate("short", 4096)).isEqualTo("short");
    }

    @Test
    @DisplayName("a message is at most 4096 bytes whatever the description; the cut leaves labels, links and mentions whole")
    void singleFitsWecom() {
        var message = formatter.single(queued(1, "critical", "很长的描述。".repeat(5000)));
        byte[] bytes = message.content().getBytes(StandardCharsets.UTF_8);
        assertThat(bytes.length).isLessThanOrEqualTo(4096).isGreaterThan(4000);
        assertThat(message.content()).contains("🚨 FIRING", "**告警1**", "> 摘要 1", "instance=i-1", "Started: 2026-11-25 08:00:00 CST",
                "[Source](http://prom/graph)", "[Grafana](http://grafana.test)", "<@all> <@zhangsan>", "…");
    }

    @Test
    @DisplayName("merged messages carry every alert, one line each, each message within 4096 bytes, mentions once")
    void mergedCarriesEverything() {
        List<Queued> many = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            many.add(queued(i, i % 2 == 0 ? "critical" : "warning", "d"));
        }
        var messages = formatter.merged(many);
        assertThat(messages.size()).isBetween(5, 30);
        assertThat(messages.stream().mapToInt(m -> m.items().size()).sum()).isEqualTo(300);
        for (var m : messages) {
            assertThat(m.content().getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(4096);
            assertThat(m.content()).contains("**" + m.items().size() + " alerts**");
            for (Queued q : m.items()) {
                assertThat(m.content()).contains("**告警" + q.seq() + "**");
            }
            assertThat(m.content().split("<@zhangsan>", -1)).hasSize(2);
        }
    }

    @Test
    @DisplayName("robot keys never reach a log line: known keys and key= parameters are masked")
    void masksKeys() {
        Masker masker = new Masker(List.of("693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa"));
        assertThat(masker.mask("POST https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa&x=1"))
                .isEqualTo("POST https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=****&x=1");
        assertThat(masker.mask("bad key 693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa")).isEqualTo("bad key 693a****");
        assertThat(masker.mask("send?KEY=other-secret")).isEqualTo("send?KEY=****");
    }
}
