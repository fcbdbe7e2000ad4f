package dev.novahost.kernel.fault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.novahost.kernel.Errno;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The injected bugs are one closed set, {@link Fault}: each has one wire word, the log line says the
 * faults that are on as it always did (kernel logs and scenario digests hold that text), and the
 * console's labels are the enum's, word for word. The other adapters (HTTP view, journal and replay,
 * scenarios) have a test each that round-trips every {@link Fault#values() value}.
 */
class FaultTest {

    @ParameterizedTest
    @EnumSource(Fault.class)
    void eachFaultIsFoundByItsWordAndSaysItAloneInTheLog(Fault fault) {
        assertThat(Fault.ofWord(fault.word())).contains(fault);
        assertThat(fault.word()).matches("[a-z][A-Za-z]+");
        assertThat(Faults.of(fault).has(fault)).isTrue();
        assertThat(Faults.of(fault).describe()).isEqualTo(fault.word());
    }

    @Test
    void wordsAreDistinctAndOnlyExactSpellingsAreFaults() {
        assertThat(Fault.words()).doesNotHaveDuplicates().hasSize(Fault.values().length);
        assertThat(Fault.ofWord("ForgetTimerCancel")).isEmpty();
        assertThat(Fault.ofWord("probeFailure")).isEmpty();
    }

    /** The text of today's log line, digested by the scenarios: declaration order, whatever order they were set in. */
    @Test
    void theLogLineIsTodaysText() {
        var reversed = Arrays.asList(Fault.values()).reversed();
        var all = new Faults(new LinkedHashSet<>(reversed), Optional.of(Errno.EIO));

        assertThat(Faults.NONE.describe()).isEqualTo("none");
        assertThat(new Faults(EnumSet.noneOf(Fault.class), Optional.of(Errno.EPROBE_DEFER)).describe())
                .isEqualTo("probeFailure=EPROBE_DEFER");
        assertThat(all.describe()).isEqualTo("forgetTimerCancel, forgetWorkCancel, forgetFileDisconnect, forgetIrqFree,"
                + " leakRegion, wrongCancelOrder, cancelUnderLock, cancelWorkFromItself, flushOwnQueue, freeIrqUnderLock,"
                + " probeFailure=EIO");
        assertThat(Faults.of(Fault.WRONG_CANCEL_ORDER, Fault.FORGET_TIMER_CANCEL).describe())
                .isEqualTo("forgetTimerCancel, wrongCancelOrder");
    }

    @Test
    void faultsIsAValueItsCallerCannotChangeAfterwards() {
        var on = EnumSet.of(Fault.LEAK_REGION);
        var faults = new Faults(on, Optional.empty());
        on.add(Fault.FORGET_IRQ_FREE);

        assertThat(faults).isEqualTo(Faults.of(Fault.LEAK_REGION));
        assertThat(faults.has(Fault.FORGET_IRQ_FREE)).isFalse();
        assertThatThrownBy(() -> faults.on().add(Fault.FORGET_IRQ_FREE)).isInstanceOf(UnsupportedOperationException.class);
    }

    /** console.js keeps the labels (the API's JSON has no room for them): the same words, the same text. */
    @Test
    void theConsolesLabelsAreTheEnumsWordsAndDescriptions() throws Exception {
        String js = Files.readString(Path.of("src/main/resources/static/console.js"));
        var block = Pattern.compile("const FAULTS = \\{\\n(.*?)\\n};", Pattern.DOTALL).matcher(js);
        assertThat(block.find()).as("console.js defines FAULTS").isTrue();
        var labels = new LinkedHashMap<String, String>();
        var entry = Pattern.compile("^\\s*(\\w+): '([^']*)',$", Pattern.MULTILINE).matcher(block.group(1));
        while (entry.find()) {
            labels.put(entry.group(1), entry.group(2));
        }
        var expected = new LinkedHashMap<String, String>();
        for (Fault fault : Fault.values()) {
            expected.put(fault.word(), fault.description());
        }

        assertThat(labels).containsExactlyEntriesOf(expected);
        assertThat(block.group(1).lines().toList()).hasSize(Fault.values().length);
    }
}
