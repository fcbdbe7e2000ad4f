package dev.novahost.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.novahost.NovaHostApplication;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;

/** {@code nova.hung-task.*}: the kernel's sysctls, whole seconds and 0 = off, nonsense refused at start. */
class HungTaskSettingsTest {

    @Test
    void theDefaultsAreTheKernels() {
        var settings = KernelConfiguration.hungTaskSettings(new NovaProperties.HungTask(Duration.ofSeconds(120), 10, false));
        assertThat(settings.timeoutNs()).isEqualTo(120_000_000_000L);
        assertThat(settings.warnings()).isEqualTo(10);
        assertThat(settings.panic()).isFalse();
        assertThat(KernelConfiguration.hungTaskSettings(new NovaProperties.HungTask(Duration.ZERO, -1, true)).enabled())
                .isFalse();
    }

    @Test
    void nonsenseRefusesTheStartWithWhatToSetInstead() {
        for (var nonsense : new NovaProperties.HungTask[] {
                new NovaProperties.HungTask(Duration.ofSeconds(-1), 10, false),
                new NovaProperties.HungTask(Duration.ofMillis(1500), 10, false),
                new NovaProperties.HungTask(Duration.ofSeconds(120), -2, false)}) {
            assertThatThrownBy(() -> KernelConfiguration.hungTaskSettings(nonsense))
                    .isInstanceOfSatisfying(StartRefused.class, refused -> assertThat(refused.action())
                            .contains("nova.hung-task.timeout", "NOVA_HUNGTASK_TIMEOUT", "nova.hung-task.warnings"));
        }
    }

    /** The real start: the property is read, checked and refused before any request is taken. */
    @Test
    void aFractionOfASecondRefusesTheRealStart(@TempDir Path data) {
        var start = new SpringApplicationBuilder(NovaHostApplication.class);
        assertThatThrownBy(() -> start.run("--spring.main.banner-mode=off", "--server.port=0",
                "--nova.data-dir=" + data, "--nova.hung-task.timeout=1500ms"))
                .hasRootCauseInstanceOf(StartRefused.class)
                .rootCause().hasMessage("The hung-task timeout must be 0 or whole seconds and its warnings -1 or more,"
                        + " not 1500 ms and 10");
    }
}
