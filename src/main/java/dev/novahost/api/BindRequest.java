package dev.novahost.api;

/** sysfs bind/unbind take the device address. */
record BindRequest(String device) {
}
