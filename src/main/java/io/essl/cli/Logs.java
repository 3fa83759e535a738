package io.essl.cli;

import org.apache.logging.log4j.core.config.Configurator;

/** The log layout: log4j2.properties (lines for people) or log4j2-json.properties (events for aggregators). */
final class Logs {
    static final String JSON = "log4j2-json.properties";

    private Logs() {
    }

    /** Switches this JVM's logging (driver, and local-mode executors, which share it) to JSON events. */
    static void json() {
        java.net.URL url = Logs.class.getClassLoader().getResource(JSON);
        if (url == null) throw new IllegalStateException(JSON + " is missing from the classpath");
        try {
            Configurator.reconfigure(url.toURI());
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
