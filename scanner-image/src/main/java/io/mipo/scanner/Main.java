package io.mipo.scanner;

/** Entry point of the mipo scanner agent. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        System.err.println("usage: mipo-scanner (register|run) [options]");
        System.exit(2);
    }
}
