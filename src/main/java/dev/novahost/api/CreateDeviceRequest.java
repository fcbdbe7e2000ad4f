package dev.novahost.api;

/** {@code POST /devices}: the chipset is required; address and revision are optional. */
record CreateDeviceRequest(String chipset, String address, String revision) {
}
