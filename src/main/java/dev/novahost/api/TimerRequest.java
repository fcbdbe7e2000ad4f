package dev.novahost.api;

/** {@code POST /devices/{address}/timers}. */
record TimerRequest(String mode, Long delayNs, Long periodNs, String scope, String action, Long work, Long holdNs) {
}
