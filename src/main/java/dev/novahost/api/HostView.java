package dev.novahost.api;

import java.util.List;

/** The simulated machine at a glance. */
record HostView(long uptimeNs, String clock, List<String> taints, int devices, int boundDevices,
                List<ModuleView> modules) {
}
