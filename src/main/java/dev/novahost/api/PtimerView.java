package dev.novahost.api;

/** The device's PTIMER as nova-core's timer subdevice read it: hex, and nanoseconds for people. */
record PtimerView(String device, String time, long ns) {

    static PtimerView of(String device, long time) {
        return new PtimerView(device, Hex.value64(time), time);
    }
}
