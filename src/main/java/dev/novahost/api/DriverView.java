package dev.novahost.api;

import java.util.List;

/** A driver the kernel knows: whether its module registered it, its policy, the devices bound to it. */
record DriverView(String name, boolean registered, String policy, List<String> devices) {
}
