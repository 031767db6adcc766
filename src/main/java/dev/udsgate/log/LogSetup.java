package dev.udsgate.log;

import ch.qos.logback.classic.ClassicConstants;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ConfiguratorRank;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.spi.ContextAwareBase;
import dev.udsgate.config.LogFormat;
import java.util.Map;
import org.slf4j.LoggerFactory;

/**
 * How udsgate logs: one line per event on standard error, as text until {@link #use} says otherwise,
 * at the levels below. Logback finds this class through {@code META-INF/services} when the first
 * logger is made, so no XML is parsed at start.
 *
 * <p>Two ways to change it, for an operator: {@code -Dname.LEVEL=DEBUG} sets one logger's level (any
 * name, such as {@code dev.udsgate.api}); {@code -Dlogback.configurationFile=FILE} replaces all of
 * this with logback's own configuration file.
 */
@ConfiguratorRank(ConfiguratorRank.CUSTOM_NORMAL_PRIORITY)
public final class LogSetup extends ContextAwareBase implements Configurator {

    private static final String APPENDER = "stderr";
    private static final String LEVEL_SUFFIX = ".LEVEL";

    /** udsgate's own events; Jetty's only when something is wrong. */
    private static final Map<String, Level> LEVELS = Map.of(
            Logger.ROOT_LOGGER_NAME,
            Level.INFO,
            "dev.udsgate",
            Level.INFO,
            "org.eclipse.jetty",
            Level.WARN,
            // Logs a Host header no URI can hold at WARN with a stack trace: that is a client's
            // mistake, answered with a 400 and at most one DEBUG line of ours.
            "org.eclipse.jetty.util.HostPort",
            Level.OFF);

    @Override
    public ExecutionStatus configure(LoggerContext context) {
        if (System.getProperty(ClassicConstants.CONFIG_FILE_PROPERTY) != null) {
            return ExecutionStatus.INVOKE_NEXT_IF_ANY;
        }
        LineEncoder encoder = new LineEncoder(LogFormat.DEFAULT);
        encoder.setContext(context);
        encoder.start();
        ConsoleAppender<ILoggingEvent> stderr = new ConsoleAppender<>();
        stderr.setContext(context);
        stderr.setName(APPENDER);
        stderr.setTarget("System.err");
        stderr.setEncoder(encoder);
        stderr.start();
        context.getLogger(Logger.ROOT_LOGGER_NAME).addAppender(stderr);
        LEVELS.forEach((name, level) -> context.getLogger(name).setLevel(level));
        System.getProperties().stringPropertyNames().stream()
                .filter(key -> key.endsWith(LEVEL_SUFFIX))
                .forEach(key -> context.getLogger(key.substring(0, key.length() - LEVEL_SUFFIX.length()))
                        .setLevel(Level.toLevel(System.getProperty(key), Level.INFO)));
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }

    /**
     * Writes every line from now on in this format. Does nothing when logback was given a file of
     * its own ({@code -Dlogback.configurationFile}): that file says how lines look.
     */
    public static void use(LogFormat format) {
        if (LoggerFactory.getILoggerFactory() instanceof LoggerContext context
                && context.getLogger(Logger.ROOT_LOGGER_NAME).getAppender(APPENDER)
                        instanceof ConsoleAppender<ILoggingEvent> stderr
                && stderr.getEncoder() instanceof LineEncoder encoder) {
            encoder.use(format);
        }
    }
}
