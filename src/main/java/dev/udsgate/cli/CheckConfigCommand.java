package dev.udsgate.cli;

import dev.udsgate.config.GatewayConfig;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code udsgate check-config FILE}: whether {@code serve --config FILE} would accept the file, with
 * every error at once in serve's own words (it is serve's reading of it), and nothing started.
 */
@Command(
        name = "check-config",
        mixinStandardHelpOptions = true,
        usageHelpAutoWidth = true,
        description = "Checks a config file as 'serve --config FILE' reads it: every error at once, exit 2;"
                + " one line and exit 0 when it is good.")
final class CheckConfigCommand implements Callable<Integer> {

    @Parameters(paramLabel = "FILE", description = "The YAML or JSON config file to check.")
    Path file;

    @Override
    public Integer call() {
        ServeCommand serve = new ServeCommand();
        new CommandLine(serve).parseArgs("--config", file.toString());
        GatewayConfig config = serve.config();
        System.out.printf(
                "%s is a good config: %d listener%s (%s), %d route%s%n",
                file,
                config.listeners().size(),
                config.listeners().size() == 1 ? "" : "s",
                config.listeners().get(0).socketPath(),
                config.routes().size(),
                config.routes().size() == 1 ? "" : "s");
        return Main.EXIT_OK;
    }
}
