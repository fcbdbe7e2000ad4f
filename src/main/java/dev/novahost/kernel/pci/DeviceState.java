package dev.novahost.kernel.pci;

/** A device on the bus is {@code present} until it drops off the bus in a surprise removal. */
public enum DeviceState {
    PRESENT, REMOVED
}
