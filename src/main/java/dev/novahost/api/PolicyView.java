package dev.novahost.api;

record PolicyView(String policy) {
}
