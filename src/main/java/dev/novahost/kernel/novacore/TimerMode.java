package dev.novahost.kernel.novacore;

public enum TimerMode {
    ONESHOT, PERIODIC
}
