"""Proof by booting: QEMU machines netboot what a real conductor wrote.

The ``boot_lab`` fixture (conftest) runs a real Ironic with this plugin,
real loaders (GRUB arm64/x86_64, pxelinux, iPXE) and real Debian kernels
with a marker initramfs, and takes one node per case to ``clean wait``.
Each test boots a QEMU machine from Ironic's TFTP root, with the bootfile
taken from the dnsmasq options file Ironic wrote for that node, and checks
what the deploy ramdisk saw against the plan the CLI computes from the same
ironic.conf. The ``broken`` tests copy the conductor's tree, break one
thing and show the matching check fails.

Boots run one after the other (the machine has 2 cores); each takes
10-20 s under TCG.
"""

import os
import shutil

import pytest

from tests.boot import conftest as lab
from tests.boot import harness

pytestmark = pytest.mark.boot

#: Seconds one boot may take (well under two minutes even on busy CI).
TIMEOUT = 150


def expected_bootif(node):
    """BOOTIF as each loader expands it for the node's MAC."""
    if node.plan.config_format == 'pxelinux':
        return 'BOOTIF=01-' + node.mac.replace(':', '-')   # IPAPPEND 2
    return 'BOOTIF=' + node.mac   # GRUB ${net_default_mac}, iPXE ${mac}


def console_device(node):
    """``ttyAMA0`` from the planned ``console=ttyAMA0,115200``."""
    value = node.plan.console.value
    assert value.startswith('console='), value
    return value.split('=', 1)[1].split(',', 1)[0]


def check_boot(node, result):
    """Assert that a boot ran what the plan says.

    :raises AssertionError: naming the first mismatch.
    """
    assert result.arch == node.arch, (node.name, result.arch)
    got = result.cmdline.split()
    assert node.plan.console.value in got, (
        '%s: planned console %r not in cmdline %r'
        % (node.name, node.plan.console.value, result.cmdline))
    planned = node.plan.kernel_params.value.split()
    # The conductor passes the operation's global request id, which the
    # CLI's plan cannot know; Ironic's order puts it after the agent's
    # arguments and, in GRUB, before boot_server=. Drop it from the
    # booted words, once.
    request_ids = [w for w in got if w.startswith('ipa-global-request-id=')]
    assert len(request_ids) <= 1, (node.name, result.cmdline)
    got = [w for w in got if w not in request_ids]
    # Loaders add their own words (BOOT_IMAGE=, initrd=) around the
    # planned ones; the planned sequence itself must be intact, in order.
    start = got.index(planned[0]) if planned[0] in got else -1
    assert got[start:start + len(planned)] == planned, (
        '%s: planned kernel params %r not in the booted cmdline %r'
        % (node.name, node.plan.kernel_params.value, result.cmdline))
    assert expected_bootif(node) in got, (
        '%s: %s not in cmdline %r' % (node.name, expected_bootif(node),
                                      result.cmdline))
    assert console_device(node) in result.consoles, (
        '%s: /proc/consoles %r lacks the planned %s'
        % (node.name, result.consoles, console_device(node)))


def boot_node(boot_lab, node, tftp_root=None, bootfile=None, log_path=None):
    return harness.boot(boot_lab.assets, node.arch, node.firmware,
                        tftp_root or boot_lab.ironic.tftp_root,
                        bootfile or node.bootfile, node.mac,
                        timeout=TIMEOUT, log_path=log_path)


@pytest.mark.parametrize('name', list(lab.NODES))
def test_boots_the_plan(boot_lab, name, tmp_path):
    node = boot_lab.nodes[name]
    # the bootfile comes from Ironic's dnsmasq file, and is the planned one
    assert node.opts == {o['opt_name']: o['opt_value']
                         for o in node.plan.dhcp_options}
    if node.interface == 'multiarch-ipxe':
        assert node.bootfile == 'http://%s:%d/boot.ipxe' % (
            lab.GUEST_HOST, boot_lab.http_port)
    else:
        assert node.bootfile == node.plan.bootfile
    result = boot_node(boot_lab, node, log_path=str(tmp_path / 'serial.log'))
    check_boot(node, result)
    assert result.elapsed < 90, result.elapsed
    print('%s: %.1fs %s | consoles %s' % (name, result.elapsed,
                                          result.cmdline, result.consoles))


# --- broken plans: the matching check must fail -------------------------

def copy_tree(boot_lab, dest):
    """Copy the conductor's TFTP root (hard links, symlinks kept)."""
    shutil.copytree(boot_lab.ironic.tftp_root, dest, symlinks=True,
                    copy_function=os.link,
                    ignore=shutil.ignore_patterns('master_images'))
    return str(dest)


def rewrite(path, old, new):
    with open(path) as f:
        text = f.read()
    assert old in text, (old, text)
    os.unlink(path)   # a hard link to the conductor's file: never edit it
    with open(path, 'w') as f:
        f.write(text.replace(old, new))


def test_broken_console_is_caught(boot_lab, tmp_path):
    """aarch64 still prints via ACPI SPCR, but the check sees the change."""
    node = boot_lab.nodes['arm-uefi-pxe']
    root = copy_tree(boot_lab, tmp_path / 'tftp')
    rewrite(os.path.join(root, node.plan.config_path),
            node.plan.console.value, 'console=ttyS0,115200')
    result = boot_node(boot_lab, node, tftp_root=root)
    with pytest.raises(AssertionError, match='planned console') as exc:
        check_boot(node, result)
    print(str(exc.value).splitlines()[0])


def test_wrong_arch_loader_fails(boot_lab, tmp_path):
    """An aarch64 machine given the x86_64 GRUB cannot start it."""
    node = boot_lab.nodes['arm-uefi-pxe']
    other = boot_lab.nodes['x86-uefi-pxe'].plan.bootfile
    assert os.path.isfile(os.path.join(boot_lab.ironic.tftp_root, other))
    with pytest.raises(harness.BootFailure) as exc:
        boot_node(boot_lab, node, bootfile=other)
    print(str(exc.value).splitlines()[0])


def test_missing_loader_fails(boot_lab, tmp_path):
    node = boot_lab.nodes['x86-bios-pxe']
    root = copy_tree(boot_lab, tmp_path / 'tftp')
    os.unlink(os.path.join(root, node.bootfile))
    with pytest.raises(harness.BootFailure) as exc:
        boot_node(boot_lab, node, tftp_root=root)
    print(str(exc.value).splitlines()[0])


@pytest.mark.parametrize('name', ['arm-uefi-pxe', 'x86-bios-pxe'])
def test_missing_mac_link_fails(boot_lab, name, tmp_path):
    """Without the per-MAC name the loader finds no config of its own."""
    node = boot_lab.nodes[name]
    root = copy_tree(boot_lab, tmp_path / 'tftp')
    for link in node.plan.links:
        os.rename(os.path.join(root, link),
                  os.path.join(root, link + '.renamed'))
    with pytest.raises(harness.BootFailure) as exc:
        boot_node(boot_lab, node, tftp_root=root)
    print(str(exc.value).splitlines()[0])
