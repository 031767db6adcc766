package dev.udsgate.cli;

import dev.udsgate.demo.EchoServer;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code udsgate echo}: a toy upstream for trying the gateway, until SIGTERM or SIGINT. */
@Command(
        name = "echo",
        mixinStandardHelpOptions = true,
        usageHelpAutoWidth = true,
        versionProvider = UdsgateCommand.Version.class,
        description = {
            "A toy upstream on a Unix socket, for trying the gateway.",
            "",
            "Answers every request with what it received (method, path, query, headers) as JSON, until"
                    + " SIGTERM or SIGINT.",
        },
        footer = {"", "Exit status: 0 stopped, 1 failed to start, 2 bad arguments."})
final class EchoCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--socket", required = true, paramLabel = "PATH", description = "Socket file to listen on.")
    Path socket;

    @Option(
            names = "--name",
            defaultValue = "echo",
            paramLabel = "NAME",
            description = "Named in every answer, to tell upstreams apart (default: echo).")
    String name;

    @Override
    public Integer call() throws Exception {
        if (Files.exists(socket, LinkOption.NOFOLLOW_LINKS)) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(), "--socket: " + socket + " exists already; remove it or choose another path");
        }
        if (!Files.isDirectory(socket.toAbsolutePath().getParent())) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(),
                    "--socket: folder " + socket.toAbsolutePath().getParent() + " does not exist");
        }
        ShutdownSignals signals = ShutdownSignals.install();
        try (EchoServer echo = EchoServer.start(socket, name)) {
            System.out.println("echo listening on unix:" + socket);
            signals.awaitFirst();
        }
        return Main.EXIT_OK;
    }
}
