package dev.novahost.kernel.events;

/** The driver's interrupt handler: requested, fired, stopped, freed. */
public sealed interface IrqEvent extends KernelEvent {

    String handler();

    /** What happened to it, the log line after its name. */
    String what();

    @Override
    default String object() {
        return handler();
    }

    @Override
    default String message() {
        return handler() + ": " + what();
    }

    record Requested(String device, String handler) implements IrqEvent {
        public String type() {
            return "irq.requested";
        }

        public String what() {
            return "request_irq: PTIMER alarm handler installed";
        }
    }

    record Freed(String device, String handler) implements IrqEvent {
        public String type() {
            return "irq.freed";
        }

        public String what() {
            return "free_irq";
        }
    }

    record Fired(String device, String handler) implements IrqEvent {
        public String type() {
            return "irq.fired";
        }

        public String what() {
            return "PTIMER alarm interrupt";
        }
    }

    /** The handler found its device removed, and took itself off the line. */
    record Stopped(String device, String handler) implements IrqEvent {
        public String type() {
            return "irq.stopped";
        }

        public String what() {
            return "handler stopped and taken off the line";
        }
    }
}
