package dev.novahost.access;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The names a request's Host may give: loopback's, the configured ones, or any when the check is off. */
class HostNamesTest {

    @Test
    void loopbackNamesAndConfiguredOnesAreAllowedAndNothingElse() {
        var hosts = new HostNames(List.of(" Nova-Host ", "gpu.lab.example"), true);
        assertThat(List.of("localhost", "LocalHost", "127.0.0.1", "127.255.255.255", "127.0.0.01", "[::1]", "::1",
                "nova-host", "NOVA-HOST", "gpu.lab.example")).allMatch(hosts::allows);
        assertThat(List.of("attacker.example", "127.0.0.256", "127.0.0", "127.0.0.1.1", "127..0.1", "127.0.0.1.",
                "127.0.0.1.nip.io", "1270.0.0.1", "localhost.", "localhost.attacker.example", "0.0.0.0", "[::2]",
                "lab.example", "", "nova-host.attacker.example")).noneMatch(hosts::allows);
        assertThat(hosts.allows(null)).isFalse();
    }

    @Test
    void aStarAllowsAnyNameAndAnUncheckedListToo() {
        assertThat(new HostNames(List.of("*"), true).allows("attacker.example")).isTrue();
        assertThat(new HostNames(List.of(), false).allows("nova-host")).isTrue();
        assertThat(new HostNames(List.of(""), true).allows("nova-host")).isFalse();
    }
}
