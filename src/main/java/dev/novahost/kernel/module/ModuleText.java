package dev.novahost.kernel.module;

/**
 * The code of one load of a module: each {@code insmod} maps a new text generation, and every callback
 * (timer, work, file op, IRQ handler) remembers the generation its function pointer points into. Once
 * the module is unloaded that text is freed, and calling into it is an instruction fetch from freed
 * memory.
 *
 * <p>Thread-safety: immutable but for the {@code freed} flag, which is volatile.
 */
public final class ModuleText {

    private final String module;
    private final int generation;
    private volatile boolean freed;

    ModuleText(String module, int generation) {
        this.module = module;
        this.generation = generation;
    }

    public String module() {
        return module;
    }

    public int generation() {
        return generation;
    }

    public boolean isFreed() {
        return freed;
    }

    void free() {
        freed = true;
    }

    @Override
    public String toString() {
        return module + " generation " + generation;
    }
}
