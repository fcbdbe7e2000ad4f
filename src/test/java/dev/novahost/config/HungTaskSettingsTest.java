package dev.novahost.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

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
}
