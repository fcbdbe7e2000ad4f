package dev.novahost.api;

import java.util.List;

/**
 * The simulated machine at a glance. {@code panicked}: a hung task under {@code nova.hung-task.panic}
 * marked the host (until a reset); it keeps answering.
 */
record HostView(long uptimeNs, String clock, List<String> taints, int devices, int boundDevices,
                List<ModuleView> modules, boolean panicked) {
}
