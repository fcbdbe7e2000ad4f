package dev.novahost.kernel.module;

/** What a module does when it is loaded and unloaded: {@code module_init} and {@code module_exit}. */
public interface ModuleCode {

    /** Runs with the new text live; a thrown {@code KernelException} fails the load. */
    void init(ModuleText text);

    /** Runs while the module is {@code going}: new references are already refused. */
    void exit();
}
