package dev.udsgate.peer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Container identities from real shapes of /proc/PID/cgroup and /proc/PID/mountinfo. */
class ContainerParserTest {

    private static final String ID = "4f1c0a9b2e3d4c5b6a7980f1e2d3c4b5a6978f0e1d2c3b4a5968f7e6d5c4b3a2";
    private static final String POD = "2c48913c-b29f-11e7-9350-020968147796";

    @Test
    void dockerWithTheSystemdDriverOnCgroupV2() {
        assertThat(ContainerParser.fromCgroupFile("0::/system.slice/docker-" + ID + ".scope\n"))
                .contains(container("docker", ID, null));
    }

    @Test
    void dockerWithTheCgroupfsDriverOnCgroupV1() {
        String cgroup = """
                12:pids:/docker/%1$s
                11:memory:/docker/%1$s
                1:name=systemd:/docker/%1$s
                0::/system.slice/containerd.service
                """.formatted(ID);
        assertThat(ContainerParser.fromCgroupFile(cgroup)).contains(container("docker", ID, null));
    }

    @Test
    void podmanRootfulAndRootless() {
        assertThat(ContainerParser.fromCgroupFile("0::/machine.slice/libpod-" + ID + ".scope/container\n"))
                .contains(container("podman", ID, null));
        assertThat(ContainerParser.fromCgroupFile(
                        "0::/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-" + ID + ".scope\n"))
                .contains(container("podman", ID, null));
        assertThat(ContainerParser.fromCgroupFile("1:name=systemd:/libpod_parent/libpod-" + ID + "\n"))
                .contains(container("podman", ID, null));
    }

    @Test
    void kubernetesOnContainerdWithTheSystemdDriver() {
        String path = "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" + POD.replace('-', '_')
                + ".slice/cri-containerd-" + ID + ".scope";
        assertThat(ContainerParser.fromCgroupFile("0::" + path + "\n")).contains(container("containerd", ID, POD));
    }

    @Test
    void kubernetesOnCriOWithTheSystemdDriver() {
        String path = "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" + POD.replace('-', '_')
                + ".slice/crio-" + ID + ".scope";
        assertThat(ContainerParser.fromCgroupFile("0::" + path + "\n")).contains(container("cri-o", ID, POD));
    }

    @Test
    void kubernetesWithTheCgroupfsDriverNamesThePodButNotTheRuntime() {
        assertThat(ContainerParser.fromCgroupFile("4:cpu,cpuacct:/kubepods/burstable/pod" + POD + "/" + ID + "\n"))
                .contains(container(null, ID, POD));
        assertThat(ContainerParser.fromCgroupFile("4:memory:/kubepods/pod" + POD + "/" + ID + "\n"))
                .contains(container(null, ID, POD));
    }

    @Test
    void aHostProcessIsInNoContainer() {
        assertThat(ContainerParser.fromCgroupFile("0::/user.slice/user-1000.slice/session-3.scope\n"))
                .isEmpty();
        assertThat(ContainerParser.fromCgroupFile("0::/system.slice/ssh.service\n"))
                .isEmpty();
        assertThat(ContainerParser.fromCgroupFile("0::/\n")).isEmpty();
        // A conmon process runs next to a container, not in it.
        assertThat(ContainerParser.fromCgroupFile("0::/machine.slice/libpod-conmon-" + ID + ".scope\n"))
                .isEmpty();
    }

    @Test
    void behindAPrivateCgroupNamespaceDockerIsFoundByItsMounts() {
        String mountinfo = """
                1104 1067 0:118 / / rw,relatime master:600 - overlay overlay rw,lowerdir=/var/lib/docker/overlay2/l/A
                1105 1104 0:121 / /proc rw,nosuid,nodev,noexec,relatime - proc proc rw
                1118 1104 8:1 /var/lib/docker/containers/%1$s/resolv.conf /etc/resolv.conf rw,relatime - ext4 /dev/sda1 rw
                1119 1104 8:1 /var/lib/docker/containers/%1$s/hostname /etc/hostname rw,relatime - ext4 /dev/sda1 rw
                """.formatted(ID);
        assertThat(ContainerParser.fromMountinfo(mountinfo)).contains(container("docker", ID, null));
    }

    @Test
    void behindAPrivateCgroupNamespacePodmanAndKubeletPodsAreFoundByTheirMounts() {
        String podman = "2290 2265 0:46 /containers/storage/overlay-containers/" + ID
                + "/userdata/hostname /etc/hostname rw,nosuid,nodev - tmpfs tmpfs rw\n";
        assertThat(ContainerParser.fromMountinfo(podman)).contains(container("podman", ID, null));

        String kubelet = "1541 1509 259:1 /var/lib/kubelet/pods/" + POD
                + "/etc-hosts /etc/hosts rw,relatime - ext4 /dev/root rw\n";
        assertThat(ContainerParser.fromMountinfo(kubelet)).contains(container(null, null, POD));
        assertThat(ContainerParser.fromMountinfo(kubelet + podman)).contains(container("cri-o", ID, POD));
    }

    @Test
    void aHostProcessMountsNameNoContainer() {
        String mountinfo = """
                22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw
                23 22 0:21 / /proc rw,nosuid,nodev,noexec,relatime shared:12 - proc proc rw
                """;
        assertThat(ContainerParser.fromMountinfo(mountinfo)).isEmpty();
    }

    private static Container container(String runtime, String id, String pod) {
        return new Container(Optional.ofNullable(runtime), Optional.ofNullable(id), Optional.ofNullable(pod));
    }
}
