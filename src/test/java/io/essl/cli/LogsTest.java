package io.essl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.Layout;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.config.Configurator;
import org.apache.logging.log4j.core.impl.Log4jLogEvent;
import org.apache.logging.log4j.message.SimpleMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.*;

class LogsTest {
    @AfterEach
    void backToText() throws Exception {
        Configurator.reconfigure(getClass().getClassLoader().getResource("log4j2.properties").toURI());
    }

    private static Layout<?> consoleLayout() {
        LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
        return ctx.getConfiguration().getAppender("console").getLayout();
    }

    @Test
    void logFormatJsonGivesOneJsonEventPerLineWithTheSameLevels() throws Exception {
        assertFalse(consoleLayout().getContentType().contains("json"), "text by default");
        // as a subcommand's option (picocli's inherited scope) and before the subcommand
        assertEquals(Main.OK, Main.run("config", "--log-format", "json", "--set", "train.epochs=3"));
        Layout<?> layout = consoleLayout();
        assertTrue(layout.getContentType().startsWith("application/json"), layout.getContentType());
        String line = new String(layout.toByteArray(Log4jLogEvent.newBuilder().setLoggerName("io.essl.train.Progress")
                .setLevel(Level.INFO).setTimeMillis(1_700_000_000_000L)
                .setMessage(new SimpleMessage("step 3/10 loss 1.2 \"quoted\"\nsecond line")).build()), StandardCharsets.UTF_8);
        assertTrue(line.endsWith("\n") && line.indexOf('\n') == line.length() - 1, "one event, one line: " + line);
        JsonNode e = new ObjectMapper().readTree(line);
        assertEquals("INFO", e.get("level").asText());
        assertEquals("io.essl.train.Progress", e.get("loggerName").asText());
        assertEquals("step 3/10 loss 1.2 \"quoted\"\nsecond line", e.get("message").asText());
        assertEquals(1_700_000_000_000L, e.get("timeMillis").asLong());
        assertTrue(LogManager.getLogger("io.essl.train.Progress").isInfoEnabled(), "our progress lines still shown");
        assertFalse(LogManager.getLogger("org.apache.spark.SparkContext").isInfoEnabled(), "Spark still quiet");

        backToText();
        assertEquals(Main.OK, Main.run("--log-format", "json", "config"));
        assertTrue(consoleLayout().getContentType().startsWith("application/json"), "before the subcommand too");
        assertEquals(Main.BAD_INPUT, Main.run("config", "--log-format", "xml"));
    }
}
