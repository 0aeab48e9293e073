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

"""A small hybrid fleet in a real standalone Ironic, booted in the lab.

The pieces the boot tests and ``tools/lab.sh`` share: build real loaders,
kernels and marker ramdisks; configure a
:class:`~multiarch_lab.standalone.StandaloneIronic` whose
``[pxe]tftp_server`` and ``[deploy]http_url`` are on the lab's bridge;
enroll nodes through openstacksdk and take them to ``clean wait``;
compute each node's plan with the CLI planner; and :func:`run`, which
does all of it and boots the fleet.
"""

import dataclasses
import os
import re
import shutil
import subprocess
import sys
import time

from ironic_multiarch.cmd import common
from ironic_multiarch.cmd import plan as plan_cmd
from multiarch_lab import standalone
from multiarch_lab import assets as assets_mod
from multiarch_lab import images as images_mod
from multiarch_lab import lab as lab_mod
from multiarch_lab import qemu

HTTP_PORT = 8080
#: name -> (cpu_arch, firmware, boot interface, MAC)
FLEET = {
    'arm-uefi-pxe': ('aarch64', 'uefi', 'multiarch-pxe',
                     '52:54:00:b0:aa:01'),
    'x86-bios-pxe': ('x86_64', 'bios', 'multiarch-pxe', '52:54:00:b0:86:01'),
    'x86-uefi-pxe': ('x86_64', 'uefi', 'multiarch-pxe', '52:54:00:b0:86:02'),
    'x86-bios-ipxe': ('x86_64', 'bios', 'multiarch-ipxe',
                      '52:54:00:b0:86:03'),
}


def build_images(assets, directory, arches=('aarch64', 'x86_64')):
    """Copy the kernels, build marker ramdisks and loaders into directory.

    :returns: ``{group: {option: value}}`` for the ``[multiarch_<arch>]``
        groups (file:// hrefs and ``loader_paths``).
    """
    conf = {}
    loaders = {'aarch64': {}, 'x86_64': {}}
    for arch in arches:
        d = os.path.join(directory, arch)
        os.makedirs(d, exist_ok=True)
        kernel = os.path.join(d, 'vmlinuz')
        shutil.copyfile(assets.kernels[arch], kernel)
        ramdisk = images_mod.build_marker_initramfs(
            assets, arch, os.path.join(d, 'marker.initrd'))
        conf['multiarch_%s' % arch] = {'deploy_kernel': 'file://' + kernel,
                                       'deploy_ramdisk': 'file://' + ramdisk}
    grub = {'aarch64': 'grubaa64.efi', 'x86_64': 'grubx64.efi'}
    for arch in arches:
        loaders[arch][grub[arch]] = images_mod.build_grub_efi(
            assets, arch, os.path.join(directory, arch, grub[arch]))
    if 'aarch64' in arches:
        loaders['aarch64']['bootaa64.efi'] = assets_mod.shim_efi(assets)
    if 'x86_64' in arches:
        loaders['x86_64'].update({
            'pxelinux.0': assets.pxelinux, 'ldlinux.c32': assets.ldlinux,
            'undionly.kpxe': '/usr/lib/ipxe/undionly.kpxe',
            'snponly.efi': '/usr/lib/ipxe/snponly.efi'})
    for arch in arches:
        conf['multiarch_%s' % arch]['loader_paths'] = loaders[arch]
    return conf


def generated_dnsmasq_conf(ironic, path, overrides=()):
    """Run ``ironic-multiarch dnsmasq`` on Ironic's config into ``path``.

    :param overrides: more configuration files, read after Ironic's.
    :returns: path.
    """
    command = os.path.join(os.path.dirname(sys.executable),
                           'ironic-multiarch')
    argv = [command, 'dnsmasq', '--config-file', ironic.conf_file]
    for extra in overrides:
        argv += ['--config-file', extra]
    out = subprocess.run(argv, check=True, text=True,
                         stdout=subprocess.PIPE).stdout
    with open(path, 'w') as f:
        f.write(out)
    return path


def _opts_lines(ironic, uuid):
    path = os.path.join(ironic.dnsmasq_opts_dir, 'ironic-%s.conf' % uuid)
    with open(path) as f:
        return f.read().splitlines()


def dnsmasq_tag(ironic, uuid):
    """The tag Ironic's dnsmasq files give a node's port (its host)."""
    return re.match(r'tag:([0-9a-f-]+),',
                    _opts_lines(ironic, uuid)[0]).group(1)


def dnsmasq_opts(ironic, uuid):
    """The options Ironic's dnsmasq provider wrote for a node.

    :returns: ``{option name: value}`` from ``ironic-<uuid>.conf``
        (lines ``tag:<node tag>,<name>,<value>``).
    """
    return dict(re.match(r'tag:[0-9a-f-]+,(.*),([^,]*)$', line).groups()
                for line in _opts_lines(ironic, uuid))


def bootfile(opts):
    """The option 67 a PXE client gets (iPXE: the ``tag:ipxe`` one).

    QEMU's BIOS NIC ROM is iPXE, which dnsmasq hands the ``tag:ipxe``
    value (the boot.ipxe URL).
    """
    return opts.get('tag:ipxe,67') or opts['67']


@dataclasses.dataclass
class BootNode:
    """One enrolled node in ``clean wait`` and what it should boot."""

    name: str
    uuid: str
    arch: str
    firmware: str
    interface: str
    mac: str
    plan: object          # BootPlan computed by the CLI planner
    opts: dict            # the dnsmasq options Ironic wrote
    bootfile: str         # the option 67 its firmware should get
    dhcp_tag: str = None  # the tag of Ironic's lines (its dnsmasq host)


def _wait(conn, node, state, timeout=90):
    deadline = time.monotonic() + timeout
    while True:
        current = conn.baremetal.get_node(node.id)
        if current.provision_state == state:
            return current
        if current.last_error:
            raise AssertionError('%s: %s' % (node.name, current.last_error))
        if time.monotonic() > deadline:
            raise AssertionError('%s did not reach %s (is %s)' % (
                node.name, state, current.provision_state))
        time.sleep(0.3)


def enroll(ironic, nodes, secure_boot=()):
    """Enroll ``nodes`` (see :data:`FLEET`), take them to ``clean wait``.

    :param secure_boot: names of nodes whose instance asks for UEFI
        Secure Boot (they get their architecture's shim).
    :returns: ``{name: BootNode}``.
    :raises AssertionError: a node fails validation or cleaning.
    """
    conn = ironic.connection()
    ctx = common.load_context([ironic.conf_file])
    assert ctx.settings is not None, ctx.error
    made = {}
    for name, (arch, firmware, iface, mac) in nodes.items():
        extra = {}
        if name in secure_boot:
            extra['instance_info'] = {
                'capabilities': {'secure_boot': 'true'}}
        node = conn.baremetal.create_node(
            name=name, driver='multiarch-manual', boot_interface=iface,
            deploy_interface='direct', power_interface='fake',
            management_interface='fake', automated_clean=True,
            properties={'cpu_arch': arch,
                        'capabilities': 'boot_mode:%s' % firmware},
            **extra)
        conn.baremetal.create_port(node_id=node.id, address=mac,
                                   pxe_enabled=True)
        result = conn.baremetal.validate_node(node.id, required=None)
        assert result['boot'].result, (name, result['boot'].reason)
        conn.baremetal.set_node_provision_state(node.id, 'manage')
        _wait(conn, node, 'manageable')
        conn.baremetal.set_node_provision_state(node.id, 'provide')
        made[name] = node
    out = {}
    for name, node in made.items():
        _wait(conn, node, 'clean wait')
        api_node, ports = plan_cmd.fetch_node(conn, node.id)
        bp, _ = plan_cmd.make_plan(ctx, api_node, ports)
        opts = dnsmasq_opts(ironic, node.id)
        arch, firmware, iface, mac = nodes[name]
        out[name] = BootNode(name, node.id, arch, firmware, iface, mac, bp,
                             opts, bootfile(opts),
                             dnsmasq_tag(ironic, node.id))
    return out


def make_ironic(lab, workdir, assets, http_port=HTTP_PORT):
    """A StandaloneIronic serving the lab's bridge (not started).

    :returns: :class:`~multiarch_lab.standalone.StandaloneIronic`; its
        images are under ``<workdir>/boot-images``.
    """
    # inside Ironic's work directory: [conductor]file_url_allowed_paths
    extra = build_images(assets, os.path.join(workdir, 'boot-images'))
    extra['multiarch'] = {'enabled_architectures': 'x86_64,aarch64',
                          'menu_timeout': 0}
    return standalone.StandaloneIronic(
        workdir, extra_conf=extra, tftp_server=lab.bridge_ip,
        http_url=lab.http_url(http_port))


def serve(lab, ironic, generated_conf=None, http_port=HTTP_PORT):
    """Start the lab's HTTP server and dnsmasq for a running Ironic.

    :param generated_conf: a file of ``ironic-multiarch dnsmasq`` output
        to include (``conf-file=``), or None.
    :returns: ``(Dnsmasq, HttpServer)``.
    """
    http = lab.http_server(ironic.http_root, http_port)
    extra = ['conf-file=%s' % generated_conf] if generated_conf else []
    dns = lab.dnsmasq(ironic.dnsmasq_hosts_dir, ironic.dnsmasq_opts_dir,
                      ironic.tftp_root,
                      leasefile=ironic.path('dnsmasq', 'leases'),
                      extra_conf=extra)
    return dns, http


def _row(cols, widths):
    return '  '.join(str(c).ljust(w) for c, w in zip(cols, widths)).rstrip()


def run(workdir, nodes=None, parallel=2, timeout=150, out=None):
    """Enroll a hybrid fleet in a real Ironic and boot it in a lab.

    Prints the phases' times, then per node what dnsmasq answered, the
    command line its deploy ramdisk saw and the boot time.

    :returns: 0 if every node booted its planned kernel params, else 1.
    """
    out = out or sys.stdout
    nodes = nodes or FLEET
    start = time.monotonic()

    def phase(text):
        out.write('%6.1fs  %s\n' % (time.monotonic() - start, text))
        out.flush()

    assets = assets_mod.provision()
    phase('host packages, kernels and loaders ready')
    with lab_mod.Lab(os.path.join(workdir, 'lab'), assets=assets) as lab:
        phase('lab %s: bridge %s, %s' % (lab.ns, lab.bridge_ip,
                                         lab.bridge_ip6))
        ironic = make_ironic(lab, os.path.join(workdir, 'ironic'), assets)
        ironic.start()
        try:
            phase('Ironic API %s, TFTP %s, HTTP %s' % (
                ironic.url, ironic.tftp_server, ironic.http_url))
            generated = generated_dnsmasq_conf(
                ironic, os.path.join(workdir, 'unknown-nodes.conf'))
            dns, http = serve(lab, ironic, generated)
            phase('dnsmasq and HTTP server up (log %s)' % dns.log_path)
            enrolled = enroll(ironic, nodes)
            phase('%d nodes enrolled and in clean wait' % len(enrolled))
            machines = [lab.add_machine(n.arch, n.firmware, n.mac,
                                        name=n.name)
                        for n in enrolled.values()]
            results = lab.boot_many(machines, parallel=parallel,
                                    timeout=timeout)
            phase('booted, %d at a time' % parallel)
        finally:
            ironic.stop()
    failed = 0
    widths = (14, 8, 5, 15, 38, 7)
    out.write('\n' + _row(('NODE', 'ARCH', 'FW', 'INTERFACE',
                           'DHCP BOOTFILE', 'TIME'), widths) + '\n')
    for node, result in zip(enrolled.values(), results):
        if isinstance(result, qemu.BootFailure):
            failed += 1
            out.write(_row((node.name, node.arch, node.firmware,
                            node.interface,
                            (result.dhcp[-1].bootfile if result.dhcp
                             else '-'), 'FAILED'), widths) + '\n')
            out.write('    %s\n' % str(result).splitlines()[0])
            continue
        planned = node.plan.kernel_params.value
        ok = planned.split()[0] in result.cmdline and all(
            w in result.cmdline.split() for w in planned.split())
        failed += not ok
        out.write(_row((node.name, node.arch, node.firmware, node.interface,
                        result.bootfile, '%.1fs' % result.elapsed),
                       widths) + '\n')
        out.write('    booted: %s\n' % result.cmdline)
        out.write('    consoles: %s  planned params %s\n' % (
            ' '.join(result.consoles), 'seen' if ok else 'MISSING'))
    out.write('\ntotal %.1fs\n' % (time.monotonic() - start))
    return 1 if failed else 0
