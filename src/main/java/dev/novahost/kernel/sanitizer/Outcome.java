package dev.novahost.kernel.sanitizer;

/** Whether the framework stopped the violation ({@code prevented}) or it really happened ({@code occurred}). */
public enum Outcome {
    PREVENTED, OCCURRED
}
