package dev.udsgate.socket;

import com.sun.jna.LastErrorException;
import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * systemd's socket activation protocol ({@code sd_listen_fds(3)}), read from the environment: when
 * {@code LISTEN_PID} is this process's pid, {@code LISTEN_FDS=N} sockets wait on descriptors 3 to
 * 3+N-1, named in order by {@code LISTEN_FDNAMES} (colon-separated; {@code FileDescriptorName=} in
 * the .socket unit). One socket and no names is the listener {@code main}'s, as one {@code -H
 * fd://} is Docker's.
 *
 * <p>{@code LISTEN_PID} is what keeps a child process from taking its parent's sockets for its own;
 * udsgate starts none, and unsets the three variables once read anyway, as {@code sd_listen_fds(1)}
 * does, so that none it might start later could inherit them. (The JVM's own copy of the
 * environment, {@link System#getenv()}, keeps them: it is a snapshot taken at start.)
 */
public final class SocketActivation {

    private static final Logger LOG = LoggerFactory.getLogger(SocketActivation.class);

    /** {@code SD_LISTEN_FDS_START}: the first passed descriptor comes after stdin, stdout and stderr. */
    public static final int FIRST_FD = 3;

    /** The name of a lone socket passed without a name. */
    public static final String DEFAULT_NAME = "main";

    public static final List<String> VARIABLES = List.of("LISTEN_PID", "LISTEN_FDS", "LISTEN_FDNAMES");

    /** More than any service manager passes; a bigger number is a broken environment, not a request. */
    static final int MAX_FDS = 1024;

    private SocketActivation() {}

    /** A descriptor the environment says was passed, and its name. */
    record Passed(int fd, String name) {}

    /**
     * The sockets passed to this process, checked and adopted; none when it was not socket-activated.
     * Unsets the variables either way. Fails, naming the descriptor, if one is not a listening Unix
     * stream socket.
     */
    public static InheritedSockets fromEnvironment() {
        List<Passed> passed = passed(System.getenv(), ProcessHandle.current().pid());
        unsetVariables();
        return adopt(passed);
    }

    /**
     * What the environment asks for, checked for consistency but not against the descriptors.
     *
     * @param pid this process's pid: variables meant for another process are ignored
     */
    static List<Passed> passed(Map<String, String> env, long pid) {
        String listenPid = env.get("LISTEN_PID");
        String listenFds = env.get("LISTEN_FDS");
        if (listenPid == null || listenFds == null) {
            return List.of();
        }
        if (!listenPid.trim().equals(Long.toString(pid))) {
            LOG.info("LISTEN_PID is {}, not this process ({}): the sockets passed are not for udsgate", listenPid, pid);
            return List.of();
        }
        int count = parseCount(listenFds);
        String names = env.get("LISTEN_FDNAMES");
        List<String> nameList;
        if (names == null) {
            if (count > 1) {
                throw new ListenerStartException(
                        "systemd passed " + count + " sockets (LISTEN_FDS) but no names"
                                + " (LISTEN_FDNAMES); give each a listener's name with FileDescriptorName= in the .socket unit");
            }
            nameList = count == 1 ? List.of(DEFAULT_NAME) : List.of();
        } else {
            nameList = List.of(names.split(":", -1));
            if (nameList.size() != count) {
                throw new ListenerStartException("systemd passed " + count + " sockets (LISTEN_FDS) but "
                        + nameList.size() + " names (LISTEN_FDNAMES=" + names + ")");
            }
        }
        List<Passed> passed = new ArrayList<>();
        Map<String, Integer> seen = new HashMap<>();
        for (int i = 0; i < count; i++) {
            int fd = FIRST_FD + i;
            String name = nameList.get(i);
            Integer earlier = seen.putIfAbsent(name, fd);
            if (earlier != null) {
                throw new ListenerStartException("fds " + earlier + " and " + fd + " passed by systemd are both named '"
                        + name + "' (LISTEN_FDNAMES); a listener serves one socket: give each its own"
                        + " FileDescriptorName=");
            }
            passed.add(new Passed(fd, name));
        }
        return List.copyOf(passed);
    }

    private static int parseCount(String listenFds) {
        int count;
        try {
            count = Integer.parseInt(listenFds.trim());
        } catch (NumberFormatException e) {
            throw new ListenerStartException("LISTEN_FDS is '" + listenFds + "', not a number of sockets");
        }
        if (count < 0 || count > MAX_FDS) {
            throw new ListenerStartException(
                    "LISTEN_FDS is " + count + ", not a number of sockets between 0 and " + MAX_FDS);
        }
        return count;
    }

    /** Checks each descriptor, then makes a channel of it; on any failure closes those made and fails. */
    static InheritedSockets adopt(List<Passed> passed) {
        // All are checked before any is adopted: a bad one fails the start before a channel owns another.
        passed.forEach(p -> InheritedDescriptor.check(p.fd()));
        Map<String, InheritedSocket> byName = new LinkedHashMap<>();
        try {
            for (Passed p : passed) {
                ServerSocketChannel channel = InheritedDescriptor.channel(p.fd());
                byName.put(p.name(), new InheritedSocket(p.name(), p.fd(), channel, boundPath(p.fd(), channel)));
                LOG.info(
                        "socket activation: fd {} named '{}' is a Unix socket listening on {}",
                        p.fd(),
                        p.name(),
                        byName.get(p.name()).path());
            }
        } catch (RuntimeException e) {
            byName.values().forEach(s -> closeQuietly(s.channel()));
            throw e;
        }
        return new InheritedSockets(byName);
    }

    private static Path boundPath(int fd, ServerSocketChannel channel) {
        try {
            if (channel.getLocalAddress() instanceof UnixDomainSocketAddress address
                    && !address.getPath().toString().isEmpty()) {
                return address.getPath();
            }
        } catch (IOException e) {
            closeQuietly(channel);
            throw new ListenerStartException(
                    "cannot read the address of fd " + fd + " passed by systemd: " + e.getMessage(), e);
        }
        closeQuietly(channel);
        throw new ListenerStartException("fd " + fd + " passed by systemd is an unnamed or abstract Unix socket;"
                + " udsgate serves sockets with a path (ListenStream=/path in the .socket unit)");
    }

    private static void unsetVariables() {
        try {
            LibC.load();
            for (String name : VARIABLES) {
                LibC.unsetenv(name);
            }
        } catch (LinkageError | LastErrorException e) {
            // No native access: nothing udsgate starts sees them anyway (LISTEN_PID is not theirs).
            LOG.debug("cannot unset {}: {}", VARIABLES, e.toString());
        }
    }

    private static void closeQuietly(ServerSocketChannel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            // our copy of the descriptor; the service manager keeps its own
        }
    }
}
