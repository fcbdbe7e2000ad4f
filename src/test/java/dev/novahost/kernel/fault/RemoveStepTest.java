package dev.novahost.kernel.fault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.novahost.kernel.Errno;
import dev.novahost.kernel.KernelException;
import dev.novahost.kernel.Policy;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/** A remove() order's words: parsed, said back, refused with a sentence, and the presets the boolean faults are. */
class RemoveStepTest {

    @ParameterizedTest
    @ValueSource(strings = {"free_irq", "disconnect_files", "hrtimer_cancel", "hrtimer_cancel:3", "cancel_work_sync",
        "cancel_work_sync:12", "pci_iounmap", "pci_release_region", "mutex_lock", "mutex_unlock"})
    void eachWordRoundTrips(String word) {
        assertThat(RemoveStep.parse(word).word()).isEqualTo(word);
    }

    @Test
    void aTargetIsTheObjectsId() {
        assertThat(RemoveStep.parse("hrtimer_cancel:7")).isEqualTo(RemoveStep.of(RemoveStep.Kind.HRTIMER_CANCEL, 7));
        assertThat(RemoveStep.parse("cancel_work_sync").target()).isEqualTo(OptionalLong.empty());
    }

    @Test
    void badWordsAreEinvalWithASentence() {
        assertEinval("hrtimer_cancle", "is not a remove() step; the steps are [free_irq, disconnect_files,");
        assertEinval("free_irq:3", "free_irq takes no target");
        assertEinval("hrtimer_cancel:", "the target after ':' is empty");
        assertEinval("hrtimer_cancel:t", "the target of hrtimer_cancel is the id of a timer, a number");
        assertEinval("cancel_work_sync:w", "the id of a work item, a number");
        assertEinval("hrtimer_cancel:0", "an object id is 1 or more");
        assertEinval("hrtimer_cancel:99999999999999999999", "is the id of a timer");
    }

    @Test
    void theLockIsTakenAndReleasedInTurn() {
        var lock = RemoveStep.of(RemoveStep.Kind.MUTEX_LOCK);
        var unlock = RemoveStep.of(RemoveStep.Kind.MUTEX_UNLOCK);
        assertThat(RemoveStep.checked(List.of(lock, unlock, lock))).hasSize(3);
        assertThatThrownBy(() -> RemoveStep.checked(List.of(unlock))).isInstanceOf(KernelException.class)
                .hasMessageContaining("mutex_unlock without a mutex_lock");
        assertThatThrownBy(() -> RemoveStep.checked(List.of(lock, lock))).isInstanceOf(KernelException.class)
                .hasMessageContaining("not recursive");
        assertThatThrownBy(() -> RemoveStep.checked(Collections.nCopies(RemoveStep.MAX_STEPS + 1,
                RemoveStep.of(RemoveStep.Kind.FREE_IRQ)))).hasMessageContaining("at most 64 steps");
    }

    /** Each remove-side boolean fault is a preset by its word; default is the order remove() has built in. */
    @Test
    void thePresetsAreTheBooleanFaultsOrders() {
        assertThat(RemovePreset.words()).containsExactly("default", "forgetTimerCancel", "forgetWorkCancel",
                "forgetFileDisconnect", "forgetIrqFree", "wrongCancelOrder", "cancelUnderLock", "freeIrqUnderLock");
        assertThat(words(RemovePreset.DEFAULT, Policy.FENCED))
                .containsExactly("free_irq", "disconnect_files", "hrtimer_cancel", "cancel_work_sync");
        assertThat(words(RemovePreset.DEFAULT, Policy.REVOCABLE)).containsExactly("free_irq", "hrtimer_cancel", "cancel_work_sync");
        assertThat(words(RemovePreset.WRONG_CANCEL_ORDER, Policy.FENCED))
                .containsExactly("free_irq", "disconnect_files", "cancel_work_sync", "hrtimer_cancel");
        assertThat(words(RemovePreset.CANCEL_UNDER_LOCK, Policy.REVOCABLE))
                .containsExactly("free_irq", "mutex_lock", "hrtimer_cancel", "mutex_unlock", "cancel_work_sync");
        assertThat(words(RemovePreset.FREE_IRQ_UNDER_LOCK, Policy.FENCED))
                .startsWith("mutex_lock", "free_irq", "mutex_unlock");
        assertThat(words(RemovePreset.FREE_IRQ_UNDER_LOCK, Policy.REVOCABLE))
                .isEqualTo(words(RemovePreset.DEFAULT, Policy.REVOCABLE));
        for (var preset : RemovePreset.values()) {
            preset.fault().ifPresent(fault -> assertThat(fault.word()).isEqualTo(preset.word()));
            for (var policy : Policy.values()) {
                assertThat(RemoveStep.checked(preset.steps(policy))).isNotEmpty();
            }
        }
    }

    /** "forget X" leaves exactly X's step out of default; the others reorder or lock around it. */
    @ParameterizedTest
    @EnumSource(value = RemovePreset.class, names = {"FORGET_TIMER_CANCEL", "FORGET_WORK_CANCEL", "FORGET_FILE_DISCONNECT",
        "FORGET_IRQ_FREE"})
    void aForgetPresetIsDefaultWithoutItsStep(RemovePreset preset) {
        var forgotten = new ArrayList<>(words(RemovePreset.DEFAULT, Policy.FENCED));
        forgotten.removeAll(words(preset, Policy.FENCED));
        assertThat(forgotten).hasSize(1);
    }

    @Test
    void theWireTakesAListOrAPresetAndSaysItBack() {
        var list = FaultsWire.read(Map.of("remove", List.of("cancel_work_sync:4", "hrtimer_cancel", "pci_iounmap")),
                OptionalLong.empty());
        assertThat(list.remove().steps()).containsExactly(RemoveStep.of(RemoveStep.Kind.CANCEL_WORK_SYNC, 4),
                RemoveStep.of(RemoveStep.Kind.HRTIMER_CANCEL), RemoveStep.of(RemoveStep.Kind.PCI_IOUNMAP));
        assertThat(FaultsWire.write(list).get("remove")).isEqualTo(List.of("cancel_work_sync:4", "hrtimer_cancel", "pci_iounmap"));
        assertThat(FaultsWire.read(FaultsWire.write(list), OptionalLong.empty())).isEqualTo(list);
        assertThat(list.describe()).isEqualTo("remove=cancel_work_sync:4,hrtimer_cancel,pci_iounmap");

        var preset = FaultsWire.read(Map.of("remove", "wrongCancelOrder"), OptionalLong.empty());
        assertThat(preset.remove()).isEqualTo(RemoveOrder.of(RemovePreset.WRONG_CANCEL_ORDER));
        assertThat(FaultsWire.write(preset).get("remove")).isEqualTo("wrongCancelOrder");
        assertThat(preset.remove().stepsFor(Policy.FENCED)).contains(RemovePreset.WRONG_CANCEL_ORDER.steps(Policy.FENCED));

        assertThat(FaultsWire.read(Map.of(), OptionalLong.empty()).remove().builtIn()).isTrue();
        assertThat(FaultsWire.write(Faults.NONE).get("remove")).isEqualTo(List.of());
        assertThat(Faults.NONE.remove().stepsFor(Policy.FENCED)).isEmpty();
        assertThat(Faults.of(Fault.LEAK_REGION).withRemove(list.remove()).withSeed(3).remove()).isEqualTo(list.remove());
    }

    @Test
    void theWireRefusesWhatIsNeitherAListOfStepsNorAPreset() {
        for (Object bad : List.of("forgetEverything", 3, List.of("free_irq", 1), List.of("nope"), List.of("mutex_unlock"),
                Map.of("free_irq", true))) {
            assertThatThrownBy(() -> FaultsWire.read(Map.of("remove", bad), OptionalLong.empty()))
                    .as("%s", bad).isInstanceOfSatisfying(KernelException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EINVAL));
        }
    }

    private static List<String> words(RemovePreset preset, Policy policy) {
        return RemoveStep.words(preset.steps(policy));
    }

    private static void assertEinval(String word, String says) {
        assertThatThrownBy(() -> RemoveStep.parse(word)).isInstanceOfSatisfying(KernelException.class,
                e -> assertThat(e.errno()).isEqualTo(Errno.EINVAL)).hasMessageContaining(says);
    }
}
