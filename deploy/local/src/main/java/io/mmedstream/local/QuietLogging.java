package io.mmedstream.local;

import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.Logger;

/**
 * Keeps library logging (the Kafka clients) off the user's terminal: the CLI reports problems itself, in words the
 * user can act on. Warnings and errors still show with {@code MMED_DEBUG=1}.
 */
final class QuietLogging {

    private static final String JBOSS_LOG_MANAGER = "org.jboss.logmanager.LogManager";

    private QuietLogging() {
    }

    private static boolean present(String className) {
        try {
            Class.forName(className, false, QuietLogging.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    static void install() {
        boolean debug = "1".equals(System.getenv("MMED_DEBUG"));
        // SLF4J without a provider would print a notice on first use; libraries' messages are not for the user here.
        System.setProperty("slf4j.internal.verbosity", debug ? "WARN" : "ERROR");
        // The services' engines (used by bench) bring JBoss LogManager, which routes SLF4J and System.Logger and
        // complains on stderr unless it is also the JUL manager; it must be named before JUL starts.
        if (System.getProperty("java.util.logging.manager") == null && present(JBOSS_LOG_MANAGER)) {
            System.setProperty("java.util.logging.manager", JBOSS_LOG_MANAGER);
        }
        LogManager.getLogManager().reset();
        Logger root = Logger.getLogger("");
        root.setLevel(debug ? Level.WARNING : Level.OFF);
        if (debug) {
            root.addHandler(new java.util.logging.ConsoleHandler());
        }
    }
}
