package dev.novahost.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.novahost.NovaHostApplication;
import dev.novahost.kernel.machine.Kernel;
import dev.novahost.kernel.pci.Chipset;
import dev.novahost.kernel.pci.PciAddress;
import dev.novahost.kernel.pci.PciDevice;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/** DESIGN §10: a fresh host is seeded from {@code nova.fleet}; after that the journal rules. */
class FleetTest {

    private static final PciAddress FIRST = PciAddress.parse("0000:01:00.0");

    @TempDir
    Path data;

    @Test
    void aFreshHostStartsWithTheConfiguredDevicesBound() {
        try (var host = start()) {
            var kernel = host.getBean(Kernel.class);
            assertThat(kernel.bus().devices()).extracting(PciDevice::chipset).containsExactly(Chipset.GA102, Chipset.TU102);
            assertThat(kernel.bus().devices()).extracting(d -> d.address().toString())
                    .containsExactly("0000:01:00.0", "0000:02:00.0");
            assertThat(kernel.driverCore().bindings()).hasSize(2);
        }
    }

    @Test
    void aRestartKeepsWhatTheUserChangedInsteadOfSeedingAgain() {
        try (var host = start()) {
            host.getBean(Kernel.class).hotUnplug(FIRST);
        }
        try (var host = start()) {
            assertThat(host.getBean(Kernel.class).bus().devices()).extracting(PciDevice::chipset)
                    .containsExactly(Chipset.TU102);
        }
    }

    @Test
    void aBadEntryStopsTheStartNamingIt() {
        assertThatThrownBy(() -> Fleet.parse(List.of("GA102", "GX9000@0000:03:00.0")))
                .hasMessageContaining("'GX9000@0000:03:00.0'");
        assertThatThrownBy(() -> Fleet.parse(List.of("GA102@0000:1:00.0")))
                .hasMessageContaining("not a PCI address");
        assertThat(Fleet.parse(List.of(" GA102 @ 0000:04:00.0 ", "", "tu102")).entries())
                .containsExactly(new Fleet.Entry(Chipset.GA102, Optional.of(PciAddress.parse("0000:04:00.0"))),
                        new Fleet.Entry(Chipset.TU102, Optional.empty()));
    }

    @Test
    void theComposeStacksFleetIsValid() throws Exception {
        var compose = Files.readString(Path.of("docker", "compose.yaml"));
        var fleet = Pattern.compile("NOVA_FLEET: *(\\S+)").matcher(compose);
        assertThat(fleet.find()).as("docker/compose.yaml sets NOVA_FLEET").isTrue();
        assertThat(Fleet.parse(List.of(fleet.group(1).split(","))).entries()).hasSize(2);
    }

    private ConfigurableApplicationContext start() {
        return new SpringApplicationBuilder(NovaHostApplication.class).run("--server.port=0",
                "--nova.data-dir=" + data, "--nova.load-nova-core=true", "--nova.fleet=GA102@0000:01:00.0,TU102");
    }
}
