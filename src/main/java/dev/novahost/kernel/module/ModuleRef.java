package dev.novahost.kernel.module;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One reference on a module, as {@code try_module_get} takes it for an open file ({@code fops.owner}).
 * Dropping it twice is harmless; dropping a reference on a generation that has since been force-unloaded
 * changes nothing, because that module's count died with it.
 */
public final class ModuleRef {

    private final Module module;
    private final ModuleText text;
    private final Runnable disassociate;
    private final AtomicBoolean dropped = new AtomicBoolean();

    ModuleRef(Module module, ModuleText text, Runnable disassociate) {
        this.module = module;
        this.text = text;
        this.disassociate = disassociate;
    }

    /** The text generation the holder's code points into. */
    public ModuleText text() {
        return text;
    }

    /** {@code module_put}. */
    public void put() {
        if (dropped.compareAndSet(false, true)) {
            module.release(this);
        }
    }

    /**
     * Unload in disassociate mode calls this: the holder disconnects itself, then the reference is
     * dropped. A holder that already dropped its reference (closed meanwhile) is left alone.
     */
    void disassociate() {
        if (dropped.compareAndSet(false, true)) {
            disassociate.run();
            module.release(this);
        }
    }
}
