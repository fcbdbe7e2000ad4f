package dev.novahost.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.security.web.firewall.StrictHttpFirewall;

/** The firewall's header and parameter rules, as loops instead of its regular expressions, accept the same text. */
class FirewallTextTest {

    @Test
    void theLoopsAgreeWithTheFirewallsExpressions() {
        var samples = new java.util.ArrayList<>(List.of("", "application/json", "Bearer abc.DEF-123", "a\tb", "\u00e9t\u00e9",
                "\u2028", "\ud83d\ude00", "\uffff", "\u0378"));
        for (char c = 0; c < 0x3000; c++) {
            samples.add("x" + c + "y");
        }
        for (String text : samples) {
            assertThat(AccessConfiguration.visible(text, false)).as("name %s", text)
                    .isEqualTo(StrictHttpFirewall.ALLOWED_HEADER_NAMES.test(text));
            assertThat(AccessConfiguration.visible(text, true)).as("value %s", text)
                    .isEqualTo(StrictHttpFirewall.ALLOWED_HEADER_VALUES.test(text));
        }
    }
}
