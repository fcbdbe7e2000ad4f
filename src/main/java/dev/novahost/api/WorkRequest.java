package dev.novahost.api;

/** {@code POST /devices/{address}/work}. */
record WorkRequest(Long delayNs, Long requeue, String scope, String action, Long holdNs) {
}
