package io.ipdrsp.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BenchArgsTest {
    @Test
    void durationsInSecondsMinutesHoursOrPlainSeconds() {
        assertThat(BenchArgs.duration("90s")).isEqualTo(Duration.ofSeconds(90));
        assertThat(BenchArgs.duration("10m")).isEqualTo(Duration.ofMinutes(10));
        assertThat(BenchArgs.duration("1h")).isEqualTo(Duration.ofHours(1));
        assertThat(BenchArgs.duration("45")).isEqualTo(Duration.ofSeconds(45));
        assertThatThrownBy(() -> BenchArgs.duration("10 minutes")).hasMessageContaining("like 90s, 10m or 1h");
        assertThatThrownBy(() -> BenchArgs.duration("")).hasMessageContaining("like 90s, 10m or 1h");
    }

    @Test
    void everyBenchmarkTakesTheSameDurations() {
        assertThat(LoadOptions.parse(new String[] {"--warmup", "2m"}).warmup()).isEqualTo(Duration.ofMinutes(2));
        assertThat(IngestOptions.parse(new String[] {"--warmup", "2m"}).warmup()).isEqualTo(Duration.ofMinutes(2));
        assertThat(FleetOptions.parse(new String[] {"--interval", "2m"}).interval()).isEqualTo(Duration.ofMinutes(2));
        assertThat(SoakOptions.parse(new String[] {"--duration", "2m"}).duration()).isEqualTo(Duration.ofMinutes(2));
    }
}
