# Licensed under the Apache License, Version 2.0 (the "License"); you may
# not use this file except in compliance with the License. You may obtain
# a copy of the License at
#
#      http://www.apache.org/licenses/LICENSE-2.0
#
# Unless required by applicable law or agreed to in writing, software
# distributed under the License is distributed on an "AS IS" BASIS, WITHOUT
# WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied. See the
# License for the specific language governing permissions and limitations
# under the License.

"""Proof by booting: QEMU machines netboot what a real conductor wrote.

The ``boot_lab`` fixture (conftest) runs a real Ironic with this plugin,
real loaders (GRUB arm64/x86_64, shim, pxelinux, iPXE) and real Debian
kernels with a marker initramfs, takes one node per case to ``clean wait``
and serves it from a real network: dnsmasq in a namespace reads Ironic's
hosts and option files, each QEMU machine is on a tap of its own with its
port's MAC. No bootfile is handed to a machine: it gets what dnsmasq
answers, and the tests check that answer against Ironic's file and the
plan the CLI computes from the same ironic.conf, then what the deploy
ramdisk saw against the same plan.

The same dnsmasq carries the ``ironic-multiarch dnsmasq`` matches for
machines Ironic does not know: an unknown aarch64 UEFI and an unknown
x86_64 BIOS machine boot beside the known nodes and get their own
architecture's discovery loader, while every known node gets its own plan.

Machines boot two at a time (the machine has 2 cores); each takes 10-20 s
under TCG. The ``broken`` tests copy the conductor's tree, break one thing
and boot on QEMU's user-mode network: they are about a file, not the
network.
"""

import os
import re
import shutil

import pytest

import multiarch_lab.dnsmasq
from tests.boot import conftest as lab
from tests.boot import harness

pytestmark = pytest.mark.boot

#: Seconds one boot may take (well under two minutes even on busy CI).
TIMEOUT = 150
#: Words a loader adds to the planned arguments by itself.
LOADER_WORDS = re.compile(r'(BOOT_IMAGE|initrd)=\S+$')
REQUEST_ID = 'ipa-global-request-id='
#: Boot order: known and unknown machines of both architectures side by
#: side, two at a time.
BATCH = ('unknown-arm-uefi', 'x86-bios-ipxe', 'unknown-x86-bios',
         'arm-uefi-pxe', 'arm-uefi-shim', 'x86-uefi-pxe', 'x86-bios-pxe')


def expected_bootif(node):
    """BOOTIF as each loader expands it for the node's MAC."""
    if node.plan.config_format == 'pxelinux':
        return 'BOOTIF=01-' + node.mac.replace(':', '-')   # IPAPPEND 2
    return 'BOOTIF=' + node.mac   # GRUB ${net_default_mac}, iPXE ${mac}


def console_device(console):
    """``ttyAMA0`` from the planned ``console=ttyAMA0,115200``."""
    assert console.startswith('console='), console
    return console.split('=', 1)[1].split(',', 1)[0]


def check_boot(node, result):
    """Assert that a boot ran what the plan says.

    The booted command line must be the planned kernel params, in order
    and contiguous, plus exactly one ``ipa-global-request-id=`` word
    (Ironic adds the operation's request id, which the CLI plan cannot
    know), the BOOTIF the loader expands for the node's MAC, and the
    loader's own ``BOOT_IMAGE=``/``initrd=``.

    :raises AssertionError: naming the first mismatch.
    """
    assert result.arch == node.arch, (node.name, result.arch)
    got = result.cmdline.split()
    assert node.plan.console.value in got, (
        '%s: planned console %r not in cmdline %r'
        % (node.name, node.plan.console.value, result.cmdline))
    request_ids = [w for w in got if w.startswith(REQUEST_ID)]
    assert len(request_ids) == 1, (
        '%s: expected one %s word in %r' % (node.name, REQUEST_ID,
                                             result.cmdline))
    got.remove(request_ids[0])
    planned = node.plan.kernel_params.value.split()
    assert planned and planned[0] in got, (
        '%s: planned kernel params %r not in the booted cmdline %r'
        % (node.name, node.plan.kernel_params.value, result.cmdline))
    start = got.index(planned[0])
    assert got[start:start + len(planned)] == planned, (
        '%s: planned kernel params %r not in the booted cmdline %r'
        % (node.name, node.plan.kernel_params.value, result.cmdline))
    extra = got[:start] + got[start + len(planned):]
    assert expected_bootif(node) in got, (
        '%s: %s not in cmdline %r' % (node.name, expected_bootif(node),
                                      result.cmdline))
    unexpected = [w for w in extra if w != expected_bootif(node)
                  and not LOADER_WORDS.match(w)]
    assert not unexpected, (
        '%s: words neither planned nor the loader\'s: %r in %r'
        % (node.name, unexpected, result.cmdline))
    assert console_device(node.plan.console.value) in result.consoles, (
        '%s: /proc/consoles %r lacks the planned %s'
        % (node.name, result.consoles,
           console_device(node.plan.console.value)))


@pytest.fixture(scope='module')
def booted(boot_lab):
    """Boot every known node and unknown machine, two at a time.

    :returns: ``{name: BootResult or BootFailure}``.
    """
    machines = []
    for name in BATCH:
        if name in lab.NODES:
            arch, firmware, _iface, mac = lab.NODES[name]
        else:
            arch, firmware, mac = lab.UNKNOWN[name]
        machines.append(boot_lab.lab.add_machine(arch, firmware, mac,
                                                 name=name))
    results = boot_lab.lab.boot_many(machines, parallel=2, timeout=TIMEOUT)
    for name, result in zip(BATCH, results):
        print('%s: %s' % (name, '%.1fs %s' % (result.elapsed, result.cmdline)
                          if isinstance(result, harness.BootResult)
                          else str(result).splitlines()[0]))
    return dict(zip(BATCH, results))


def _result(booted, name):
    result = booted[name]
    if isinstance(result, Exception):
        raise result
    return result


def _acks(result):
    acks = [a for a in result.dhcp if a.kind == 'DHCPACK']
    assert acks, 'no DHCPACK logged for %s' % result.name
    return acks


def test_everything_advertised_is_served(boot_lab):
    assert boot_lab.lab.unserved(boot_lab.ironic.dnsmasq_opts_dir,
                                 boot_lab.ironic.tftp_root) == []
    advertised = [a[3] for a in multiarch_lab.dnsmasq.advertised(
        boot_lab.ironic.dnsmasq_opts_dir)]
    assert '%s/boot.ipxe' % boot_lab.http.url in advertised
    assert 'multiarch/x86_64/pxelinux.0' in advertised


@pytest.mark.parametrize('name', list(lab.NODES))
def test_boots_the_plan(boot_lab, booted, name):
    node = boot_lab.nodes[name]
    # Ironic's dnsmasq file holds the planned options ...
    assert node.opts == {o['opt_name']: o['opt_value']
                         for o in node.plan.dhcp_options}
    if node.interface == 'multiarch-ipxe':
        assert node.bootfile == '%s/boot.ipxe' % boot_lab.http.url
    else:
        assert node.bootfile == node.plan.bootfile
    result = _result(booted, name)
    # ... and dnsmasq answered exactly that, once, as a known host (its
    # Ironic tag set), not the generated client-arch answer.
    for ack in _acks(result):
        assert 'known' in ack.tags and node.dhcp_tag in ack.tags, ack
        expected = node.opts.get('tag:ipxe,67') if 'ipxe' in ack.tags \
            else node.opts.get('tag:!ipxe,67')
        assert ack.options.get(67) == [expected or node.opts['67']], ack
    assert result.bootfile == node.bootfile
    check_boot(node, result)
    assert result.elapsed < 90, result.elapsed
    print('%s: %.1fs %s | consoles %s' % (name, result.elapsed,
                                          result.cmdline, result.consoles))


@pytest.mark.parametrize('name', list(lab.UNKNOWN))
def test_unknown_machine_boots_its_arch_discovery_loader(boot_lab, booted,
                                                         name):
    """The generated matches answer machines Ironic does not know, by
    option 93, beside the known nodes in the same dnsmasq."""
    arch, firmware, mac = lab.UNKNOWN[name]
    result = _result(booted, name)
    loader = {'aarch64': 'multiarch/aarch64/grubaa64.efi',
              'x86_64': 'multiarch/x86_64/pxelinux.0'}[arch]
    for ack in _acks(result):
        assert 'known' not in ack.tags, ack
        assert '%s-%s' % (arch, firmware) in ack.tags, ack
        assert ack.options.get(67) == [loader], ack
        # petitboot's options are forced for POWER only
        assert 209 not in ack.options and 210 not in ack.options, ack
    assert result.arch == arch
    words = result.cmdline.split()
    assert lab.DISCOVERY_ARG + arch in words, result.cmdline
    assert lab.CONSOLES[arch] in words, result.cmdline
    assert console_device(lab.CONSOLES[arch]) in result.consoles
    # the loader came from the TFTP server, and looked for its own config
    ip = _acks(result)[0].ip
    sent = [path for event, path in boot_lab.dnsmasq.tftp_log(ip)
            if event == 'sent']
    assert os.path.join(boot_lab.ironic.tftp_root, loader) in sent, sent


# --- broken plans: the matching check must fail -------------------------

def boot_node(boot_lab, node, tftp_root=None, bootfile=None, log_path=None):
    """Boot on QEMU's user-mode network, served by ``tftp_root``."""
    return harness.boot(boot_lab.assets, node.arch, node.firmware,
                        tftp_root or boot_lab.ironic.tftp_root,
                        bootfile or node.bootfile, node.mac,
                        timeout=TIMEOUT, log_path=log_path,
                        host=lab.GUEST_HOST)


def copy_tree(boot_lab, dest):
    """Copy the conductor's TFTP root (hard links, symlinks kept).

    The discovery configs the fixture added for unknown machines are left
    out: they are not the conductor's, and a loader would fall back to
    them.
    """
    root = boot_lab.ironic.tftp_root
    skip = {os.path.join(root, p) for p in lab.DISCOVERY_FILES}
    skip.add(os.path.join(root, 'master_images'))

    def ignore(directory, names):
        return [n for n in names if os.path.join(directory, n) in skip]

    shutil.copytree(root, dest, symlinks=True, copy_function=os.link,
                    ignore=ignore)
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
