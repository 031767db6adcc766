package dev.udsgate.socket;

import dev.udsgate.config.FileMode;
import dev.udsgate.config.ListenerConfig;
import dev.udsgate.socket.SocketFile.FileIdentity;
import dev.udsgate.system.ProcessUser;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalNotFoundException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.eclipse.jetty.server.Request;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One named Unix-socket listener and its socket file, from {@code bind()} to removal.
 *
 * <p>The file never exists at its public path with a mode wider than configured: the socket is
 * bound in a private 0700 folder, given its mode and group there, then hard-linked into place
 * (a link, unlike a rename, never replaces a file that appeared meanwhile). On stop the file is
 * removed only if it is still the inode bound here.
 *
 * <p>No other user can turn these steps against another file: the folder must be out of their
 * reach ({@link SocketFolder}), and every step checks, without following links, that it acts on
 * what udsgate itself made.
 *
 * <p>A listener given an {@link InheritedSocket} (systemd socket activation) does none of this: it
 * serves the socket systemd bound, and the file is systemd's, to be left as it is, at start and at
 * stop alike.
 */
public final class UnixListener {

    private static final Logger LOG = LoggerFactory.getLogger(UnixListener.class);

    /** Replaced when the socket's permissions change ({@link #changePermissions}). */
    private volatile ListenerConfig config;

    private final Optional<InheritedSocket> inherited;
    private final Consumer<ListenerTransition> observer;
    private final int effectiveBacklog;
    private volatile List<ListenerTransition> lifecycle = List.of();
    private volatile SocketFile file;
    /** The socket path through its folder's real path: where every file operation is made. */
    private Path realPath;

    private PrivateBindFolder bindFolder;

    /** @param observer told of every state change, in order (for the event log) */
    public UnixListener(ListenerConfig config, Consumer<ListenerTransition> observer) {
        this(config, Optional.empty(), observer);
    }

    /**
     * @param inherited the socket systemd passed in for this listener, to serve instead of binding one
     * @param observer told of every state change, in order (for the event log)
     */
    public UnixListener(
            ListenerConfig config, Optional<InheritedSocket> inherited, Consumer<ListenerTransition> observer) {
        this.config = config;
        this.inherited = inherited;
        this.observer = observer;
        this.effectiveBacklog = KernelLimits.effectiveBacklog(config.backlog());
        enter(ListenerState.CREATED);
    }

    /**
     * Fails, naming this listener, unless its path can be bound (short enough, in a folder that
     * exists): checked for every listener before any binds, so that a start fails before it begins.
     */
    public void checkBindable() {
        if (inherited.isPresent()) {
            return;
        }
        try {
            SocketPathRules.check(path());
        } catch (ListenerStartException e) {
            throw new ListenerStartException("listener " + name() + ": " + e.getMessage(), e);
        }
    }

    /** The listener a request came through. */
    public static UnixListener serving(Request request) {
        return ((ListenerConnector) request.getConnectionMetaData().getConnector()).listener();
    }

    public String name() {
        return config.name();
    }

    public ListenerConfig config() {
        return config;
    }

    /** The socket's path: the configured one, or where the socket systemd passed in is bound. */
    public Path path() {
        return inherited.isPresent() ? inherited.get().path() : config.socketPath();
    }

    /** The socket systemd passed in, when this listener serves one; empty when udsgate bound its own. */
    public Optional<InheritedSocket> inherited() {
        return inherited;
    }

    /** The backlog the kernel applies: the configured one, capped by {@code net.core.somaxconn}. */
    public int effectiveBacklog() {
        return effectiveBacklog;
    }

    public ListenerState state() {
        List<ListenerTransition> transitions = lifecycle;
        return transitions.get(transitions.size() - 1).state();
    }

    public List<ListenerTransition> lifecycle() {
        return lifecycle;
    }

    public Optional<Instant> enteredAt(ListenerState state) {
        return lifecycle.stream()
                .filter(t -> t.state() == state)
                .map(ListenerTransition::at)
                .findFirst();
    }

    /** The socket file as the filesystem shows it now; empty when nothing is at the path. */
    public Optional<SocketFile.SocketFileStatus> fileStatus() {
        SocketFile current = file;
        return current == null ? Optional.empty() : current.status();
    }

    /**
     * The listening channel for the connector to serve: systemd's, or one bound here in the private
     * folder, where no client can reach it yet ({@link #publish} puts it in place).
     */
    synchronized ServerSocketChannel open() throws IOException {
        if (inherited.isPresent()) {
            return inherited.get().channel();
        }
        Path bindPath = prepareBind();
        ServerSocketChannel channel = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            channel.bind(UnixDomainSocketAddress.of(bindPath), config.backlog());
        } catch (IOException | RuntimeException e) {
            channel.close();
            removeBindFolder();
            throw e;
        }
        enter(ListenerState.BOUND);
        return channel;
    }

    /**
     * The connector is accepting: clients may come. udsgate's own socket is secured and linked to
     * its path, and its private folder goes; systemd's is in place already.
     */
    synchronized void publish() {
        if (inherited.isPresent()) {
            adopted(inherited.get());
            return;
        }
        Path bound = bindFolder.socketPath();
        FileIdentity boundIdentity = verifyBound();
        applyOwner(bound);
        applyGroup(bound);
        try {
            // chmod follows links, and the JDK cannot chmod a socket without following them; the
            // socket was checked just now, in a folder no one else can enter.
            Files.setPosixFilePermissions(bound, config.mode().permissions());
        } catch (IOException e) {
            throw new ListenerStartException(
                    "cannot set mode " + config.mode() + " on socket " + path() + ": " + reason(e), e);
        }
        linkIntoPlace(bound, boundIdentity);
        enter(ListenerState.LISTENING);
        LOG.info(
                "listener {}: listening on unix:{} mode {} backlog {}",
                name(),
                path(),
                config.mode(),
                effectiveBacklog);
        removeBindFolder();
    }

    /** The socket is bound and listening already; its file is remembered only to report on it. */
    private void adopted(InheritedSocket socket) {
        try {
            file = SocketFile.claim(socket.path());
        } catch (IOException e) {
            LOG.warn(
                    "listener {}: nothing to be seen at {}, where the socket from systemd is bound: {}",
                    name(),
                    socket.path(),
                    reason(e));
        }
        enter(ListenerState.LISTENING);
        LOG.info(
                "listener {}: listening on unix:{}, fd {} from systemd (socket activation; its file, mode and"
                        + " backlog are the .socket unit's)",
                name(),
                socket.path(),
                socket.fd());
        if (!socket.path().equals(config.socketPath())) {
            LOG.info("listener {}: the configured socket {} is not used", name(), config.socketPath());
        }
    }

    /**
     * Checks the path, clears a stale socket and makes the private folder.
     *
     * @return the path to bind, inside the private folder
     */
    private Path prepareBind() {
        SocketPathRules.check(path());
        realPath = SocketFolder.check(path());
        Path path = realPath;
        clearStaleSocket(path);
        try {
            bindFolder = PrivateBindFolder.createNextTo(path);
        } catch (IOException e) {
            throw new ListenerStartException(
                    "cannot create socket " + path + ": " + reason(e) + "; run as a user who may write to "
                            + path.getParent() + " or choose another --socket",
                    e);
        }
        Path bindPath = bindFolder.socketPath();
        if (SocketPathRules.byteLength(bindPath) > SocketPathRules.MAX_PATH_BYTES) {
            removeBindFolder();
            throw new ListenerStartException(String.format(
                    "socket folder %s is too long: udsgate binds first at %s (%d bytes), over the limit of %d;"
                            + " choose a shorter --socket",
                    path.getParent(), bindPath, SocketPathRules.byteLength(bindPath), SocketPathRules.MAX_PATH_BYTES));
        }
        return bindPath;
    }

    /**
     * Compares the path with the socket bound here, and says so when that changes: a file removed
     * or replaced by hand leaves the listener open but unreachable ({@code detached}). udsgate does
     * not put the file back: whoever removed it may have meant it, and another server may now own
     * the path. When the same inode is back at the path (moved away and back), it is listening again.
     */
    public synchronized void checkPath() {
        ListenerState state = state();
        if (file == null || (state != ListenerState.LISTENING && state != ListenerState.DETACHED)) {
            return;
        }
        boolean reachable = file.isOurs();
        if (state == ListenerState.LISTENING && !reachable) {
            LOG.warn(
                    "listener {}: {} no longer leads to this listener (removed or replaced);"
                            + " clients cannot connect until udsgate is restarted",
                    name(),
                    path());
            enter(ListenerState.DETACHED);
        } else if (state == ListenerState.DETACHED && reachable) {
            LOG.info("listener {}: {} leads to this listener again", name(), path());
            enter(ListenerState.LISTENING);
        }
    }

    /**
     * Stopping starts: take the file away so new clients fail at once instead of queueing. systemd's
     * file stays: clients that connect now wait in its socket for udsgate's next start.
     */
    synchronized void withdraw() {
        ListenerState state = state();
        if (state == ListenerState.LISTENING || state == ListenerState.DETACHED) {
            enter(ListenerState.DRAINING);
            if (inherited.isEmpty()) {
                removeFileIfOurs();
            }
        }
    }

    /** The server socket is closed: remove what is left, and only what is ours (never systemd's). */
    synchronized void closed() {
        if (inherited.isEmpty()) {
            removeFileIfOurs();
            removeBindFolder();
        }
        if (state() != ListenerState.CLOSED) {
            enter(ListenerState.CLOSED);
        }
    }

    private void clearStaleSocket(Path path) {
        PathOccupant occupant = PathOccupant.at(path);
        switch (occupant) {
            case NOTHING -> {}
            case STALE_SOCKET -> removeStaleIfOurUsers(path);
            case LIVE_SOCKET ->
                throw new ListenerStartException("cannot listen on " + path + ": " + occupant.describe(path)
                        + "; stop that server or choose another --socket");
            case UNREACHABLE_SOCKET, NOT_A_SOCKET ->
                throw new ListenerStartException("cannot listen on " + path + ": " + occupant.describe(path)
                        + "; udsgate will not remove it: move it away or choose another --socket");
        }
    }

    /**
     * A stale socket of udsgate's own user is what its last run left; another user's is theirs.
     * Either way no one else can swap it between this check and its removal: in a folder that passed
     * {@link SocketFolder}, only its owner, the folder's owner or root may rename or remove it.
     */
    private void removeStaleIfOurUsers(Path path) {
        int owner;
        try {
            owner = (Integer) Files.getAttribute(path, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            throw new ListenerStartException("cannot inspect stale socket " + path + ": " + reason(e), e);
        }
        if (owner != ProcessUser.effectiveUid() && !configuredOwnerIs(owner)) {
            throw new ListenerStartException("cannot listen on " + path + ": "
                    + PathOccupant.STALE_SOCKET.describe(path) + " that belongs to uid " + owner
                    + "; udsgate removes only its own user's stale sockets: remove it or choose another --socket");
        }
        try {
            Files.deleteIfExists(path);
            LOG.info("listener {}: removed stale socket {} (connect refused: its server is gone)", name(), path);
        } catch (IOException e) {
            throw new ListenerStartException("cannot remove stale socket " + path + ": " + reason(e), e);
        }
    }

    /** Whether {@code uid} is the user this listener gives its socket to: its last run's socket is its own. */
    private boolean configuredOwnerIs(int uid) {
        if (config.owner().isEmpty()) {
            return false;
        }
        try {
            UserPrincipal owner = FileSystems.getDefault()
                    .getUserPrincipalLookupService()
                    .lookupPrincipalByName(config.owner().get());
            return owner.equals(FileSystems.getDefault()
                    .getUserPrincipalLookupService()
                    .lookupPrincipalByName(Integer.toString(uid)));
        } catch (IOException e) {
            return false;
        }
    }

    /** Gives the socket to the configured user: only root may, and only in the private folder. */
    private void applyOwner(Path bound) {
        if (config.owner().isEmpty()) {
            return;
        }
        String owner = config.owner().get();
        try {
            UserPrincipal principal =
                    bound.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(owner);
            Files.getFileAttributeView(bound, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                    .setOwner(principal);
        } catch (UserPrincipalNotFoundException e) {
            throw new ListenerStartException(
                    "listener " + name() + ": no user named " + owner + "; give an existing user name or a numeric uid",
                    e);
        } catch (IOException e) {
            throw new ListenerStartException(
                    "cannot give socket " + path() + " to user " + owner + ": " + reason(e)
                            + " (only root may give a file to another user)",
                    e);
        }
    }

    /**
     * Changes the live socket file's mode and group; connections stay, and the next client to
     * connect meets the new permissions. Never wider than asked nor than before in between: first
     * the mode both allow, then the group, then the mode asked for. Only the socket udsgate bound
     * is touched: the file at the path must still be that inode (its folder passed {@link
     * SocketFolder}'s rule, so no one else can swap it meanwhile).
     *
     * @return the listener's configuration as it is now
     * @throws PermissionChangeException if nothing could be changed; nothing was
     */
    public synchronized ListenerConfig changePermissions(Optional<FileMode> mode, Optional<String> group) {
        if (inherited.isPresent()) {
            throw new PermissionChangeException(
                    PermissionChangeException.Reason.NOT_OURS,
                    "listener " + name() + ": its socket " + path() + " is systemd's (socket activation): change"
                            + " SocketMode= or SocketGroup= in its .socket unit");
        }
        SocketFile published = file;
        if (published == null || !published.isOurs()) {
            throw new PermissionChangeException(
                    PermissionChangeException.Reason.NOT_OURS,
                    "listener " + name() + ": the file at " + path() + " is not the socket udsgate bound ("
                            + state().label() + "): nothing was changed");
        }
        GroupPrincipal newGroup = group.map(this::lookUpGroup).orElse(null);
        FileMode target = mode.orElse(config.mode());
        Path at = realPath;
        try {
            Files.setPosixFilePermissions(at, config.mode().intersect(target).permissions());
            if (newGroup != null) {
                Files.getFileAttributeView(at, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                        .setGroup(newGroup);
            }
            Files.setPosixFilePermissions(at, target.permissions());
        } catch (IOException e) {
            throw new PermissionChangeException(
                    PermissionChangeException.Reason.INVALID,
                    "listener " + name() + ": cannot change the permissions of " + path() + ": " + reason(e)
                            + (newGroup == null
                                    ? ""
                                    : " (a user other than root may only choose a group it belongs to)"));
        }
        config = config.withPermissions(target, group.isPresent() ? group : config.group());
        LOG.info(
                "listener {}: socket {} is now mode {}{}",
                name(),
                path(),
                target,
                group.map(g -> " group " + g).orElse(""));
        return config;
    }

    /**
     * Takes a new description of this listener (a reload): a new mode or group is given to the live
     * file as {@link #changePermissions} gives it, never wider in between (a group no longer named
     * goes back to the process's own), and a new offer holds from the next request on. Open
     * connections stay. If the permissions cannot be changed, nothing is.
     *
     * @throws IllegalArgumentException if {@code next} changes what only a new socket can: its path,
     *     owner or backlog
     */
    public synchronized void reconfigure(ListenerConfig next) {
        if (!next.name().equals(name())
                || !next.socketPath().equals(path())
                || !next.owner().equals(config.owner())
                || next.backlog() != config.backlog()) {
            throw new IllegalArgumentException(
                    "listener " + name() + ": a new path, owner or backlog needs a new socket");
        }
        if (!next.mode().equals(config.mode()) || !next.group().equals(config.group())) {
            changePermissions(Optional.of(next.mode()), Optional.of(next.group().orElseGet(ProcessUser::groupId)));
        }
        config = next;
    }

    private GroupPrincipal lookUpGroup(String group) {
        try {
            return FileSystems.getDefault().getUserPrincipalLookupService().lookupPrincipalByGroupName(group);
        } catch (IOException e) {
            throw new PermissionChangeException(
                    PermissionChangeException.Reason.INVALID,
                    "no group named " + group + "; give an existing group name or a numeric gid");
        }
    }

    private void applyGroup(Path bound) {
        if (config.group().isEmpty()) {
            return;
        }
        String group = config.group().get();
        try {
            GroupPrincipal principal =
                    bound.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByGroupName(group);
            Files.getFileAttributeView(bound, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                    .setGroup(principal);
        } catch (UserPrincipalNotFoundException e) {
            throw new ListenerStartException(
                    "no group named " + group + "; give an existing group name or a numeric id to --group", e);
        } catch (IOException e) {
            throw new ListenerStartException(
                    "cannot give socket " + path() + " to group " + group + ": " + reason(e)
                            + " (a user other than root may only choose a group it belongs to)",
                    e);
        }
    }

    private FileIdentity verifyBound() {
        try {
            return bindFolder.verifyBound();
        } catch (IOException e) {
            throw new ListenerStartException("cannot secure socket " + path() + ": " + reason(e), e);
        }
    }

    /** {@code link()} does not follow a link at its source, and fails if anything is at the path. */
    private void linkIntoPlace(Path bound, FileIdentity boundIdentity) {
        Path path = realPath;
        for (int attempt = 0; ; attempt++) {
            try {
                Files.createLink(path, bound);
                SocketFile published = SocketFile.claim(path);
                if (!published.identity().equals(boundIdentity)) {
                    // Not ours, so not ours to remove either.
                    throw new ListenerStartException("cannot listen on " + path()
                            + ": another file took the path as udsgate linked its socket there");
                }
                file = published;
                return;
            } catch (FileAlreadyExistsException e) {
                // Something appeared at the path since it was checked; a stale socket may go, once.
                if (attempt > 0) {
                    throw new ListenerStartException(
                            "cannot listen on " + path() + ": "
                                    + PathOccupant.at(path).describe(path),
                            e);
                }
                clearStaleSocket(path);
            } catch (IOException e) {
                throw new ListenerStartException("cannot put socket in place at " + path + ": " + reason(e), e);
            }
        }
    }

    private void removeFileIfOurs() {
        SocketFile current = file;
        if (current == null) {
            return;
        }
        try {
            if (current.removeIfOurs()) {
                // Gone: a socket another listener binds at this path later is not this one's to report on.
                file = null;
                LOG.info("listener {}: removed socket file {}", name(), current.path());
            } else if (Files.exists(current.path(), LinkOption.NOFOLLOW_LINKS)) {
                LOG.warn(
                        "listener {}: left {} in place: it is no longer the socket udsgate bound",
                        name(),
                        current.path());
            }
        } catch (IOException e) {
            LOG.warn("listener {}: cannot remove socket file {}: {}", name(), current.path(), reason(e));
        }
    }

    private void removeBindFolder() {
        if (bindFolder == null) {
            return;
        }
        try {
            bindFolder.remove();
            bindFolder = null;
        } catch (IOException e) {
            LOG.warn("listener {}: cannot remove private bind folder: {}", name(), reason(e));
        }
    }

    private void enter(ListenerState state) {
        ListenerTransition transition = new ListenerTransition(state, Instant.now());
        List<ListenerTransition> next = new ArrayList<>(lifecycle);
        next.add(transition);
        lifecycle = List.copyOf(next);
        observer.accept(transition);
    }

    static String reason(IOException e) {
        String message = e.getMessage();
        if (e instanceof java.nio.file.AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof java.nio.file.FileSystemException fse && fse.getReason() != null) {
            return fse.getReason().toLowerCase(java.util.Locale.ROOT);
        }
        return message == null ? e.getClass().getSimpleName() : message;
    }

    @Override
    public String toString() {
        return "listener " + name() + " on unix:" + path()
                + inherited.map(s -> " (fd " + s.fd() + " from systemd)").orElse("");
    }
}
