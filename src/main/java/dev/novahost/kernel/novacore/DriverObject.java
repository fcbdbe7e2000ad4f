package dev.novahost.kernel.novacore;

import dev.novahost.kernel.events.History;
import dev.novahost.kernel.module.ModuleText;

/** Something of nova-core's whose code runs later: a timer, a work item, an open file, the IRQ handler. */
sealed interface DriverObject permits LoggedObject, SysfsMmio {

    /** How the kernel log names it: {@code timer 7}. */
    String name();

    /** The device whose driver data it belongs to, or whose BAR it uses (module scope). */
    NovaDevice owner();

    Scope scope();

    /** The module text generation its function pointer points into. */
    ModuleText text();

    History history();
}
